/**
 * One Flux Kustomization per app on a Flux cluster. It applies the app's rendered folder from the
 * GitRepository `flux bootstrap` created, prunes what leaves git, waits for the app's workload to be
 * healthy, and starts only after the apps it depends on are Ready.
 */
import { FLUX_BOOTSTRAP_NAME } from '../../matrix/delivery-validation.ts';
import { fluxDuration } from './duration.ts';
import type { FluxAppInput, FluxTargetInput } from './input.ts';

/** The namespace Flux runs in, and where bootstrap puts its GitRepository. */
export const FLUX_NAMESPACE = 'flux-system';

/**
 * A health-check timeout never below 5m: Flux defaults it to the interval, and a rolling update of a
 * few replicas rarely finishes within a short interval.
 */
export const MIN_TIMEOUT_SECONDS = 300;

/**
 * Argo Rollouts keep `status.observedGeneration` as a string and set no `Ready` condition, which
 * kstatus (Flux's default health reader) cannot judge; these CEL rules (Flux ≥ 2.5) read the phase.
 */
export const ROLLOUT_HEALTH = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Rollout',
  current: "status.phase == 'Healthy'",
  failed: "status.phase == 'Degraded'",
} as const;

export function timeoutSeconds(input: FluxTargetInput, app: FluxAppInput): number {
  return Math.max(input.intervalSeconds, MIN_TIMEOUT_SECONDS) + app.rolloutSeconds;
}

/** The Kustomization that runs an app's migration: `<app>-migrate`. */
export function migrationKustomizationName(app: Pick<FluxAppInput, 'name'>): string {
  return `${app.name}-migrate`;
}

function labelsOf(input: FluxTargetInput, app: FluxAppInput): Record<string, string> {
  return {
    'app.kubernetes.io/managed-by': 'envmatrix',
    'envmatrix.io/env': input.env,
    'envmatrix.io/app': app.name,
  };
}

export function appKustomization(input: FluxTargetInput, app: FluxAppInput): unknown {
  const { workload } = app;
  // The app waits for its migration as for the apps it depends on.
  const dependsOn = [...app.dependsOn, ...(app.migrationPath ? [migrationKustomizationName(app)] : [])];
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: app.name, namespace: FLUX_NAMESPACE, labels: labelsOf(input, app) },
    spec: {
      interval: fluxDuration(input.intervalSeconds),
      timeout: fluxDuration(timeoutSeconds(input, app)),
      sourceRef: { kind: 'GitRepository', name: FLUX_BOOTSTRAP_NAME },
      path: app.path,
      prune: true,
      ...(dependsOn.length > 0 && { dependsOn: dependsOn.map((name) => ({ name })) }),
      // healthChecks, not `wait: true`: the CRD says wait makes the controller ignore healthChecks.
      healthChecks: [
        {
          apiVersion: workload.apiVersion,
          kind: workload.kind,
          name: workload.name,
          namespace: workload.namespace,
        },
      ],
      ...(workload.kind === ROLLOUT_HEALTH.kind && { healthCheckExprs: [ROLLOUT_HEALTH] }),
      postBuild: { substitute: input.substitute },
    },
  };
}

/**
 * The Kustomization of an app's migration folder, after Flux's pre-deployment jobs guide
 * (https://fluxcd.io/flux/use-cases/running-jobs/): `wait: true` makes it Ready only once the Job has
 * completed (kstatus reads a Job's Complete condition), so the app's Kustomization, which dependsOn it,
 * rolls out after the migration; `force: true` recreates the Job when its pod template changes (a new
 * version), which the API server would refuse to patch. It waits for what the app depends on too.
 */
export function migrationKustomization(input: FluxTargetInput, app: FluxAppInput): unknown {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: migrationKustomizationName(app),
      namespace: FLUX_NAMESPACE,
      labels: { ...labelsOf(input, app), 'app.kubernetes.io/component': 'migration' },
    },
    spec: {
      interval: fluxDuration(input.intervalSeconds),
      timeout: fluxDuration(Math.max(input.intervalSeconds, MIN_TIMEOUT_SECONDS)),
      sourceRef: { kind: 'GitRepository', name: FLUX_BOOTSTRAP_NAME },
      path: app.migrationPath,
      prune: true,
      wait: true,
      force: true,
      ...(app.dependsOn.length > 0 && { dependsOn: app.dependsOn.map((name) => ({ name })) }),
      postBuild: { substitute: input.substitute },
    },
  };
}

/** The folder's kustomization.yaml: every app Kustomization and migration Kustomization, by name. */
export function appsKustomization(input: FluxTargetInput): unknown {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: input.apps.flatMap((app) => [
      `${app.name}.yaml`,
      ...(app.migrationPath ? [`${migrationKustomizationName(app)}.yaml`] : []),
    ]),
  };
}
