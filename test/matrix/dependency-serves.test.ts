/**
 * A dependsOn edge opens only the ports the dependency `serves` (issue 13). An edge to an app that has
 * ports but serves none used to open nothing without a word: the dependant's calls were dropped by the
 * NetworkPolicy at run time. It is a load-time error with path, source and fix; an app without ports
 * stays a valid order-only dependency.
 */
import { describe, expect, it } from 'vitest';
import { defineApp } from '../../src/matrix/index.ts';
import { fixtureApps, fixtureMatrix } from '../support/matrix-fixture.ts';
import { issuesOf, problems } from '../support/problems.ts';

const [api, worker] = fixtureApps();

describe('dependsOn edges need served ports', () => {
  it('rejects an edge to an app with ports that serves none, once per target, naming the dependant file', () => {
    const apps = [{ ...api!, serves: undefined }, worker!];
    const issues = issuesOf(fixtureMatrix({ apps }));
    expect(issues.map((issue) => issue.path)).toEqual([
      'dev/aws/us-east-1/main/worker',
      'prod/aws/eu-west-1/main/worker',
      'prod/gcp/europe-west1/main/worker',
      'prod/onprem/dc1/main/worker',
    ]);
    expect(issues[0]).toEqual({
      path: 'dev/aws/us-east-1/main/worker',
      message: 'depends on "api", which serves none of its ports (http) here, so the edge opens no port',
      source: worker!.source,
      fix: `add serves: ['http'] (the ports dependants call) to "api", or remove "api" from dependsOn`,
    });
  });

  it('judges serves per target: an override that empties it is caught where it applies', () => {
    const matrix = fixtureMatrix({ overrides: [{ env: 'dev', app: 'api', set: { serves: [] } }] });
    expect(problems(matrix)).toEqual([
      '[dev/aws/us-east-1/main/worker] depends on "api", which serves none of its ports (http) here, so the edge opens no port',
    ]);
  });

  it('accepts an order-only edge to an app without ports', () => {
    const cron = defineApp({ name: 'cron', image: 'ghcr.io/acme/cron', replicas: 2, dependsOn: ['worker'] });
    expect(
      problems(fixtureMatrix({ apps: [api!, worker!, cron] }), undefined).filter((p) =>
        p.includes('depends on'),
      ),
    ).toEqual([]);
  });
});
