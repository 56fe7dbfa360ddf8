/**
 * Finding 3 (issue 11): misspelt fields passed `validate` and `synth` because only `tsc` saw them.
 * Each define helper's objects are now strict: an unknown key is a problem with a "did you mean" and
 * the file:line of the helper call. The casts below stand for a user who never runs `tsc`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  aws,
  azure,
  blueGreen,
  canary,
  defineApp,
  defineMatrix,
  gcp,
  onprem,
  rolling,
} from '../../src/matrix/index.ts';
import type { AppSpec, ClusterOptions, MatrixSpec } from '../../src/matrix/types.ts';
import { closest } from '../../src/matrix/validation/suggest.ts';
import { fixtureApps, fixtureMatrix } from '../support/matrix-fixture.ts';
import { issuesOf, problemsWithFix } from '../support/problems.ts';

const THIS_FILE = 'test/matrix/schema.test.ts';
const lines = readFileSync(THIS_FILE, 'utf8').split('\n');
/** `file:line` of the line in this file that carries `marker`, as the define helpers record it. */
const at = (marker: string): string => `${THIS_FILE}:${lines.findIndex((l) => l.includes(marker)) + 1}`;
const untyped = <T>(value: unknown): T => value as T;

describe('strict schemas (finding 3)', () => {
  it('finding 3: defineApp rejects `replica`, naming replicas and the defineApp line', () => {
    const [api] = fixtureApps();
    const worker = defineApp(
      untyped<AppSpec>({ name: 'worker', image: 'w', replica: 2, dependsOn: ['api'] }),
    );
    const issues = issuesOf(fixtureMatrix({ apps: [api!, worker] }));
    expect(issues[0]).toEqual({
      path: 'apps.worker',
      message: 'unknown field "replica" (did you mean "replicas"?)',
      source: at('const worker = defineApp('),
      fix: 'rename "replica" to "replicas"',
    });
  });

  it('finding 3: defineApp rejects unknown keys in nested values and placement', () => {
    const app = defineApp(
      untyped<AppSpec>({
        name: 'api',
        image: 'x',
        replicas: 2,
        resources: { cpu: '1', memroy: '1Gi' },
        probes: { readyness: '/ready' },
        placement: { exclude: [{ clud: 'gcp' }] },
      }),
    );
    const [, worker] = fixtureApps();
    expect(problemsWithFix(fixtureMatrix({ apps: [app, worker!] })).slice(0, 3)).toEqual([
      '[apps.api.resources] unknown field "memroy" (did you mean "memory"?) | rename "memroy" to "memory"',
      '[apps.api.probes] unknown field "readyness" (did you mean "readiness"?) | rename "readyness" to "readiness"',
      '[apps.api.placement.exclude[0]] unknown field "clud" (did you mean "cloud"?) | rename "clud" to "cloud"',
    ]);
  });

  it('finding 3: the strategy helpers (rolling, canary, blueGreen) reject unknown options', () => {
    const apps = [
      defineApp({ name: 'a', image: 'a', replicas: 2, strategy: rolling(untyped({ maxSurg: 1 })) }),
      defineApp({
        name: 'b',
        image: 'b',
        replicas: 2,
        strategy: canary(untyped({ steps: [100], pause: '1m', pauses: '2m' })),
      }),
      defineApp({ name: 'c', image: 'c', replicas: 2, strategy: blueGreen(untyped({ autopromote: true })) }),
    ];
    expect(problemsWithFix(fixtureMatrix({ apps })).filter((p) => p.includes('unknown field'))).toEqual([
      '[apps.a.strategy] unknown field "maxSurg" (did you mean "maxSurge"?) | rename "maxSurg" to "maxSurge"',
      '[apps.b.strategy] unknown field "pauses" (did you mean "pause"?) | rename "pauses" to "pause"',
      '[apps.c.strategy] unknown field "autopromote" (did you mean "autoPromote"?) | rename "autopromote" to "autoPromote"',
    ]);
  });

  it('finding 3: each cluster helper (aws, gcp, azure, onprem) rejects unknown options at its call', () => {
    const options = untyped<ClusterOptions>({ wav: 1 });
    const clusters = [
      aws('prod', 'eu-west-1', options),
      gcp('prod', 'europe-west1', options),
      azure('prod', 'westeurope', options),
      onprem(
        'prod',
        'dc1',
        untyped<ClusterOptions>({ zones: ['a', 'b', 'c'], jurisdiction: 'eu', engin: 'flux' }),
      ),
    ];
    const issues = issuesOf(fixtureMatrix({ clusters: [aws('dev', 'us-east-1'), ...clusters] })).filter((i) =>
      i.message.startsWith('unknown field'),
    );
    expect(issues.map((i) => `[${i.path}] ${i.message} (${i.source})`)).toEqual([
      `[clusters[1] prod/aws/eu-west-1/main] unknown field "wav" (did you mean "wave"?) (${at('      aws(')})`,
      `[clusters[2] prod/gcp/europe-west1/main] unknown field "wav" (did you mean "wave"?) (${at('      gcp(')})`,
      `[clusters[3] prod/azure/westeurope/main] unknown field "wav" (did you mean "wave"?) (${at('      azure(')})`,
      `[clusters[4] prod/onprem/dc1/main] unknown field "engin" (did you mean "engine"?) (${at('      onprem(')})`,
    ]);
  });

  it('finding 3: defineMatrix rejects unknown keys in overrides, environments, policies and the matrix', () => {
    const spec = untyped<MatrixSpec>({
      repo: { url: 'https://github.com/acme/platform.git', brnch: 'main' },
      environments: {
        dev: { promotesTo: 'prod', reviewer: { teams: ['sre'] } },
        prod: {
          policy: {
            minReplicas: 2,
            minZones: 3,
            requireDigest: true,
            minreplicas: 3,
            freeze: [{ cron: '0 16 * * FRI', duration: '64h', timezone: 'UTC' }],
          },
        },
      },
      clusters: fixtureMatrix().clusters,
      apps: fixtureApps(),
      overrides: [
        { env: 'prod', app: 'api', set: { scalling: { min: 4, max: 8 } } },
        { enviroment: 'prod', set: {} },
      ],
      overides: [],
    });
    const matrix = defineMatrix(spec);
    const issues = issuesOf(matrix).filter((i) => i.message.startsWith('unknown field'));
    expect(issues.map((i) => `[${i.path}] ${i.message}`)).toEqual([
      '[repo] unknown field "brnch" (did you mean "branch"?)',
      '[environments.dev] unknown field "reviewer" (did you mean "reviewers"?)',
      '[environments.prod.policy.freeze[0]] unknown field "timezone" (did you mean "timeZone"?)',
      '[environments.prod.policy] unknown field "minreplicas" (did you mean "minReplicas"?)',
      '[overrides[0].set] unknown field "scalling" (did you mean "scaling"?)',
      '[overrides[1]] unknown field "enviroment"',
      '[matrix] unknown field "overides" (did you mean "overrides"?)',
    ]);
    expect(new Set(issues.map((i) => i.source))).toEqual(new Set([at('const matrix = defineMatrix(spec)')]));
  });

  it('suggests only close words', () => {
    expect(closest('replica', ['replicas', 'resources'])).toBe('replicas');
    expect(closest('colour', ['cpu', 'memory'])).toBeUndefined();
  });
});
