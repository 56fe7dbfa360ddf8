/**
 * The render cache reuses a unit's files while its input hash is unchanged, which is only sound if every
 * generator's output depends on nothing but the unit's input. This checks that contract for every
 * registered generator: across matrix edits, a unit whose input hash did not change renders the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { generators, inputHash, unitKey } from '../../src/generators/index.ts';
import { checkedMatrix, importMatrix, readPins } from '../../src/matrix/load.ts';
import type {
  AppDefinition,
  MatrixDefinition,
  PinsByEnvironment,
  ResolvedMatrix,
} from '../../src/matrix/types.ts';
import { serialize } from '../../src/generators/serialize.ts';
import { projectRoot } from '../support/tools.ts';

const definition = await importMatrix(projectRoot);
const { pins } = await readPins(projectRoot);

function bumpPin(all: PinsByEnvironment, env: string, app: string, tag: string): PinsByEnvironment {
  const envPins = all[env]!;
  return { ...all, [env]: { ...envPins, apps: { ...envPins.apps, [app]: { ...envPins.apps[app]!, tag } } } };
}

const variants: Record<string, { definition: MatrixDefinition; pins: PinsByEnvironment }> = {
  'a pin bumped in staging': { definition, pins: bumpPin(pins, 'staging', 'api', '1.5.1') },
  'a prod override changed': {
    definition: {
      ...definition,
      overrides: [
        ...(definition.overrides ?? []),
        { env: 'prod', app: 'worker', set: { scaling: { min: 4 } } },
      ],
    },
    pins,
  },
  'the repository branch changed': {
    definition: { ...definition, repo: { ...definition.repo, branch: 'release' } },
    pins,
  },
  // Other apps' NetworkPolicies name api's ports: their units must see the change.
  'the ports of an app others depend on changed': {
    definition: { ...definition, apps: withApp('api', { ports: { http: 8081, metrics: 9090 } }) },
    pins,
  },
  // Namespace ownership moves between apps.
  'an app moved into another app’s namespace': {
    definition: { ...definition, apps: withApp('worker', { namespace: 'api' }) },
    pins,
  },
  'a staging cluster removed': {
    definition: {
      ...definition,
      clusters: definition.clusters.filter((c) => !(c.env === 'staging' && c.cloud === 'gcp')),
    },
    pins,
  },
};

function withApp(name: string, change: Partial<AppDefinition>): AppDefinition[] {
  return definition.apps.map((app) => (app.name === name ? { ...app, ...change } : app));
}

/** Each generator's units by key (several units may share a scope). */
function renderAll(matrix: ResolvedMatrix) {
  return generators.map((generator) => ({
    generator,
    units: new Map(
      generator
        .units(matrix)
        .map((unit) => [unitKey(unit), { hash: inputHash(generator, unit.input), render: unit.render }]),
    ),
  }));
}

describe('every generator renders from its unit input alone', () => {
  const base = renderAll(checkedMatrix(definition, pins).resolved);
  for (const [name, variant] of Object.entries(variants)) {
    it(`after ${name}, units with an unchanged input hash render the same bytes`, () => {
      const changed = renderAll(checkedMatrix(variant.definition, variant.pins).resolved);
      let compared = 0;
      let differentHashes = 0;
      for (const [i, { generator, units }] of changed.entries()) {
        for (const [key, unit] of units) {
          const before = base[i]!.units.get(key);
          if (!before) continue;
          if (before.hash !== unit.hash) {
            differentHashes++;
            continue;
          }
          const bytes = (files: ReturnType<typeof unit.render>) =>
            files.map((f) => `${f.path}\n${serialize(f)}`);
          expect(bytes(unit.render()), `${generator.name} ${key}`).toEqual(bytes(before.render()));
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(0);
      // Each edit does change some input, or the test would prove nothing.
      expect(differentHashes).toBeGreaterThan(0);
    });
  }
});

describe('the k8s units of one app', () => {
  // api is one others depend on: their NetworkPolicies name it, but not its version.
  it('are the only k8s units whose input changes when that app’s pin is bumped in one environment', () => {
    const hashes = (matrix: ResolvedMatrix) => {
      const k8s = generators.find((generator) => generator.name === 'k8s')!;
      return new Map(k8s.units(matrix).map((unit) => [unitKey(unit), inputHash(k8s, unit.input)]));
    };
    const before = hashes(checkedMatrix(definition, pins).resolved);
    const after = hashes(checkedMatrix(definition, bumpPin(pins, 'staging', 'api', '1.5.1')).resolved);
    expect([...after.keys()]).toEqual([...before.keys()]);
    const changed = [...after].filter(([key, hash]) => before.get(key) !== hash).map(([key]) => key);
    expect(changed).toEqual(['k8s/staging/aws/us-east-1/main/api', 'k8s/staging/gcp/europe-west1/main/api']);
  });
});
