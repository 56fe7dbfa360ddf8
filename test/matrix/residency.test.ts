/** `placement.residency`, written as one jurisdiction or as a list: both are read the same way. */
import { describe, expect, it } from 'vitest';
import { residencyOf } from '../../src/matrix/placement.ts';
import type { Jurisdiction } from '../../src/matrix/regions.ts';
import { fixtureApps, fixtureMatrix } from '../support/matrix-fixture.ts';
import { issuesOf, problems } from '../support/problems.ts';

/** The fixture with api restricted to `residency` (dev is us-east-1; prod's three clusters are in the EU). */
function withApiResidency(residency: Jurisdiction | readonly Jurisdiction[]) {
  const [api, worker] = fixtureApps();
  return fixtureMatrix({ apps: [{ ...api!, placement: { residency } }, worker!] });
}

describe('residency', () => {
  it('reads one jurisdiction and a list alike', () => {
    expect(residencyOf({ placement: { residency: 'eu' } })).toEqual(['eu']);
    expect(residencyOf({ placement: { residency: ['eu', 'apac'] } })).toEqual(['eu', 'apac']);
    expect(residencyOf({ placement: {} })).toBeUndefined();
    expect(residencyOf({})).toBeUndefined();
  });

  it('rejects a region outside every jurisdiction of a list, naming them all, the app file and the fix', () => {
    const matrix = withApiResidency(['eu', 'apac']);
    const issues = issuesOf(matrix);
    expect(issues).toEqual([
      {
        path: 'dev/aws/us-east-1/main/api',
        message: 'residency eu|apac forbids us-east-1 (us)',
        source: matrix.apps[0]!.source,
        fix: 'exclude dev/aws/us-east-1/main in placement, or allow us in placement.residency',
      },
    ]);
    expect(matrix.apps[0]!.source).toMatch(/^test\/support\/matrix-fixture\.ts:\d+$/);
  });

  it('accepts every region a list allows', () => {
    expect(problems(withApiResidency(['us', 'eu']))).toEqual([]);
  });

  it('rejects an unknown jurisdiction inside a list', () => {
    // A JavaScript caller, or a cast, gets past the compiler; validation still names it.
    const written: readonly string[] = ['eu', 'mars'];
    expect(problems(withApiResidency(written as readonly Jurisdiction[]))).toEqual([
      '[apps.api.placement.residency] unknown jurisdiction "mars"',
      '[dev/aws/us-east-1/main/api] residency eu|mars forbids us-east-1 (us)',
    ]);
  });
});
