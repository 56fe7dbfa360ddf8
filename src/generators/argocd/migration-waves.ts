/**
 * The order Argo CD applies an app with a migration in. Argo CD syncs phase by phase and, inside a
 * phase, wave by wave: it applies the lowest wave with anything out of sync or unhealthy, and moves on
 * only when that wave is healthy, a running hook Job counting as not yet healthy
 * (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/, "How Does It Work?").
 *
 * A PreSync hook would run before anything of the sync is applied, so on an app's first sync its Job
 * would wait forever for the ConfigMap and Secrets (ExternalSecrets) that come with the app. So the
 * migration is a Sync-phase hook in wave 0, applied together with the app's config, secrets,
 * ServiceAccount and policies, whose pod starts once they exist; what runs the new version (the
 * workload) and what points at it (its autoscaler) wait in wave 1 until the migration has succeeded.
 * An autoscaler in wave 0 would be Degraded (its target missing) and hold the sync forever.
 */

/** A Kubernetes object as plain data. */
interface KubeObject {
  readonly kind: string;
  readonly metadata: { readonly annotations?: unknown; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
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

/** The object, in the wave after the migration when it runs or scales the app's new version. */
export function afterMigration<T extends KubeObject>(object: T): T {
  if (!AFTER_MIGRATION_KINDS.has(object.kind)) return object;
  const annotations = (object.metadata.annotations ?? {}) as Record<string, string>;
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...annotations, [ARGOCD_SYNC_WAVE]: AFTER_MIGRATION_WAVE },
    },
  };
}
