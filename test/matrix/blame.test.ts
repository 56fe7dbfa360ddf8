/**
 * One reporter for app values: each problem's source is the layer that set the offending value (from
 * the resolver's provenance), so the fix goes where the value was written. On the old split, validate.ts
 * blamed the app file for every value, whatever override had set it.
 */
import { describe, expect, it } from 'vitest';
import { aws, canary, defineApp } from '../../src/matrix/index.ts';
import type { Override } from '../../src/matrix/types.ts';
import { fixtureApps, fixtureMatrix, fixturePins } from '../support/matrix-fixture.ts';
import { issuesOf } from '../support/problems.ts';

/** The fixture on its dev cluster only, with `overrides`; issues as [path, message, source]. */
function blamed(overrides: Override[], apps = fixtureApps()) {
  const matrix = fixtureMatrix({ clusters: [aws('dev', 'us-east-1')], apps, overrides });
  const devPins = Object.fromEntries(apps.map((app) => [app.name, { tag: '1.0.0' }]));
  const issues = issuesOf(matrix, fixturePins({ dev: devPins, prod: {} }));
  return { matrix, found: issues.map((i) => [i.path, i.message, i.source]) };
}

describe('app values name the layer that set them', () => {
  it('blames the override that pushed scaling.min above max, not the app file', () => {
    const { matrix, found } = blamed([{ env: 'dev', app: 'api', set: { scaling: { min: 9 } } }]);
    expect(found).toEqual([
      ['dev/aws/us-east-1/main/api', 'scaling.min 9 > scaling.max 6', `${matrix.source} (overrides[0])`],
    ]);
  });

  it('blames the app file when the app itself disagrees with itself', () => {
    const apps = [defineApp({ name: 'api', image: 'a', ports: { http: 80 }, scaling: { min: 4, max: 2 } })];
    const { found } = blamed([], apps);
    expect(found).toEqual([['dev/aws/us-east-1/main/api', 'scaling.min 4 > scaling.max 2', apps[0]!.source]]);
  });

  it('blames the most specific layer of a pair that disagrees', () => {
    const { matrix, found } = blamed([
      { cluster: 'main', app: 'api', set: { scaling: { max: 3 } } },
      { env: 'dev', app: 'api', set: { scaling: { min: 4 } } },
    ]);
    expect(found).toEqual([
      ['dev/aws/us-east-1/main/api', 'scaling.min 4 > scaling.max 3', `${matrix.source} (overrides[0])`],
    ]);
  });

  it('blames overrides for quantities, strategies, replicas and credentials they set', () => {
    const { matrix, found } = blamed([
      { cloud: 'aws', set: { resources: { cpu: 'lots' } } },
      { env: 'dev', app: 'api', set: { strategy: canary({ steps: [50, 20, 100], pause: '1m' }) } },
      { env: 'dev', app: 'worker', set: { replicas: -1, config: { API_TOKEN: 'x' } } },
    ]);
    const at = (index: number) => `${matrix.source} (overrides[${index}])`;
    expect(found).toEqual([
      ['dev/aws/us-east-1/main/api', 'resources.cpu "lots" is not a Kubernetes quantity', at(0)],
      [
        'dev/aws/us-east-1/main/api',
        'canary steps [50, 20, 100] must increase strictly from above 0 and end at 100',
        at(1),
      ],
      ['dev/aws/us-east-1/main/worker', 'replicas -1 < policy minimum 1', at(2)],
      ['dev/aws/us-east-1/main/worker', 'replicas -1 is not a whole number ≥ 0', at(2)],
      ['dev/aws/us-east-1/main/worker', 'resources.cpu "lots" is not a Kubernetes quantity', at(0)],
      ['dev/aws/us-east-1/main/worker', 'config key "API_TOKEN" looks like a credential', at(2)],
    ]);
  });

  it('blames the override that lowered replicas below the environment minimum', () => {
    const matrix = fixtureMatrix({ overrides: [{ env: 'prod', app: 'worker', set: { replicas: 1 } }] });
    const issues = issuesOf(matrix).filter((i) => i.message === 'replicas 1 < policy minimum 2');
    expect(issues.map((i) => [i.path, i.source])).toEqual(
      ['prod/aws/eu-west-1/main', 'prod/gcp/europe-west1/main', 'prod/onprem/dc1/main'].map((id) => [
        `${id}/worker`,
        `${matrix.source} (overrides[0])`,
      ]),
    );
  });
});
