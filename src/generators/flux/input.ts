/**
 * What a Flux cluster's files are made from: everything they depend on, and nothing else, so the unit's
 * input hash changes exactly when the files can.
 */
import { durationSeconds } from '../../matrix/duration.ts';
import type { ResolvedApp, ResolvedEnvironment, ResolvedTarget } from '../../matrix/types.ts';
import { WORKLOAD_FOLDER } from '../migration-order.ts';
import { k8sAppDir, repoPath } from '../paths.ts';

/** The object whose health gates an app: what the k8s generator names `<app>` in the app's namespace. */
export interface Workload {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

export interface FluxAppInput {
  readonly name: string;
  /** Repository path of the app's rendered manifests. */
  readonly path: string;
  readonly dependsOn: readonly string[];
  readonly workload: Workload;
  /** Time a healthy release needs beyond the apply: the canary's pauses. */
  readonly rolloutSeconds: number;
  /**
   * For an app with a migration: its folder, applied first (`<app>-base`: what the Job needs), then the
   * migration folder (`migrate/`, awaited), then `path`, the workload's folder (migration-order.ts).
   */
  readonly migration?: { readonly basePath: string; readonly path: string };
}

export interface FluxTargetInput {
  readonly target: string;
  readonly env: string;
  readonly intervalSeconds: number;
  /** Non-secret cluster values for `postBuild.substitute`. */
  readonly substitute: Readonly<Record<string, string>>;
  /** Sorted by name. */
  readonly apps: readonly FluxAppInput[];
}

/** Rolling apps are Deployments; canary and blue-green apps are Argo Rollouts; scheduled apps CronJobs. */
export function workloadOf(app: ResolvedApp): Workload {
  if (app.values.schedule)
    return { apiVersion: 'batch/v1', kind: 'CronJob', name: app.name, namespace: app.namespace };
  const rollout = app.values.strategy.kind !== 'rolling';
  return {
    apiVersion: rollout ? 'argoproj.io/v1alpha1' : 'apps/v1',
    kind: rollout ? 'Rollout' : 'Deployment',
    name: app.name,
    namespace: app.namespace,
  };
}

/**
 * Seconds a canary spends paused: one pause after each step short of 100%. Blue-green without
 * autoPromote waits for a person, which no timeout can cover; it counts as 0 and the health check
 * reports the wait.
 */
export function rolloutSeconds(app: ResolvedApp): number {
  const strategy = app.values.strategy;
  if (strategy.kind !== 'canary') return 0;
  const pauses = strategy.steps.filter((weight) => weight < 100).length;
  return pauses * (durationSeconds(strategy.pause) ?? 0);
}

/** The values every app on the cluster may reference as `${cluster_…}` in its manifests. */
export function clusterSubstitutions(target: ResolvedTarget): Record<string, string> {
  return {
    cluster_cloud: target.cloud,
    cluster_env: target.env,
    cluster_id: target.id,
    cluster_jurisdiction: target.jurisdiction,
    cluster_kubernetes_version: target.kubernetesVersion,
    cluster_name: target.cluster,
    cluster_region: target.region,
    cluster_wave: String(target.wave),
    cluster_zones: target.zones.join(','),
  };
}

export function fluxTargetInput(target: ResolvedTarget, env: ResolvedEnvironment): FluxTargetInput {
  return {
    target: target.id,
    env: target.env,
    intervalSeconds: env.policy.reconcileIntervalSeconds,
    substitute: clusterSubstitutions(target),
    apps: target.apps.map((app) => {
      const folder = `./${repoPath(k8sAppDir(target, app.name))}`;
      return {
        name: app.name,
        // The app folder's composition puts the workload in its own folder (app-folder.ts), and the
        // migration contributor the Job in `migrate/` (k8s/migration.ts MIGRATION_FOLDER).
        path: app.values.migrate ? `${folder}/${WORKLOAD_FOLDER}` : folder,
        dependsOn: app.dependsOn,
        workload: workloadOf(app),
        rolloutSeconds: rolloutSeconds(app),
        ...(app.values.migrate && { migration: { basePath: folder, path: `${folder}/migrate` } }),
      };
    }),
  };
}
