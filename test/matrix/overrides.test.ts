/** Finding 8 (issue 11): an override for an app on clusters the app never runs on passed silently. */
import { describe, expect, it } from 'vitest';
import { defineApp } from '../../src/matrix/index.ts';
import { fixtureApps, fixtureMatrix } from '../support/matrix-fixture.ts';
import { problemsWithFix } from '../support/problems.ts';

describe('overrides (finding 8)', () => {
  it('finding 8: rejects an override whose app is never placed on the clusters it selects', () => {
    const [api] = fixtureApps();
    // worker runs on AWS only, so an override of worker on gcp changes nothing.
    const worker = defineApp({
      name: 'worker',
      image: 'ghcr.io/acme/worker',
      replicas: 2,
      dependsOn: ['api'],
      placement: { include: [{ cloud: 'aws' }] },
    });
    const matrix = fixtureMatrix({
      apps: [api!, worker],
      overrides: [
        { cloud: 'gcp', app: 'worker', set: { replicas: 3 } },
        { env: 'prod', app: 'worker', set: { replicas: 3 } },
      ],
    });
    expect(problemsWithFix(matrix)).toEqual([
      '[overrides[0] {cloud: gcp, app: worker}] "worker" is placed on none of the clusters it selects (prod/gcp/europe-west1/main) | select a cluster worker runs on (dev/aws/us-east-1/main, prod/aws/eu-west-1/main), or change worker\'s placement',
    ]);
  });
});
