/** `placement.residency`, written as one jurisdiction or as a list: both are read the same way. */
import { describe, expect, it } from 'vitest';
import { explain } from '../../src/matrix/explain.ts';
import { checkedMatrix } from '../../src/matrix/load.ts';
import { absences, residencyOf } from '../../src/matrix/placement.ts';
import type { Jurisdiction } from '../../src/matrix/regions.ts';
import { fixtureApps, fixtureMatrix, fixturePins } from '../support/matrix-fixture.ts';
import { issuesOf, problems } from '../support/problems.ts';

/**
 * The fixture with api (and worker, which depends on it) restricted to `residency` (dev is us-east-1;
 * prod's three clusters are in the EU).
 */
function withApiResidency(residency: Jurisdiction | readonly Jurisdiction[]) {
  const [api, worker] = fixtureApps();
  return fixtureMatrix({
    apps: [
      { ...api!, placement: { residency } },
      { ...worker!, placement: { residency } },
    ],
  });
}

describe('residency', () => {
  it('reads one jurisdiction and a list alike', () => {
    expect(residencyOf({ placement: { residency: 'eu' } })).toEqual(['eu']);
    expect(residencyOf({ placement: { residency: ['eu', 'apac'] } })).toEqual(['eu', 'apac']);
    expect(residencyOf({ placement: {} })).toBeUndefined();
    expect(residencyOf({})).toBeUndefined();
  });

  it('finding 11: residency places: a cluster outside every listed jurisdiction is left out, not an error', () => {
    const matrix = withApiResidency(['eu', 'apac']);
    expect(issuesOf(matrix)).toEqual([]);
    const { resolved } = checkedMatrix(matrix, fixturePins());
    const placedOn = resolved.targets.filter((t) => t.apps.some((a) => a.name === 'api')).map((t) => t.id);
    expect(placedOn).toEqual([
      'prod/aws/eu-west-1/main',
      'prod/gcp/europe-west1/main',
      'prod/onprem/dc1/main',
    ]);
  });

  it('finding 11: explain and ls say why an app is absent', () => {
    const matrix = withApiResidency('eu');
    const { resolved } = checkedMatrix(matrix, fixturePins());
    expect(absences(matrix, resolved)).toEqual([
      { target: 'dev/aws/us-east-1/main', app: 'api', reason: 'residency eu excludes us-east-1 (us)' },
      { target: 'dev/aws/us-east-1/main', app: 'worker', reason: 'residency eu excludes us-east-1 (us)' },
    ]);
    expect(() => explain(resolved, 'dev/aws/us-east-1/main', 'api', 'replicas', matrix)).toThrow(
      'app "api" is not placed on dev/aws/us-east-1/main: residency eu excludes us-east-1 (us)',
    );
  });

  it('finding 11: selectors can name a jurisdiction', () => {
    const [api, worker] = fixtureApps();
    const matrix = fixtureMatrix({
      apps: [
        { ...api!, placement: { exclude: [{ jurisdiction: 'us' }] } },
        { ...worker!, placement: { exclude: [{ jurisdiction: 'us' }] } },
      ],
      overrides: [{ jurisdiction: 'eu', app: 'api', set: { scaling: { min: 3, max: 9 } } }],
    });
    const { resolved } = checkedMatrix(matrix, fixturePins());
    const api3 = resolved.targets.flatMap((t) =>
      t.apps.filter((a) => a.name === 'api').map((a) => `${t.id} ${a.values.scaling?.min}`),
    );
    expect(api3).toEqual([
      'prod/aws/eu-west-1/main 3',
      'prod/gcp/europe-west1/main 3',
      'prod/onprem/dc1/main 3',
    ]);
    const typo = fixtureMatrix({
      overrides: [{ jurisdiction: 'mars' as Jurisdiction, set: { replicas: 3 } }],
    });
    expect(problems(typo)).toEqual(['[overrides[0] {jurisdiction: mars}] names unknown jurisdiction "mars"']);
  });

  it('accepts every region a list allows', () => {
    expect(problems(withApiResidency(['us', 'eu']))).toEqual([]);
  });

  it('rejects an unknown jurisdiction inside a list', () => {
    // A JavaScript caller, or a cast, gets past the compiler; validation still names it.
    const written: readonly string[] = ['eu', 'mars'];
    expect(problems(withApiResidency(written as readonly Jurisdiction[]))).toEqual([
      '[apps.api.placement.residency] unknown jurisdiction "mars"',
      '[apps.worker.placement.residency] unknown jurisdiction "mars"',
    ]);
  });
});
