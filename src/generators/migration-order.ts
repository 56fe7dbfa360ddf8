/**
 * The order an app with a migration is applied in, on both engines: first what the migration Job needs
 * (namespace, ServiceAccount, ConfigMap, ExternalSecrets, policies, Service) together with the Job, then,
 * once the Job has succeeded, what runs the new version (the workload) and what scales it.
 *
 * - Argo CD syncs phase by phase and, inside a phase, wave by wave: it applies the lowest wave with
 *   anything out of sync or unhealthy and moves on only when that wave is healthy, a running hook Job
 *   counting as not yet healthy (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/, "How
 *   Does It Work?"). The migration is a Sync-phase hook in wave 0; the workload and its autoscaler are in
 *   wave 1. A PreSync hook would start before anything of the sync is applied, so on an app's first sync
 *   its Job would wait forever for the Secrets that come with the app. An autoscaler in wave 0 would be
 *   Degraded (its target missing) and hold the sync.
 * - Flux applies one Kustomization at a time per dependsOn edge: the app folder (everything else) is
 *   `<app>-base`, the Job's folder `<app>-migrate` depends on it and waits for the Job, and the workload
 *   folder, the app's own Kustomization, depends on the migration (flux/kustomization.ts).
 */

import { withAnnotation, type AnnotatableObject } from './annotate.ts';

/** A Kubernetes object as plain data. */
interface KubeObject extends AnnotatableObject {
  readonly kind: string;
}

export const ARGOCD_SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** The wave of what must wait for the migration: the new version's pods, and what scales them. */
export const AFTER_MIGRATION_WAVE = '1';
const AFTER_MIGRATION_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'Rollout',
  'CronJob',
  'HorizontalPodAutoscaler',
  'ScaledObject',
]);

/** On Flux clusters, the app folder's subfolder with what runs after the migration. */
export const WORKLOAD_FOLDER = 'workload';

/** Whether the object runs or scales the app's new version, and so must wait for its migration. */
export function runsAfterMigration(object: KubeObject): boolean {
  return AFTER_MIGRATION_KINDS.has(object.kind);
}

/** For Argo CD: the object, in the wave after the migration when it runs or scales the app's new version. */
export function afterMigration<T extends KubeObject>(object: T): T {
  return runsAfterMigration(object) ? withAnnotation(object, ARGOCD_SYNC_WAVE, AFTER_MIGRATION_WAVE) : object;
}
