import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compose } from '../../src/generators/index.ts';
import type { Generator } from '../../src/generators/types.ts';
import { checkedMatrix } from '../../src/matrix/load.ts';
import {
  DiskRenderCache,
  ENTRY_LOG,
  renderCacheDir,
  rendererFingerprint,
  RENDERER_SOURCE_DIRS,
} from '../../src/output/render-cache.ts';
import { checkGenerated, synth } from '../../src/output/synth.ts';
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

beforeEach(async () => {
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
/** The log's lines, parsed. */
async function logLines(outDir?: string): Promise<{ generator: string; key: string; fingerprint: string }[]> {
  const text = await readFile(logOf(outDir), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { generator: string; key: string; fingerprint: string });
}
/** The unit keys of `generator`'s lines, sorted. */
const keysOf = async (generator: string, outDir?: string) =>
  (await logLines(outDir))
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

  it('treats entries from other renderer code, and damaged entries, as misses', async () => {
    await synth(matrixWith('1.1.0'), options());
    const other = await DiskRenderCache.load(renderDir(), 'another fingerprint');
    const scopes = ['dev/aws/us-east-1/main', 'prod/aws/eu-west-1/main'];
    expect(scopes.map((scope) => other.get('counting', scope, 'x', scope))).toEqual([undefined, undefined]);
    const [first, ...rest] = (await readFile(logOf(), 'utf8')).split('\n');
    await writeFile(logOf(), [`{not json${first!.slice(1, 20)}`, ...rest].join('\n'));
    renders = [];
    await synth(matrixWith('1.1.0'), options());
    expect(renders).toHaveLength(1);
    // The damaged line is garbage: the full synth rewrote the log without it.
    expect(await keysOf('counting')).toHaveLength(4);
    expect(await logLines()).toHaveLength(4);
  });

  it('misses only the unit whose line a killed run left half-written', async () => {
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
    // The earlier lines are left as they were: one line more, for the unit that rendered again.
    expect(after.startsWith(before)).toBe(true);
    expect(await logLines()).toHaveLength(9);
    for (const tag of ['1.3.0', '1.4.0', '1.5.0', '1.6.0', '1.7.0', '1.8.0', '1.9.0'])
      await synth(matrixWith(tag), perAppOptions);
    // Eight live entries and eight dead lines: not yet more dead than live.
    expect(await logLines()).toHaveLength(16);
    await synth(matrixWith('1.10.0'), perAppOptions);
    // The ninth dead line: rewritten whole, one line per unit.
    expect(await logLines()).toHaveLength(8);
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
    expect(await logLines()).toHaveLength(4);
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
    const lines = (await readFile(logOf(), 'utf8')).split('\n');
    const first = lines.findIndex((line) => line.includes('"generator":"counting"'));
    lines[first] = lines[first]!.replace(/"fingerprint":"[^"]*"/, '"fingerprint":"older code"');
    await writeFile(logOf(), lines.join('\n'));
    renders = [];
    await synth(matrixWith('1.1.0'), { ...options(), generators: [counting, perApp] });
    expect(renders).toHaveLength(1);
    expect(await keysOf('counting')).toHaveLength(4);
    expect(await logLines()).toHaveLength(12);
    await synth(matrixWith('1.1.0'), { ...options(), generators: [perApp], allowRemovals: true });
    expect(new Set((await logLines()).map((line) => line.generator))).toEqual(new Set(['per-app']));
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
