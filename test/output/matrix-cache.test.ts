/**
 * The resolved-matrix cache (src/output/matrix-cache.ts) through the real CLI: a second synth with
 * nothing changed skips the load; any edit to a matrix module, a pin or an environment variable the
 * matrix reads makes it load again; a damaged entry is ignored; `--check` and `--no-cache` never read
 * it. `--verbose` says where the matrix came from.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../../src/core/canonical.ts';
import { composeLazily } from '../../src/generators/index.ts';
import { EKS_VERSIONS, eksAddonVersions, eksSupport } from '../../src/matrix/clouds/aws/versions.ts';
import { loadMatrix } from '../../src/matrix/load.ts';
import {
  decodeResolved,
  encodeResolved,
  matrixCacheFile,
  survivesJson,
} from '../../src/output/matrix-cache.ts';
import { defaultCacheDir } from '../../src/output/project-paths.ts';
import { RACY_MS, statCacheFile } from '../../src/output/stat-cache.ts';
import { upToDateFile } from '../../src/output/up-to-date.ts';
import { readTree } from '../../src/output/tree.ts';
import { projectRoot } from '../support/tools.ts';

const run = promisify(execFile);
const BIN = join(projectRoot, 'bin/envmatrix.js');

const loaded = (why: string) => `matrix: loaded (${why}); cached for the next synth`;
const PINS_ONLY =
  'matrix: loaded the pins only, the matrix modules are unchanged (changed: pins); cached for the next synth';
const HIT = 'matrix: unchanged since the last synth; taken from the cache';

async function envmatrix(
  root: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, '--root', root, '--verbose', ...args], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The matrix line synth printed with --verbose. */
const matrixNote = (stderr: string) => stderr.split('\n').find((line) => line.startsWith('matrix: '));

/**
 * A project whose user content (src/apps, src/environments) is copied and whose define API
 * (src/matrix) is this checkout's, as in this repository: the user modules are the copies.
 */
let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'envmatrix-matrix-cache-'));
  for (const dir of ['src/apps', 'src/environments'])
    await cp(join(projectRoot, dir), join(root, dir), { recursive: true });
  await cp(join(projectRoot, 'package.json'), join(root, 'package.json'));
  await symlink(join(projectRoot, 'src/matrix'), join(root, 'src/matrix'), 'dir');
  await symlink(join(projectRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  await age();
});
afterEach(async () => {
  await rm(entryFile(), { force: true });
  await rm(upToDateFile(defaultCacheDir(root), join(root, 'generated')), { force: true });
  await rm(root, { recursive: true, force: true });
});

/** Date every user file an hour back: a module changed within RACY_MS (3 s) of a load is never cached. */
async function age(): Promise<void> {
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const dir of ['src/apps', 'src/environments', 'src/environments/releases'])
    for (const name of readdirSync(join(root, dir)))
      if (name.endsWith('.ts') || name.endsWith('.json'))
        await utimes(join(root, dir, name), hourAgo, hourAgo);
}

async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(join(root, file), 'utf8');
  expect(text).toContain(from);
  await writeFile(join(root, file), text.replace(from, to));
  await age();
}

/** Set api's tag in dev's pins (as `envmatrix pin` and the promotion bot do), leaving its digest. */
async function bumpApiPin(tag: string): Promise<void> {
  const file = 'src/environments/releases/dev.json';
  const pins = JSON.parse(await readFile(join(root, file), 'utf8')) as {
    apps: Record<string, { tag: string }>;
  };
  await edit(file, `"tag": "${pins.apps.api!.tag}"`, `"tag": "${tag}"`);
}

async function synthNote(env: Record<string, string> = {}, ...args: string[]): Promise<string | undefined> {
  const result = await envmatrix(root, ['synth', ...args], env);
  expect(result, result.stderr).toMatchObject({ code: 0 });
  return matrixNote(result.stderr);
}

// root/node_modules links to this checkout's: the cache folder is shared with other tests, each entry
// belongs to one root.
const entryFile = () =>
  matrixCacheFile({ root, matrixFile: 'src/environments/index.ts', cacheDir: defaultCacheDir(root) });

/** An entry's sections (the definition, the resolved matrix) as a synth would read them. */
interface EntrySections {
  readonly definition?: unknown;
  readonly resolved?: unknown;
}

