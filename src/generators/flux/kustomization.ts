/**
 * One Flux Kustomization per app on a Flux cluster. It applies the app's rendered folder from the
 * GitRepository `flux bootstrap` created, prunes what leaves git, waits for the app's workload to be
 * healthy, and starts only after the apps it depends on are Ready.
 */
import {
  baseKustomizationName,
  FLUX_BOOTSTRAP_NAME,
  migrationKustomizationName,
} from '../../matrix/delivery-validation.ts';
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
  const dependsOn = [...app.dependsOn, ...(app.migration ? [migrationKustomizationName(app)] : [])];
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
 * version), which the API server would refuse to patch. It starts after `<app>-base` has applied what
 * the Job needs (its ServiceAccount, ConfigMap, Secrets), and after what the app depends on.
 */
export function migrationKustomization(input: FluxTargetInput, app: FluxAppInput): unknown {
  return supportKustomization(input, app, migrationKustomizationName(app), 'migration', {
    path: app.migration?.path,
    wait: true,
    force: true,
    dependsOn: [baseKustomizationName(app), ...app.dependsOn].map((name) => ({ name })),
  });
}

/**
 * The Kustomization of an app's folder without its workload: what the migration Job needs, applied
 * first and waited for (`wait: true`: an ExternalSecret is Ready once its Secret exists), with nothing
 * before it, so a new cluster never waits on the app it is creating.
 */
export function baseKustomization(input: FluxTargetInput, app: FluxAppInput): unknown {
  return supportKustomization(input, app, baseKustomizationName(app), 'base', {
    path: app.migration?.basePath,
    wait: true,
  });
}

function supportKustomization(
  input: FluxTargetInput,
  app: FluxAppInput,
  name: string,
  component: string,
  spec: Record<string, unknown>,
): unknown {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name,
      namespace: FLUX_NAMESPACE,
      labels: { ...labelsOf(input, app), 'app.kubernetes.io/component': component },
    },
    spec: {
      interval: fluxDuration(input.intervalSeconds),
      timeout: fluxDuration(Math.max(input.intervalSeconds, MIN_TIMEOUT_SECONDS)),
      sourceRef: { kind: 'GitRepository', name: FLUX_BOOTSTRAP_NAME },
      path: spec.path,
      prune: true,
      ...spec,
      postBuild: { substitute: input.substitute },
    },
  };
}

/** The folder's kustomization.yaml: every app Kustomization, and the base and migration ones, by name. */
export function appsKustomization(input: FluxTargetInput): unknown {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: input.apps.flatMap((app) => [
      `${app.name}.yaml`,
      ...(app.migration
        ? [`${baseKustomizationName(app)}.yaml`, `${migrationKustomizationName(app)}.yaml`]
        : []),
    ]),
  };
}
