import { access, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256 } from '../../src/core/canonical.ts';
import { compose, inputHash, quickInputKey } from '../../src/generators/index.ts';
import type { Generator, RenderedFile } from '../../src/generators/types.ts';
import { checkedMatrix } from '../../src/matrix/load.ts';
import {
  DiskRenderCache,
  ENTRY_LOG,
  OLD_ENTRY_LOG,
  renderCacheDir,
  rendererFingerprint,
  RENDERER_SOURCE_DIRS,
} from '../../src/output/render-cache.ts';
import { decodeLog } from '../../src/output/render-log.ts';
import { checkGenerated, synth, type SynthSession } from '../../src/output/synth.ts';
import { statCacheFile } from '../../src/output/stat-cache.ts';
import { fixtureMatrix, fixturePins } from '../support/matrix-fixture.ts';
import { projectRoot } from '../support/tools.ts';

let dir: string;
let renders: string[];

/** One file per target; records each unit it renders. */
const counting: Generator = {
  name: 'counting',
  version: '1',
  units: (matrix) =>
    matrix.targets.map((target) => ({
      scope: target.id,
      input: target.apps.map((app) => app.imageRef),
      render: () => {
        renders.push(target.id);
        return [
          {
            path: `t/${target.id}.json`,
            format: 'json' as const,
            data: target.apps.map((app) => app.imageRef),
          },
        ];
      },
    })),
};

/** One file per app of a target: its units share the target's scope and are told apart by key. */
const perApp: Generator = {
  name: 'per-app',
  version: '1',
  units: (matrix) =>
    matrix.targets.flatMap((target) =>
      target.apps.map((app) => ({
        scope: target.id,
        key: `${target.id}/${app.name}`,
        input: app.imageRef,
        render: () => {
          renders.push(`${target.id}/${app.name}`);
          return [{ path: `a/${target.id}/${app.name}.json`, format: 'json' as const, data: app.imageRef }];
        },
      })),
    ),
};

/** One file per target, its input an object whose keys come in `keyOrder`: the same data either way. */
let keyOrder: 'image first' | 'apps first' = 'image first';
const inputOf = (target: { id: string; apps: readonly { imageRef: string }[] }) => {
  const images = target.apps.map((app) => app.imageRef);
  return keyOrder === 'image first'
    ? { images, target: target.id, nested: { b: 2, a: 1 } }
    : { nested: { a: 1, b: 2 }, target: target.id, images };
};
const ordered: Generator = {
  name: 'ordered',
  version: '1',
  units: (matrix) =>
    matrix.targets.map((target) => ({
      scope: target.id,
      input: inputOf(target),
      render: () => {
        renders.push(target.id);
        return [{ path: `o/${target.id}.json`, format: 'json' as const, data: inputOf(target).images }];
      },
    })),
};

