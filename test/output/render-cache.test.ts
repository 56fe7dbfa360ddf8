import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compose } from '../../src/generators/index.ts';
import type { Generator } from '../../src/generators/types.ts';
import { checkedMatrix } from '../../src/matrix/load.ts';
import { DiskRenderCache } from '../../src/output/render-cache.ts';
import { checkGenerated, synth } from '../../src/output/synth.ts';
import { fixtureMatrix, fixturePins } from '../support/matrix-fixture.ts';

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
    const cacheDir = join(dir, 'cache');
    const other = await DiskRenderCache.load(cacheDir, 'another fingerprint');
    const scopes = ['dev/aws/us-east-1/main', 'prod/aws/eu-west-1/main'];
    expect(scopes.map((scope) => other.get('counting', scope, 'x', scope))).toEqual([undefined, undefined]);
    const [first] = await readdir(join(cacheDir, 'counting'));
    await writeFile(join(cacheDir, 'counting', first!), '{not json');
    renders = [];
    await synth(matrixWith('1.1.0'), options());
    expect(renders).toHaveLength(1);
  });

  it('is never trusted by synth --check: a tampered entry is reported as stale', async () => {
    await synth(matrixWith('1.1.0'), options());
    const cacheDir = join(dir, 'cache', 'counting');
    for (const name of await readdir(cacheDir)) {
      const text = await readFile(join(cacheDir, name), 'utf8');
      await writeFile(join(cacheDir, name), text.replace('ghcr.io/acme/api:1.1.0', 'ghcr.io/evil/api:6.6.6'));
    }
    await synth(matrixWith('1.1.0'), { ...options(), outDir: join(dir, 'fresh') });
    const check = await checkGenerated(matrixWith('1.1.0'), {
      outDir: join(dir, 'fresh'),
      generators: [counting],
    });
    expect(check.ok).toBe(false);
    expect(check.stale).toEqual(['t/dev/aws/us-east-1/main.json']);
  });

  it('keeps one entry per unit key, so units sharing a scope are cached apart', async () => {
    const perAppOptions = { ...options(), generators: [perApp] };
    await synth(matrixWith('1.1.0'), perAppOptions);
    expect(renders).toHaveLength(8);
    expect(await readdir(join(dir, 'cache', 'per-app'))).toHaveLength(8);
    renders = [];
    const result = await synth(matrixWith('1.2.0'), perAppOptions);
    expect(renders).toEqual(['dev/aws/us-east-1/main/api']);
    expect(result.changed).toEqual(['a/dev/aws/us-east-1/main/api.json', 'index.json']);
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
