/**
 * Scheduled apps: a CronJob (cdk8s-plus-28) whose pods are the app's pods as a Deployment would run
 * them (same labels, ServiceAccount, config, secret mounts and hardening), so the app's NetworkPolicy,
 * Service and ExternalSecrets apply to each run unchanged. The cron and zone go through verbatim: the
 * matrix validates them as Kubernetes reads them (src/matrix/validation/calendar.ts).
 * https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/
 */
import { ApiObject, Cron, Duration, JsonPatch, kplus } from './cdk8s.ts';
import type { Construct } from 'constructs';
import type { Schedule } from '../../matrix/types.ts';
import { canonicalJson, sha256 } from '../../core/canonical.ts';
import { cdk8sContributor } from './chart.ts';
import { metaOf, type AppContext } from './context.ts';
import { appObjectName, configMapName } from './names.ts';
import {
  CDK8S_ADDRESS_LABEL,
  CONFIG_HASH_ANNOTATION,
  container,
  resources,
  type BatchRun,
} from './workload.ts';

/**
 * A run may start this long after its time (the controller was down, a node was short): cdk8s-plus's
 * 10s default would skip a nightly run for a brief controller restart.
 */
export const STARTING_DEADLINE_SECONDS = 300;

const POLICIES: Record<NonNullable<Schedule['concurrencyPolicy']>, kplus.ConcurrencyPolicy> = {
  Allow: kplus.ConcurrencyPolicy.ALLOW,
  Forbid: kplus.ConcurrencyPolicy.FORBID,
  Replace: kplus.ConcurrencyPolicy.REPLACE,
};

/** The pod-level settings every pod of the app shares, whatever controller runs it. */
export interface PodSettings {
  readonly serviceAccount: kplus.IServiceAccount;
  readonly configMap?: kplus.IConfigMap;
}

/**
 * The ServiceAccount and ConfigMap the workload contributor renders for every app, by name: a Job's
 * pods use the app's own.
 */
export function appPodSettings(scope: Construct, ctx: AppContext): PodSettings {
  const { app } = ctx;
  return {
    serviceAccount: kplus.ServiceAccount.fromServiceAccountName(
      scope,
      'app-service-account',
      appObjectName(app),
    ),
    ...(Object.keys(app.values.config).length > 0 && {
      configMap: kplus.ConfigMap.fromConfigMapName(scope, 'app-config-map', configMapName(app)),
    }),
  };
}

export const cronJobContributor = cdk8sContributor({
  name: 'cron-job',
  build: (chart, ctx) => {
    const { schedule } = ctx.app.values;
    if (schedule) addCronJob(chart, ctx, schedule, appPodSettings(chart, ctx));
  },
});

export function addCronJob(
  scope: Construct,
  ctx: AppContext,
  schedule: Schedule,
  pod: PodSettings,
): kplus.CronJob {
  const { app } = ctx;
  const cronJob = new kplus.CronJob(scope, 'cron-job', {
    metadata: metaOf(ctx, appObjectName(app)),
    // Replaced verbatim below: cdk8s's Cron builds from fields and cannot take `@daily`.
    schedule: Cron.daily(),
    timeZone: schedule.timeZone ?? 'UTC',
    concurrencyPolicy: POLICIES[schedule.concurrencyPolicy ?? 'Forbid'],
    startingDeadline: Duration.seconds(STARTING_DEADLINE_SECONDS),
    ...jobPod(scope, ctx, pod, ctx.labels, { ...(schedule.command && { command: schedule.command }) }),
  });
  ApiObject.of(cronJob).addJsonPatch(
    JsonPatch.replace('/spec/schedule', schedule.cron),
    ...jobPodPatches('/spec/jobTemplate/spec/template', ctx),
  );
  return cronJob;
}

/** The pod of a Job the app runs (a CronJob's runs, a migration): the app's pod settings, batch container. */
export function jobPod(
  scope: Construct,
  ctx: AppContext,
  pod: PodSettings,
  labels: Readonly<Record<string, string>>,
  run: BatchRun,
): Pick<
  kplus.JobProps,
  'podMetadata' | 'serviceAccount' | 'automountServiceAccountToken' | 'securityContext' | 'containers'
> {
  return {
    podMetadata: {
      labels: { ...labels },
      annotations: { [CONFIG_HASH_ANNOTATION]: sha256(canonicalJson(ctx.app.values.config)) },
    },
    serviceAccount: pod.serviceAccount,
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true },
    containers: [container(scope, ctx, pod.configMap, { batch: true, ...run })],
  };
}

/** cdk8s-plus's construct-path label off, and the resources verbatim (see workload.ts addDeployment). */
export function jobPodPatches(template: string, ctx: AppContext): JsonPatch[] {
  return [
    JsonPatch.remove(`${template}/metadata/labels/${CDK8S_ADDRESS_LABEL.replace('/', '~1')}`),
    JsonPatch.add(`${template}/spec/containers/0/resources`, resources(ctx)),
  ];
}