beforeEach(async () => {
  keyOrder = 'image first';
  dir = await mkdtemp(join(tmpdir(), 'envmatrix-cache-'));
  renders = [];
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const options = () => ({
  outDir: join(dir, 'generated'),
  cacheDir: join(dir, 'cache'),
  generators: [counting],
});
/** Where synth keeps the render cache of options().outDir. */
const renderDir = () => renderCacheDir(join(dir, 'cache'), join(dir, 'generated'));
const logOf = (outDir = join(dir, 'generated')) =>
  join(renderCacheDir(join(dir, 'cache'), outDir), ENTRY_LOG);
/** The log's records, decoded; fails the test when the log holds anything else. */
async function logRecords(outDir?: string) {
  const bytes = await readFile(logOf(outDir));
  const log = decodeLog(bytes);
  expect({ damaged: log.damaged, intactBytes: log.intactBytes }).toEqual({
    damaged: 0,
    intactBytes: bytes.length,
  });
  return log.records;
}
/** The log's records as text, each without the NUL that starts it (these tests' contents are ASCII). */
const rawRecords = async () => (await readFile(logOf(), 'utf8')).split('\u0000').slice(1);
const writeRecords = (records: readonly string[]) =>
  writeFile(logOf(), records.map((record) => `\u0000${record}`).join(''));
/** The unit keys of `generator`'s records, sorted. */
const keysOf = async (generator: string, outDir?: string) =>
  (await logRecords(outDir))
    .filter((line) => line.generator === generator)
    .map((line) => line.key)
    .sort();
const matrixWith = (devApi: string) =>
  checkedMatrix(fixtureMatrix(), fixturePins({ dev: { api: { tag: devApi }, worker: { tag: '0.2.0' } } }))
    .resolved;

describe('render cache', () => {
  it('renders nothing again when no input changed, and only the changed unit when one did', async () => {
    await synth(matrixWith('1.1.0'), options());
    expect(renders).toHaveLength(4);
    renders = [];
    expect(await synth(matrixWith('1.1.0'), options())).toMatchObject({ written: false });
    expect(renders).toEqual([]);
    const result = await synth(matrixWith('1.2.0'), options());
    expect(renders).toEqual(['dev/aws/us-east-1/main']);
    expect(result.changed).toEqual(['index.json', 't/dev/aws/us-east-1/main.json']);
  });

  it('finds a unit by its input as built, and by its input hash when the same data comes in another key order', async () => {
    const orderedOptions = { ...options(), generators: [ordered] };
    const matrix = matrixWith('1.1.0');
    const target = matrix.targets[0]!;
    await synth(matrix, orderedOptions);
    expect(renders).toHaveLength(4);
    // index.json records the input hash, whose sorted keys make it independent of the order.
    const index = JSON.parse(await readFile(join(dir, 'generated/index.json'), 'utf8')) as {
      files: Record<string, { inputHash: string }>;
    };
    const canonical = inputHash(ordered, inputOf(target));
    expect(index.files[`o/${target.id}.json`]!.inputHash).toBe(canonical);
    const recorded = async () =>
      (await logRecords()).filter((record) => record.key === target.id).map((record) => record.quickKey);
    const asFirstBuilt = quickInputKey(ordered, inputOf(target));
    expect(await recorded()).toEqual([asFirstBuilt]);
    // The same data in another order: found by the input hash, nothing rendered or written, and recorded
    // again with the new order's quick key.
    keyOrder = 'apps first';
    renders = [];
    const reordered = await synth(matrixWith('1.1.0'), orderedOptions);
    expect(reordered.written).toBe(false);
    expect(renders).toEqual([]);
    const asBuiltNow = quickInputKey(ordered, inputOf(target));
    expect(asBuiltNow).not.toBe(asFirstBuilt);
    expect(inputHash(ordered, inputOf(target))).toBe(canonical);
    expect(await recorded()).toEqual([asFirstBuilt, asBuiltNow]);
    // From then on it is found by the quick key: nothing appended.
    const before = (await readFile(logOf())).length;
    expect(await synth(matrixWith('1.1.0'), orderedOptions)).toMatchObject({ written: false });
    expect((await readFile(logOf())).length).toBe(before);
    expect(renders).toEqual([]);
    // A changed input is neither: rendered, with its own input hash.
    const changed = await synth(matrixWith('1.2.0'), orderedOptions);
    expect(renders).toEqual(['dev/aws/us-east-1/main']);
    expect(changed.changed).toEqual(['index.json', 'o/dev/aws/us-east-1/main.json']);
  });

  it('is loaded once for synths that share a session (synth --watch), again once another process wrote it', async () => {
    const loads = vi.spyOn(DiskRenderCache, 'load');
    const session: SynthSession = {};
    await synth(matrixWith('1.1.0'), { ...options(), session });
    await synth(matrixWith('1.2.0'), { ...options(), session });
    expect(loads).toHaveBeenCalledTimes(1);
    // Saved after each: a synth of its own renders nothing.
    renders = [];
    await synth(matrixWith('1.2.0'), options());
    expect(renders).toEqual([]);
    // Another process renders a change and appends it to the log: the session loads the log again and
    // takes that render instead of rendering it once more.
    await synth(matrixWith('1.3.0'), options());
    expect(renders).toEqual(['dev/aws/us-east-1/main']);
    renders = [];
    await synth(matrixWith('1.3.0'), { ...options(), session });
    expect(renders).toEqual([]);
    expect(loads).toHaveBeenCalledTimes(4);
    loads.mockRestore();
  });

  it('treats entries from other renderer code, and damaged entries, as misses', async () => {
    await synth(matrixWith('1.1.0'), options());
    const other = await DiskRenderCache.load(renderDir(), 'another fingerprint');
    const scopes = ['dev/aws/us-east-1/main', 'prod/aws/eu-west-1/main'];
    expect(scopes.map((scope) => other.get('counting', scope, 'x', scope))).toEqual([undefined, undefined]);
    const [first, ...rest] = await rawRecords();
    await writeRecords([`{not json${first!.slice(1)}`, ...rest]);
    renders = [];
    await synth(matrixWith('1.1.0'), options());
    expect(renders).toHaveLength(1);
    // The damaged record is garbage: the full synth rewrote the log without it.
    expect(await keysOf('counting')).toHaveLength(4);
    expect(await logRecords()).toHaveLength(4);
  });

  it('misses only the unit whose record a killed run left half-written', async () => {
    await synth(matrixWith('1.1.0'), options());
    const text = await readFile(logOf(), 'utf8');
    await writeFile(logOf(), text.slice(0, text.length - 40));
    renders = [];
    await synth(matrixWith('1.1.0'), options());
    expect(renders).toHaveLength(1);
  });

  it('is never trusted by synth --check: a tampered entry is reported as stale', async () => {
    await synth(matrixWith('1.1.0'), options());
    const text = await readFile(logOf(), 'utf8');
    await writeFile(logOf(), text.replace('ghcr.io/acme/api:1.1.0', 'ghcr.io/evil/api:6.6.6'));
    // The output folder's own cache: a fresh generated/ is rendered from the tampered entries.
    await rm(join(dir, 'generated'), { recursive: true });
    await synth(matrixWith('1.1.0'), options());
    const check = await checkGenerated(matrixWith('1.1.0'), {
      outDir: join(dir, 'generated'),
      generators: [counting],
    });
    expect(check.ok).toBe(false);
    expect(check.stale).toEqual(['t/dev/aws/us-east-1/main.json']);
  });

  it('keeps one entry per unit key, so units sharing a scope are cached apart', async () => {
    const perAppOptions = { ...options(), generators: [perApp] };
    await synth(matrixWith('1.1.0'), perAppOptions);
    expect(renders).toHaveLength(8);
    expect(await keysOf('per-app')).toHaveLength(8);
    renders = [];
    const result = await synth(matrixWith('1.2.0'), perAppOptions);
    expect(renders).toEqual(['dev/aws/us-east-1/main/api']);
    expect(result.changed).toEqual(['a/dev/aws/us-east-1/main/api.json', 'index.json']);
  });

  it('appends a changed unit to the log, and rewrites the log once most of it is dead', async () => {
    const perAppOptions = { ...options(), generators: [perApp] };
    await synth(matrixWith('1.1.0'), perAppOptions);
    const before = await readFile(logOf(), 'utf8');
    await synth(matrixWith('1.2.0'), perAppOptions);
    const after = await readFile(logOf(), 'utf8');
    // The earlier records are left as they were: one record more, for the unit that rendered again.
    expect(after.startsWith(before)).toBe(true);
    expect(await logRecords()).toHaveLength(9);
    for (const tag of ['1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.7.0', '1.8.0', '1.9.0'])
      await synth(matrixWith(tag), perAppOptions);
    // Eight live entries and eight dead records: not yet more dead than live.
    expect(await logRecords()).toHaveLength(16);
    await synth(matrixWith('1.10.0'), perAppOptions);
    // The ninth dead record: rewritten whole, one record per unit.
    expect(await logRecords()).toHaveLength(8);
    expect(new Set(await keysOf('per-app')).size).toBe(8);
    renders = [];
    await synth(matrixWith('1.10.0'), perAppOptions);
    expect(renders).toEqual([]);
  });

  it('a full synth keeps only the entries it used; --only and other output folders keep theirs', async () => {
    // Four targets, two apps each: a unit per app instance.
    const perAppOptions = { ...options(), generators: [perApp] };
    await synth(matrixWith('1.1.0'), perAppOptions);
    await synth(matrixWith('1.1.0'), { ...perAppOptions, outDir: join(dir, 'other') });
    expect(await keysOf('per-app')).toHaveLength(8);
    // The worker app leaves the matrix: its four units are gone.
    const apiOnly: Generator = {
      ...perApp,
      units: (matrix) => perApp.units(matrix).filter((unit) => unit.key!.endsWith('/api')),
    };
    // --only plans the selection's units alone: it cannot tell garbage from the rest, and keeps it all.
    await synth(matrixWith('1.1.0'), {
      ...perAppOptions,
      generators: [apiOnly],
      only: 'dev',
      allowRemovals: true,
    });
    expect(await keysOf('per-app')).toHaveLength(8);
    renders = [];
    await synth(matrixWith('1.1.0'), { ...perAppOptions, generators: [apiOnly], allowRemovals: true });
    expect(renders).toEqual([]);
    expect(await keysOf('per-app')).toEqual([
      'dev/aws/us-east-1/main/api',
      'prod/aws/eu-west-1/main/api',
      'prod/gcp/europe-west1/main/api',
      'prod/onprem/dc1/main/api',
    ]);
    expect(await logRecords()).toHaveLength(4);
    // The other output folder's entries are its own.
    expect(await keysOf('per-app', join(dir, 'other'))).toHaveLength(8);
  });

  it('the stat cache holds the files of the last synth only', async () => {
    const perAppOptions = { ...options(), generators: [perApp] };
    await synth(matrixWith('1.1.0'), perAppOptions);
    const apiOnly: Generator = {
      ...perApp,
      units: (matrix) => perApp.units(matrix).filter((unit) => unit.key!.endsWith('/api')),
    };
    await synth(matrixWith('1.1.0'), { ...perAppOptions, generators: [apiOnly], allowRemovals: true });
    const recorded = JSON.parse(
      await readFile(statCacheFile(join(dir, 'cache'), join(dir, 'generated')), 'utf8'),
    ) as { files: Record<string, unknown> };
    expect(Object.keys(recorded.files).sort()).toEqual([
      'a/dev/aws/us-east-1/main/api.json',
      'a/prod/aws/eu-west-1/main/api.json',
      'a/prod/gcp/europe-west1/main/api.json',
      'a/prod/onprem/dc1/main/api.json',
      // index.json too, so the up-to-date check (up-to-date.ts) can vouch for the whole tree unread.
      'index.json',
    ]);
  });

  it('drops entries by older renderer code, and a generator no longer run', async () => {
    await synth(matrixWith('1.1.0'), { ...options(), generators: [counting, perApp] });
    const records = await rawRecords();
    const first = records.findIndex((record) => record.startsWith('{"generator":"counting"'));
    records[first] = records[first]!.replace(/"fingerprint":"[^"]*"/, '"fingerprint":"older code"');
    await writeRecords(records);
    renders = [];
    await synth(matrixWith('1.1.0'), { ...options(), generators: [counting, perApp] });
    expect(renders).toHaveLength(1);
    expect(await keysOf('counting')).toHaveLength(4);
    expect(await logRecords()).toHaveLength(12);
    await synth(matrixWith('1.1.0'), { ...options(), generators: [perApp], allowRemovals: true });
    expect(new Set((await logRecords()).map((record) => record.generator))).toEqual(new Set(['per-app']));
  });

  it('fingerprints every layer a renderer can import, the matrix layer (pins schema) included', async () => {
    const src = join(dir, 'src');
    for (const layer of RENDERER_SOURCE_DIRS)
      await cp(join(projectRoot, 'src', layer), join(src, layer), { recursive: true });
    const before = rendererFingerprint(src);
    // A copy elsewhere fingerprints like the checkout: names count relative to src/.
    expect(before).toBe(rendererFingerprint());
    // pins.ts shapes releases.schema.json, which the schema generator writes.
    await writeFile(join(src, 'matrix/pins.ts'), `${await readFile(join(src, 'matrix/pins.ts'), 'utf8')}\n`);
    const afterPins = rendererFingerprint(src);
    expect(afterPins).not.toBe(before);
    await writeFile(join(src, 'core/compare.ts'), '// changed\n');
    expect(rendererFingerprint(src)).not.toBe(afterPins);
  });

  it('refuses a generator whose units share a key, which would swap their renders', () => {
    const clashing: Generator = {
      ...perApp,
      units: (matrix) => perApp.units(matrix).map((unit) => ({ ...unit, key: unit.scope })),
    };
    expect(() => compose(matrixWith('1.1.0'), { generators: [clashing] })).toThrow(
      '[per-app] dev/aws/us-east-1/main: two units have the key "dev/aws/us-east-1/main"\n' +
        '    fix: give every unit of the generator its own GeneratorUnit.key',
    );
  });
});

/** A file of the unit `key` of generator "g", rendered with input hash "h1". */
const fileOf = (key: string, content: string, extra: Partial<RenderedFile> = {}): RenderedFile => ({
  path: `out/${key}.yaml`,
  content,
  generator: 'g',
  scope: 's',
  inputHash: 'h1',
  sha256: sha256(content),
  ...extra,
});
/** Non-ASCII of one, two and three bytes, and four-byte characters (two JS string units each). */
const NON_ASCII = 'name: café\nlabel: "日本語 — ü"\nemoji: 🚀🎉\n';
const NEWLINES = '\n\n---\r\nkey: |\n  line\n\n\n  \n';
/** A content that holds a NUL and what looks like a record of its own. */
const LOOKALIKE =
  'a: 1\n\u0000{"generator":"g","key":"fake","fingerprint":"fp","inputHash":"h1","files":[]}\n\n';
const units: Record<string, RenderedFile[]> = {
  a: [fileOf('a', LOOKALIKE), fileOf('a2', '', { app: 'api' })],
  b: [fileOf('b', NEWLINES, { generator: 'other-generator', inputHash: 'h0' })],
  c: [fileOf('c', NON_ASCII), fileOf('c2', `${NON_ASCII}${NEWLINES}`, { app: 'wörker' })],
};

/** The units saved to an empty log with fingerprint "fp", in order a, b, c. */
async function saveUnits(keys = Object.keys(units)): Promise<void> {
  const cache = await DiskRenderCache.load(renderDir(), 'fp');
  for (const key of keys) cache.set('g', 's', 'h1', units[key]!, key);
  await cache.save();
}
/** What a fresh load with `fingerprint` returns for each unit. */
async function loaded(fingerprint = 'fp', keys = Object.keys(units)) {
  const cache = await DiskRenderCache.load(renderDir(), fingerprint);
  return Object.fromEntries(keys.map((key) => [key, cache.get('g', 's', 'h1', key)]));
}
const logPath = () => join(renderDir(), ENTRY_LOG);

describe('render cache log format', () => {
  it('round-trips non-ASCII, newline-rich and record-like contents, and non-ASCII names', async () => {
    const key = 'ünïcode/κλειδί';
    units[key] = [fileOf(key, NON_ASCII, { path: 'out/日本/values.yaml' })];
    try {
      await saveUnits();
      expect(await loaded()).toEqual(units);
      // The record-like content is content: its "fake" unit is not an entry.
      expect((await loaded('fp', ['fake'])).fake).toBeUndefined();
      // The metadata is ASCII: what is not is the contents, and they are raw.
      const text = await readFile(logPath(), 'utf8');
      expect(text).toContain(NON_ASCII);
      for (const line of text.split('\u0000').map((record) => record.split('\n')[0]!))
        expect(line).toMatch(/^[\x20-\x7e]*$/);
    } finally {
      delete units[key];
    }
  });

  it('misses only the torn last record, wherever a killed append cut it, and appends after it cleanly', async () => {
    await saveUnits();
    const bytes = await readFile(logPath());
    const lastStart = bytes.lastIndexOf(0);
    const metadataEnd = bytes.indexOf(0x0a, lastStart);
    // Inside "é" of c's first content: its first byte (0xc3) kept, the second cut.
    const insideChar = bytes.indexOf(Buffer.from('é'), metadataEnd) + 1;
    expect(bytes[insideChar - 1]).toBe(0xc3);
    const cuts = [lastStart + 1, lastStart + 30, metadataEnd, metadataEnd + 1, insideChar, bytes.length - 1];
    for (const cut of cuts) {
      await writeFile(logPath(), bytes.subarray(0, cut));
      const got = await loaded();
      expect(got, `cut at ${cut}`).toEqual({ a: units.a, b: units.b, c: undefined });
    }
    // After the last cut (the terminator missing), a save that renders c again cuts the torn bytes
    // off before appending: the log is whole again.
    const cache = await DiskRenderCache.load(renderDir(), 'fp');
    expect(cache.get('g', 's', 'h1', 'c')).toBeUndefined();
    cache.set('g', 's', 'h1', units.c!, 'c');
    await cache.save();
    expect(await readFile(logPath())).toEqual(bytes);
    expect(await loaded()).toEqual(units);
  });

  it('misses a damaged record in the middle, loads the ones after it, and drops it at the next rewrite', async () => {
    await saveUnits();
    const bytes = await readFile(logPath());
    const text = bytes.toString('latin1');
    const bStart = text.indexOf('\u0000{"generator":"g","key":"b"');
    const bLength = Buffer.byteLength(NEWLINES);
    const damages: Record<string, string> = {
      'metadata not JSON': `${text.slice(0, bStart + 1)}x${text.slice(bStart + 2)}`,
      'a length too long': text.replace(`"bytes":${bLength},`, `"bytes":${bLength + 1},`),
      'a content cut short': text.replace('key: |\n  line', 'key: |\n line'),
      'a metadata field of the wrong type': text.replace(`"bytes":${bLength},`, `"bytes":"${bLength}",`),
      // NEWLINES starts with two line breaks: framing ends on the second, and no record follows it.
      'a length that ends on a line break': text.replace(
        `"bytes":${bLength},"length":${bLength}`,
        '"bytes":1,"length":1',
      ),
    };
    for (const [damage, damaged] of Object.entries(damages)) {
      expect(damaged, damage).not.toBe(text);
      await writeFile(logPath(), Buffer.from(damaged, 'latin1'));
      expect(await loaded(), damage).toEqual({ a: units.a, b: undefined, c: units.c });
    }
    // A byte of a multi-byte character changed, the byte count kept: it decodes to another length.
    const cStart = bytes.indexOf('\u0000{"generator":"g","key":"c"');
    const e = bytes.indexOf(Buffer.from('é'), cStart);
    const badChar = Buffer.from(bytes);
    badChar[e + 1] = 0x41;
    await writeFile(logPath(), badChar);
    expect(await loaded()).toEqual({ a: units.a, b: units.b, c: undefined });
    await writeFile(logPath(), Buffer.from(damages['metadata not JSON']!, 'latin1'));
    // A synth of everything (prune) rewrites the log without the damaged record.
    const cache = await DiskRenderCache.load(renderDir(), 'fp');
    for (const key of ['a', 'b', 'c']) cache.get('g', 's', 'h1', key);
    await cache.save({ prune: true });
    const log = decodeLog(await readFile(logPath()));
    expect(log.damaged).toBe(0);
    expect(log.records.map((record) => record.key)).toEqual(['a', 'c']);
  });

  it('misses the records of another fingerprint, and a prune drops them', async () => {
    await saveUnits();
    expect(await loaded('fp2')).toEqual({ a: undefined, b: undefined, c: undefined });
    const cache = await DiskRenderCache.load(renderDir(), 'fp2');
    cache.set('g', 's', 'h1', units.b!, 'b');
    await cache.save({ prune: true });
    expect(await loaded('fp2')).toEqual({ a: undefined, b: units.b, c: undefined });
    expect(decodeLog(await readFile(logPath())).records).toHaveLength(1);
  });

  it('appends a few records to the log as it is, and rewrites it when a prune finds garbage', async () => {
    await saveUnits(['a', 'b']);
    const before = await readFile(logPath());
    await saveUnits(['c']);
    const after = await readFile(logPath());
    expect(after.subarray(0, before.length)).toEqual(before);
    expect(await loaded()).toEqual(units);
    // A prune that used a and c only: b goes, the rest is rewritten in place.
    const cache = await DiskRenderCache.load(renderDir(), 'fp');
    cache.get('g', 's', 'h1', 'a');
    cache.get('g', 's', 'h1', 'c');
    await cache.save({ prune: true });
    expect(decodeLog(await readFile(logPath())).records.map((record) => record.key)).toEqual(['a', 'c']);
    expect(await loaded()).toEqual({ a: units.a, b: undefined, c: units.c });
  });

  /** A log holding only these entries, each once, written from scratch: its size is their live bytes. */
  async function liveLogOf(entries: Record<string, RenderedFile[]>): Promise<Buffer> {
    const other = await mkdtemp(join(tmpdir(), 'envmatrix-live-'));
    try {
      const cache = await DiskRenderCache.load(other, 'fp');
      for (const [key, files] of Object.entries(entries)) cache.set('g', 's', 'h1', files, key);
      await cache.save();
      return await readFile(join(other, ENTRY_LOG));
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }
  /** Sets `changes` in a freshly loaded cache and saves: one synth that rendered these units again. */
  async function saveChanges(changes: Record<string, RenderedFile[]>): Promise<void> {
    const cache = await DiskRenderCache.load(renderDir(), 'fp');
    for (const [key, files] of Object.entries(changes)) cache.set('g', 's', 'h1', files, key);
    await cache.save();
  }
  const logSize = async () => (await readFile(logPath())).length;

  it('rewrites the log once its dead bytes outweigh the live ones, however few its dead records', async () => {
    // Like a pin bump at fleet scale: one unit with large contents (a fleet report) renders again on
    // every change, beside many small units that stay; each change appends many bytes in one record.
    const live: Record<string, RenderedFile[]> = {};
    for (let i = 0; i < 20; i++) live[`small-${i}`] = [fileOf(`small-${i}`, `replicas: ${i}\n`)];
    // Multi-byte contents too: a rewrite copies the loaded records' bytes as they are.
    live.c = units.c!;
    const report = (n: number) => [
      fileOf('report', `# Fleet ${String(n).padStart(3, '0')}\n${'x'.repeat(20_000)}\n`),
    ];
    live.report = report(0);
    await saveChanges(live);
    const liveBytes = (await liveLogOf(live)).length;
    expect(await logSize()).toBe(liveBytes);
    // Every report has the same size: each change appends the same record, or rewrites to liveBytes.
    const recordBytes = (await liveLogOf({ report: report(0) })).length;
    const sizes: number[] = [];
    for (let n = 1; n <= 12; n++) {
      const before = await logSize();
      live.report = report(n);
      await saveChanges({ report: live.report });
      const after = await logSize();
      sizes.push(after);
      // Appended while the log stays within twice its live bytes; rewritten to the live bytes alone
      // when appending would take it past that.
      expect(after, `change ${n}`).toBe(
        before + recordBytes > 2 * liveBytes ? liveBytes : before + recordBytes,
      );
      expect(after, `change ${n}`).toBeLessThanOrEqual(2 * liveBytes);
    }
    // 21 small units (~6 KB) beside a ~20 KB report: every second change rewrites (the record
    // rule, dead records > live ones, would wait for the 22nd change: the log would be 13 reports by now).
    expect(sizes.filter((size) => size === liveBytes)).toHaveLength(6);
    expect(await loaded('fp', Object.keys(live))).toEqual(live);
    // The last change rewrote the log: byte for byte the log of these entries written from scratch.
    expect(await readFile(logPath())).toEqual(await liveLogOf(live));
  });

  it('still rewrites the log once most of its records are dead, however few its dead bytes', async () => {
    // A large unit that stays, and small ones that change: the dead records outnumber the live ones
    // long before their bytes outweigh the large unit's.
    const live: Record<string, RenderedFile[]> = { big: [fileOf('big', 'y'.repeat(20_000))] };
    for (const key of ['a', 'b', 'c']) live[key] = [fileOf(key, `${key}: 0\n`)];
    await saveChanges(live);
    const liveBytes = (await liveLogOf(live)).length;
    for (let n = 1; n <= 4; n++) {
      await saveChanges({ a: [fileOf('a', `a: ${n}\n`)] });
      // Four live entries: the fourth dead record is not yet more, the fifth is.
      expect(decodeLog(await readFile(logPath())).records, `change ${n}`).toHaveLength(4 + n);
    }
    live.a = [fileOf('a', 'a: 5\n')];
    await saveChanges({ a: live.a });
    expect(decodeLog(await readFile(logPath())).records).toHaveLength(4);
    expect(await logSize()).toBe(liveBytes);
    expect(await loaded('fp', Object.keys(live))).toEqual(live);
  });

  it('ignores a temporary log a killed rewrite left, and replaces it at the next rewrite', async () => {
    await saveUnits();
    const bytes = await readFile(logPath());
    // A rewrite killed before its rename: the log is the old one, whole; the tmp file is not read.
    await writeFile(`${logPath()}.tmp`, bytes.subarray(0, 100));
    expect(await loaded()).toEqual(units);
    const cache = await DiskRenderCache.load(renderDir(), 'fp');
    cache.get('g', 's', 'h1', 'a');
    cache.get('g', 's', 'h1', 'c');
    await cache.save({ prune: true });
    await expect(access(`${logPath()}.tmp`)).rejects.toThrow('ENOENT');
    expect(await loaded()).toEqual({ a: units.a, b: undefined, c: units.c });
  });

  it('never reads an old-format log (a JSON line per unit), and removes it when it saves', async () => {
    const oldLog = join(renderDir(), OLD_ENTRY_LOG);
    await saveUnits([]);
    const line = { generator: 'g', key: 'a', fingerprint: 'fp', inputHash: 'h1', files: units.a };
    await writeFile(oldLog, `${JSON.stringify(line)}\n`);
    // Nor the old format under the new name.
    await writeFile(logPath(), `${JSON.stringify(line)}\n`);
    const cache = await DiskRenderCache.load(renderDir(), 'fp');
    expect(cache.get('g', 's', 'h1', 'a')).toBeUndefined();
    cache.set('g', 's', 'h1', units.b!, 'b');
    await cache.save();
    await expect(access(oldLog)).rejects.toThrow('ENOENT');
    expect(await loaded()).toEqual({ a: undefined, b: units.b, c: undefined });
    expect(decodeLog(await readFile(logPath())).damaged).toBe(0);
  });
});