/**
 * Replace the entry's sections with what `change` returns, with the sha256s its header must hold, so
 * the entry passes every check a lookup makes: only what the sections hold differs.
 */
async function rewriteEntry(change: (sections: EntrySections) => EntrySections): Promise<void> {
  const [headerLine, ...lines] = (await readFile(entryFile(), 'utf8')).split('\n');
  const parse = (line: string | undefined) => (line ? (JSON.parse(line) as unknown) : undefined);
  const next = change({ definition: parse(lines[0]), resolved: parse(lines[1]) });
  const [definition, resolved] = [next.definition, next.resolved].map((value) =>
    value === undefined ? '' : JSON.stringify(value),
  ) as [string, string];
  const sections = {
    definition: definition === '' ? null : sha256(definition),
    resolved: resolved === '' ? null : sha256(resolved),
  };
  const header = { ...(JSON.parse(headerLine!) as object), sections };
  await writeFile(entryFile(), [JSON.stringify(header), definition, resolved].join('\n'));
}

describe('the resolved-matrix cache', { timeout: 240_000 }, () => {
  it('a second synth with nothing changed skips the load and writes the same bytes', async () => {
    expect(await synthNote()).toBe(loaded('no entry'));
    const first = await readTree(join(root, 'generated'));
    await rm(join(root, 'generated'), { recursive: true });
    expect(await synthNote()).toBe(HIT);
    expect(await readTree(join(root, 'generated'))).toEqual(first);
    const check = await envmatrix(root, ['synth', '--check']);
    expect(check, check.stderr).toMatchObject({ code: 0 });
  });

  it('a load’s warnings are printed by every synth, from the cache too', async () => {
    // A cluster on an EKS version in paid extended support: a warning, not an error.
    const now = new Date();
    const row = EKS_VERSIONS.find(
      (entry) => eksSupport(entry.version, now).status === 'extended' && eksAddonVersions(entry.version),
    );
    expect(row, 'an EKS version with add-ons in extended support today').toBeDefined();
    await edit(
      'src/environments/index.ts',
      "aws('dev', 'us-east-1', {",
      `aws('dev', 'us-east-1', { kubernetesVersion: '${row!.version}',`,
    );
    const warningLines = (stderr: string) =>
      stderr.split('\n').filter((line) => line.startsWith('warning: '));
    const first = await envmatrix(root, ['synth']);
    expect(matrixNote(first.stderr)).toBe(loaded('no entry'));
    expect(warningLines(first.stderr)).toHaveLength(1);
    expect(warningLines(first.stderr)[0]).toContain(
      `kubernetesVersion ${row!.version} is in EKS extended support`,
    );
    const again = await envmatrix(root, ['synth']);
    expect(matrixNote(again.stderr)).toBe(HIT);
    expect(warningLines(again.stderr)).toEqual(warningLines(first.stderr));
    // A pins-only change validates again, from the cached definition: the warning is still there.
    await bumpApiPin('9.9.9');
    const pinned = await envmatrix(root, ['synth']);
    expect(matrixNote(pinned.stderr)).toBe(PINS_ONLY);
    expect(warningLines(pinned.stderr)).toEqual(warningLines(first.stderr));
  });

  it('editing a matrix module, then a pin, makes synth load again and write the change', async () => {
    expect(await synthNote()).toBe(loaded('no entry'));
    await edit('src/apps/api.ts', "DB_POOL_SIZE: '10'", "DB_POOL_SIZE: '12'");
    expect(await synthNote()).toBe(loaded(`changed: ${join(root, 'src/apps/api.ts')}`));
    expect(
      await readFile(join(root, 'generated/k8s/dev/aws/us-east-1/main/api/manifest.yaml'), 'utf8'),
    ).toContain('DB_POOL_SIZE: "12"');
    expect(await synthNote()).toBe(HIT);
    await bumpApiPin('9.9.9');
    expect(await synthNote()).toBe(PINS_ONLY);
    expect(
      await readFile(join(root, 'generated/k8s/dev/aws/us-east-1/main/api/manifest.yaml'), 'utf8'),
    ).toContain('ghcr.io/acme/api:9.9.9@');
  });

  it('a pins-only change reuses the definition and writes what a full load writes', async () => {
    expect(await synthNote()).toBe(loaded('no entry'));
    await bumpApiPin('9.9.9');
    expect(await synthNote()).toBe(PINS_ONLY);
    const fromCache = await readTree(join(root, 'generated'));
    expect(fromCache.get('k8s/dev/aws/us-east-1/main/api/manifest.yaml')).toContain(
      'ghcr.io/acme/api:9.9.9@',
    );
    // The new entry serves the next synth whole.
    expect(await synthNote()).toBe(HIT);
    await rm(join(root, 'generated'), { recursive: true });
    const full = await envmatrix(root, ['synth', '--no-cache']);
    expect(full, full.stderr).toMatchObject({ code: 0 });
    expect(await readTree(join(root, 'generated'))).toEqual(fromCache);
    const check = await envmatrix(root, ['synth', '--check']);
    expect(check, check.stderr).toMatchObject({ code: 0 });
  });

  it('a bad pin fails from the cached definition exactly as it fails a full load', async () => {
    expect(await synthNote()).toBe(loaded('no entry'));
    await bumpApiPin('not a tag!');
    // --verbose prints the stack, which names the functions each path took: compare the message.
    const message = ({ code, stdout, stderr }: { code: number; stdout: string; stderr: string }) => ({
      code,
      stdout,
      stderr: stderr
        .split('\n')
        .filter((line) => !line.startsWith('    at ') && !line.startsWith('matrix: '))
        .join('\n'),
    });
    const fromCache = message(await envmatrix(root, ['synth']));
    expect(fromCache.code).toBe(1);
    expect(fromCache.stderr).toContain(
      '[src/environments/releases/dev.json apps.api.tag] "not a tag!" is not an image tag',
    );
    expect(fromCache).toEqual(message(await envmatrix(root, ['synth', '--no-cache'])));
  });

  it('a pin and a matrix module changed together load the modules again', async () => {
    expect(await synthNote()).toBe(loaded('no entry'));
    await bumpApiPin('9.9.9');
    await edit('src/apps/api.ts', "DB_POOL_SIZE: '10'", "DB_POOL_SIZE: '12'");
    expect(await synthNote()).toBe(loaded(`changed: ${join(root, 'src/apps/api.ts')}`));
    const manifest = await readFile(
      join(root, 'generated/k8s/dev/aws/us-east-1/main/api/manifest.yaml'),
      'utf8',
    );
    expect(manifest).toContain('DB_POOL_SIZE: "12"');
    expect(manifest).toContain('ghcr.io/acme/api:9.9.9@');
  });

  it('a pins-only change with a variable the matrix read changed loads the modules again', async () => {
    await edit('src/apps/api.ts', "DB_POOL_SIZE: '10'", "DB_POOL_SIZE: process.env.POOL ?? '10'");
    expect(await synthNote({ POOL: '20' })).toBe(loaded('no entry'));
    await bumpApiPin('9.9.9');
    expect(await synthNote({ POOL: '30' })).toBe(loaded('changed: $POOL'));
    await bumpApiPin('9.9.10');
    expect(await synthNote({ POOL: '30' })).toBe(PINS_ONLY);
    expect(
      await readFile(join(root, 'generated/k8s/dev/aws/us-east-1/main/api/manifest.yaml'), 'utf8'),
    ).toContain('DB_POOL_SIZE: "30"');
  });

  it('an entry without a definition serves no pins-only change', async () => {
    expect(await synthNote()).toBe(loaded('no entry'));
    // As for a definition JSON cannot keep: the entry holds the resolved matrix instead.
    const { resolved } = await loadMatrix({ root });
    await rewriteEntry((saved) => {
      // What a load of a plain definition saves: the definition, not the resolved matrix.
      expect((saved.definition as { apps?: unknown[] } | undefined)?.apps?.length).toBeGreaterThan(0);
      expect(saved.resolved).toBeUndefined();
      return { definition: undefined, resolved: encodeResolved(resolved) };
    });
    await rm(join(root, 'generated/FLEET.md'));
    expect(await synthNote()).toBe(HIT);
    await bumpApiPin('9.9.9');
    expect(await synthNote()).toBe(loaded('changed: pins'));
  });

  it('an environment variable the matrix reads is part of the key', async () => {
    await edit('src/apps/api.ts', "DB_POOL_SIZE: '10'", "DB_POOL_SIZE: process.env.POOL ?? '10'");
    expect(await synthNote({ POOL: '20' })).toBe(loaded('no entry'));
    expect(await synthNote({ POOL: '20' })).toBe(HIT);
    expect(await synthNote({ POOL: '30' })).toBe(loaded('changed: $POOL'));
    expect(
      await readFile(join(root, 'generated/k8s/dev/aws/us-east-1/main/api/manifest.yaml'), 'utf8'),
    ).toContain('DB_POOL_SIZE: "30"');
  });

  it('a matrix whose value may depend on more than its files and variables is not cached', async () => {
    await edit('src/apps/api.ts', "DB_POOL_SIZE: '10'", 'DB_POOL_SIZE: String(Date.now() % 2)');
    expect(await synthNote()).toBe(
      `matrix: loaded (no entry); not cached: ${join(root, 'src/apps/api.ts')} mentions \`Date\``,
    );
  });

  it('a module changed within RACY_MS of the load is not cached (its bytes may not be those loaded)', async () => {
    // Stamped a minute ahead: on a loaded machine, node can take more than RACY_MS to reach the lookup.
    const soon = new Date(Date.now() + 60_000);
    await utimes(join(root, 'src/apps/web.ts'), soon, soon);
    expect(await synthNote()).toBe(
      `matrix: loaded (no entry); not cached: ${join(root, 'src/apps/web.ts')} changed within ${RACY_MS / 1000} s of the load`,
    );
  });

  it('a damaged entry is ignored and rewritten', async () => {
    expect(await synthNote()).toBe(loaded('no entry'));
    const entry = entryFile();
    const text = await readFile(entry, 'utf8');
    for (const damaged of ['{not json', text.slice(0, text.length - 10), `${text.slice(0, -1)}0`]) {
      await writeFile(entry, damaged);
      expect(await synthNote()).toBe(loaded('damaged entry'));
    }
    expect(await synthNote()).toBe(HIT);
  });

  it('--check and --no-cache never read it: a poisoned entry only misleads plain synth', async () => {
    expect(await synthNote()).toBe(loaded('no entry'));
    // An entry that passes every check but holds another matrix: what a hit would build from.
    await rewriteEntry(({ definition }) => ({
      definition: JSON.parse(
        JSON.stringify(definition).replaceAll('ghcr.io/acme/api', 'ghcr.io/poisoned/api'),
      ),
    }));
    const check = await envmatrix(root, ['synth', '--check']);
    expect(check, check.stderr).toMatchObject({ code: 0 });
    expect(matrixNote(check.stderr)).toBeUndefined();
    const noCache = await envmatrix(root, ['synth', '--no-cache']);
    expect(noCache, noCache.stderr).toMatchObject({ code: 0 });
    expect(noCache.stdout).toContain('generated/ is up to date');
    // The poison is taken by plain synth: proof that the two above did not read the entry.
    expect(await synthNote()).toBe(HIT);
    expect(
      await readFile(join(root, 'generated/k8s/dev/aws/us-east-1/main/api/manifest.yaml'), 'utf8'),
    ).toContain('ghcr.io/poisoned/api');
  });
});

