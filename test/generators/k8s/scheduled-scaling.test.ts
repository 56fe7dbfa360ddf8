/**
 * Scheduled scaling (issue 13, "Scaling is a CPU HPA only"): `scaling.schedules` renders a KEDA
 * ScaledObject with a cron trigger per window and a CPU trigger, instead of the HPA (never both); the
 * windows are layered (explain) and validated at load: min ≤ max, crons Kubernetes reads, known zones.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { explain } from '../../../src/matrix/explain.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import type { MatrixDefinition, ScalingWindow } from '../../../src/matrix/types.ts';
import { crdsAvailable, validateAgainstCrd } from '../../support/crd-validate.ts';
import { issuesOf } from '../../support/problems.ts';
import {
  objectAt,
  objectsIn,
  problemsOf,
  renderValid,
  threeEnvMatrix,
  threeEnvPins,
  withApp,
} from './helpers.ts';

const PROD = 'k8s/prod/aws/eu-west-1/main';
const crds = crdsAvailable();
const BUSINESS_HOURS: ScalingWindow = {
  start: '0 8 * * MON-FRI',
  end: '0 18 * * MON-FRI',
  min: 4,
  timeZone: 'Europe/Berlin',
};

function scheduled(
  windows: readonly ScalingWindow[] = [BUSINESS_HOURS],
  change: Partial<MatrixDefinition> = {},
) {
  const base = threeEnvMatrix();
  return threeEnvMatrix({
    apps: withApp('worker', { replicas: undefined, scaling: { min: 2, max: 10, schedules: windows } }),
    overrides: [
      ...(base.overrides ?? []).filter((o) => o.app !== 'worker'),
      { env: 'dev', app: 'worker', set: { scaling: { min: 1 } } },
      { env: 'prod', app: 'worker', set: { scaling: { min: 3, max: 12 } } },
    ],
    ...change,
  });
}

describe('scheduled scaling', () => {
  const files = renderValid(scheduled(), threeEnvPins());
  const scaledObject = objectAt(files, `${PROD}/worker/ScaledObject/worker`);

  it('renders a ScaledObject with cron and CPU triggers, and no HPA (reviewed snapshot)', async () => {
    await expect(stringify(scaledObject)).toMatchFileSnapshot('__snapshots__/scaledobject-worker.yaml');
    expect(scaledObject.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
      minReplicaCount: 3,
      maxReplicaCount: 12,
      triggers: [
        {
          type: 'cron',
          metadata: {
            timezone: 'Europe/Berlin',
            start: '0 8 * * MON-FRI',
            end: '0 18 * * MON-FRI',
            desiredReplicas: '4',
          },
        },
        { type: 'cpu', metricType: 'Utilization', metadata: { value: '70' } },
      ],
    });
    const kinds = [...objectsIn(files, `${PROD}/worker`).keys()];
    expect(kinds).not.toContain('HorizontalPodAutoscaler/worker');
    // KEDA owns the count, as the HPA would: the Deployment has no fixed replicas to fight it.
    expect(objectAt(files, `${PROD}/worker/Deployment/worker`).spec?.replicas).toBeUndefined();
    // Apps without windows keep their HPA, and get no ScaledObject.
    expect(objectsIn(files, `${PROD}/api`).has('HorizontalPodAutoscaler/api')).toBe(true);
    expect(objectsIn(files, `${PROD}/api`).has('ScaledObject/api')).toBe(false);
  });

  it.skipIf(!crds.available)('passes the strict walk against the official KEDA ScaledObject CRD', () => {
    expect(validateAgainstCrd(scaledObject)).toEqual([]);
    // A canary app scales its Rollout.
    const api = renderValid(
      threeEnvMatrix({ apps: withApp('api', { scaling: { min: 2, max: 10, schedules: [BUSINESS_HOURS] } }) }),
      threeEnvPins(),
    );
    const rollout = objectAt(api, 'k8s/dev/aws/us-east-1/main/api/ScaledObject/api');
    expect(validateAgainstCrd(rollout)).toEqual([]);
    expect(rollout.spec?.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'api',
    });
  });

  it('explain names the layer of the windows and of the bounds KEDA gets', () => {
    const { resolved } = checkedMatrix(scheduled(), threeEnvPins());
    const { chains } = explain(resolved, 'prod/aws/eu-west-1/main', 'worker', 'scaling');
    expect(chains.map((c) => [c.path, c.steps.map((s) => s.layer)])).toEqual([
      ['scaling.max', ['app', 'environment']],
      ['scaling.min', ['app', 'environment']],
      ['scaling.schedules', ['app']],
    ]);
  });

  it('rejects windows that break min ≤ max, bad crons, equal ends and unknown zones, naming the layer', () => {
    const windows: ScalingWindow[] = [
      { ...BUSINESS_HOURS, min: 11 },
      { start: '0 25 * * *', end: '0 25 * * *', min: 0, timeZone: 'Europe/Paris ' },
    ];
    expect(problemsOf(scheduled(windows), threeEnvPins()).filter((p) => p.startsWith('[dev/'))).toEqual([
      "[dev/aws/us-east-1/main/worker] scaling.schedules[0].min 11 > scaling.max 10 | lower the window's min to 10 or less, or raise scaling.max",
      '[dev/aws/us-east-1/main/worker] scaling.schedules[1].start "0 25 * * *" Invalid value for hour: 25 | write five fields, e.g. "0 7 * * MON-FRI"',
      '[dev/aws/us-east-1/main/worker] scaling.schedules[1].end "0 25 * * *" Invalid value for hour: 25 | write five fields, e.g. "0 7 * * MON-FRI"',
      '[dev/aws/us-east-1/main/worker] scaling.schedules[1] starts and ends at the same time ("0 25 * * *") | give the window an end that differs from its start (KEDA rejects equal ones)',
      '[dev/aws/us-east-1/main/worker] scaling.schedules[1].min 0 is not a whole number ≥ 1 | set min to 1 or more',
      '[dev/aws/us-east-1/main/worker] scaling.schedules[1] unknown time zone "Europe/Paris " | use an IANA zone such as Europe/Berlin or UTC',
    ]);
    // An override that lowers max below a window's min is the layer to change.
    const lowered = issuesOf(
      scheduled([BUSINESS_HOURS], {
        overrides: [{ env: 'staging', app: 'worker', set: { scaling: { max: 3 } } }],
      }),
      threeEnvPins(),
    ).filter((i) => i.path.startsWith('staging/') && i.path.endsWith('/worker'));
    expect(lowered.map((i) => `${i.message} @ ${i.source}`)).toEqual([
      `scaling.schedules[0].min 4 > scaling.max 3 @ ${threeEnvMatrix().source} (overrides[0])`,
    ]);
  });
});