/**
 * The up-to-date record (src/output/up-to-date.ts): a synth whose matrix comes from the cache and whose
 * generated/ still holds what that matrix rendered to stops before rendering. Anything else in
 * generated/ (an edit that keeps size and mtime, a file gone or added, an interrupted write) takes the
 * usual path, which repairs it.
 */
describe('the up-to-date record', { timeout: 240_000 }, () => {
  const UP_TO_DATE =
    'generated: holds what this matrix renders to (the last synth left it so); nothing rendered';
  const MANIFEST = 'generated/k8s/dev/aws/us-east-1/main/api/manifest.yaml';
  const upToDateNote = (stderr: string) => stderr.split('\n').find((line) => line.startsWith('generated: '));

  async function synthed(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    const result = await envmatrix(root, ['synth', ...args]);
    expect(result, result.stderr).toMatchObject({ code: 0 });
    return result;
  }

  it('a synth with nothing changed renders nothing, and says what synth says', async () => {
    const first = await synthed();
    expect(upToDateNote(first.stderr)).toBeUndefined();
    const tree = await readTree(join(root, 'generated'));
    const fileCount = tree.size;
    for (let i = 0; i < 2; i++) {
      const again = await synthed();
      expect(matrixNote(again.stderr)).toBe(HIT);
      expect(upToDateNote(again.stderr)).toBe(UP_TO_DATE);
      expect(again.stdout).toBe(`generated/ is up to date: ${fileCount} files, nothing to write.\n`);
    }
    expect(await readTree(join(root, 'generated'))).toEqual(tree);
  });

  it('reads the files its own synth wrote once (they are racy), then none', async () => {
    await synthed();
    const statCache = statCacheFile(defaultCacheDir(root), join(root, 'generated'));
    const written = await readFile(statCache, 'utf8');
    // The files the first synth wrote are younger than its start: the stat cache cannot vouch for them,
    // so the next synth reads them and records them again; the one after reads nothing.
    await new Promise((done) => setTimeout(done, RACY_MS + 100));
    expect(upToDateNote((await synthed()).stderr)).toBe(UP_TO_DATE);
    const recorded = await readFile(statCache, 'utf8');
    expect(recorded).not.toBe(written);
    expect(upToDateNote((await synthed()).stderr)).toBe(UP_TO_DATE);
    expect(await readFile(statCache, 'utf8')).toBe(recorded);
  });

  it('once its files are past the racy window, a check keeps their stat data and needs no stat cache', async () => {
    await synthed();
    const record = upToDateFile(defaultCacheDir(root), join(root, 'generated'));
    // Within the racy window a check finds the tree but keeps no stat data: a later edit could keep it.
    expect(upToDateNote((await synthed()).stderr)).toBe(UP_TO_DATE);
    expect(JSON.parse(await readFile(record, 'utf8'))).not.toHaveProperty('stats');
    await new Promise((done) => setTimeout(done, RACY_MS + 100));
    // This check reads what the synth wrote (racy then) and records the tree's stat data with it.
    expect(upToDateNote((await synthed()).stderr)).toBe(UP_TO_DATE);
    expect(JSON.parse(await readFile(record, 'utf8'))).toHaveProperty('stats');
    // Without the stat cache the usual check would read and hash every file, and record them all again.
    const statCache = statCacheFile(defaultCacheDir(root), join(root, 'generated'));
    await rm(statCache);
    expect(upToDateNote((await synthed()).stderr)).toBe(UP_TO_DATE);
    await expect(stat(statCache)).rejects.toThrow(/ENOENT/);
    // An edit that keeps the size and the mtime moves the ctime: found, repaired.
    const path = join(root, MANIFEST);
    const before = await readFile(path, 'utf8');
    const { mtime } = await stat(path);
    await writeFile(path, before.replace('app.kubernetes.io/name: api', 'app.kubernetes.io/name: apx'));
    await utimes(path, mtime, mtime);
    const repaired = await synthed();
    expect(upToDateNote(repaired.stderr)).toBeUndefined();
    expect(repaired.stdout).toMatch(/^synth: 0 added, 1 changed, 0 removed;/);
    expect(await readFile(path, 'utf8')).toBe(before);
  });

  it('an edit that keeps the size and the mtime is still found and repaired', async () => {
    await synthed();
    const path = join(root, MANIFEST);
    const before = await readFile(path, 'utf8');
    const { mtime } = await stat(path);
    const edited = before.replace('app.kubernetes.io/name: api', 'app.kubernetes.io/name: apx');
    expect(edited).not.toBe(before);
    await writeFile(path, edited);
    await utimes(path, mtime, mtime);
    const repaired = await synthed();
    expect(upToDateNote(repaired.stderr)).toBeUndefined();
    expect(repaired.stdout).toMatch(/^synth: 0 added, 1 changed, 0 removed;/);
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(upToDateNote((await synthed()).stderr)).toBe(UP_TO_DATE);
  });

  it('a file removed is written again; a file added is kept and warned about by every synth', async () => {
    await synthed();
    const before = await readFile(join(root, MANIFEST), 'utf8');
    await rm(join(root, MANIFEST));
    const restored = await synthed();
    expect(upToDateNote(restored.stderr)).toBeUndefined();
    expect(restored.stdout).toMatch(/^synth: 1 added, 0 changed, 0 removed;/);
    expect(await readFile(join(root, MANIFEST), 'utf8')).toBe(before);
    await writeFile(join(root, 'generated/notes.md'), 'mine\n');
    const warning =
      'warning: generated/notes.md was not written by envmatrix; left in place (synth --check reports it as extra).';
    const added = await synthed();
    expect(upToDateNote(added.stderr)).toBeUndefined();
    expect(added.stderr).toContain(warning);
    const again = await synthed();
    expect(upToDateNote(again.stderr)).toBe(UP_TO_DATE);
    expect(again.stderr).toContain(warning);
  });

  it('an interrupted write, --only and a changed pin take the usual path', async () => {
    await synthed();
    // A journal left by a dead run (nothing applied yet): the usual path rolls it back and removes it.
    const journal = join(root, 'generated.envmatrix-journal.json');
    await writeFile(journal, JSON.stringify({ version: 1, write: [], replaced: [], remove: [] }));
    expect(upToDateNote((await synthed()).stderr)).toBeUndefined();
    await expect(stat(journal)).rejects.toThrow(/ENOENT/);
    expect(upToDateNote((await synthed('--only', 'dev')).stderr)).toBeUndefined();
    await bumpApiPin('1.99.0');
    const pinned = await synthed();
    expect(upToDateNote(pinned.stderr)).toBeUndefined();
    expect(pinned.stdout).toMatch(/^synth: 0 added, [1-9]\d* changed, 0 removed;/);
    expect(upToDateNote((await synthed()).stderr)).toBe(UP_TO_DATE);
  });

  it('a run killed after its journal was gone leaves scratch folders and a lock: the next synth clears them', async () => {
    await synthed();
    const tree = await readTree(join(root, 'generated'));
    // What a synth killed between deleting its journal and releasing its lock leaves (found by the cache
    // model test): the displaced bytes of a hand-edited manifest, an empty staging folder, proper-lockfile's
    // folder (not refreshed for a minute: stale) and the owner file.
    const beside = (suffix: string) => join(root, `generated${suffix}`);
    await mkdir(dirname(join(beside('.envmatrix-old'), MANIFEST.replace('generated/', ''))), {
      recursive: true,
    });
    await writeFile(join(beside('.envmatrix-old'), MANIFEST.replace('generated/', '')), 'edited by hand\n');
    await mkdir(beside('.envmatrix-new'));
    await mkdir(beside('.envmatrix-lock'));
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await utimes(beside('.envmatrix-lock'), aMinuteAgo, aMinuteAgo);
    await writeFile(
      beside('.envmatrix-lock.json'),
      `${JSON.stringify({ pid: 999_999, command: 'synth', since: aMinuteAgo.toISOString() })}\n`,
    );
    const cleared = await synthed();
    expect(upToDateNote(cleared.stderr)).toBeUndefined();
    expect(cleared.stdout).toBe(`generated/ is up to date: ${tree.size} files, nothing to write.\n`);
    const left = ['.envmatrix-new', '.envmatrix-old', '.envmatrix-lock', '.envmatrix-lock.json'];
    expect(left.filter((suffix) => existsSync(beside(suffix)))).toEqual([]);
    expect(await readTree(join(root, 'generated'))).toEqual(tree);
    expect(upToDateNote((await synthed()).stderr)).toBe(UP_TO_DATE);
  });
});

describe('the cached form of a resolved matrix', () => {
  it('renders exactly the bytes of the matrix it was made from', async () => {
    const { resolved } = await loadMatrix({ root: projectRoot, now: new Date('2026-11-30T00:00:00Z') });
    const encoded = encodeResolved(resolved);
    expect(survivesJson(encoded)).toBe(true);
    const restored = decodeResolved(JSON.parse(JSON.stringify(encoded)));
    // Provenance keeps each distinct list of steps once; every app's paths still map to equal steps.
    expect(restored.provenance).toEqual(resolved.provenance);
    const [before, after] = await Promise.all([composeLazily(resolved), composeLazily(restored)]);
    expect(after.size).toBeGreaterThan(50);
    expect([...after].map(([path, file]) => [path, file.content])).toEqual(
      [...before].map(([path, file]) => [path, file.content]),
    );
  });

  it('holds nothing JSON would change', () => {
    expect(survivesJson({ a: [1, 'x', null, true, { b: 2 }] })).toBe(true);
    for (const value of [
      { a: undefined },
      { a: new Date(0) },
      { a: new Map() },
      new Array<number>(2),
      { a: -0 },
      NaN,
    ])
      expect(survivesJson(value)).toBe(false);
  });
});
