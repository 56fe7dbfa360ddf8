/**
 * What a person must still do once a promotion (or pin) PR is merged. Today: a blue-green app whose
 * Rollout does not auto-promote waits on its preview until someone promotes it, on every cluster
 * (Argo Rollouts: `kubectl argo rollouts promote <rollout>`,
 * https://argo-rollouts.readthedocs.io/en/stable/generated/kubectl-argo-rollouts/kubectl-argo-rollouts_promote/).
 */
import { argocdClusterName } from '../generators/argocd/names.ts';
import { appObjectName } from '../generators/k8s/names.ts';
import type { ResolvedApp, ResolvedEnvironment, ResolvedMatrix } from '../matrix/types.ts';
import type { ManualStep } from './types.ts';

/**
 * Whether Argo Rollouts switches an app's traffic on its own in `env`. The one place that decides it,
 * so an environment-level auto-promotion policy changes this function only.
 */
export function rolloutAutoPromotes({ app }: { env: ResolvedEnvironment; app: ResolvedApp }): boolean {
  const { strategy } = app.values;
  return strategy.kind !== 'blueGreen' || strategy.autoPromote === true;
}

/**
 * One step per app and target of `targetIds` that needs a manual promote, in target order, then app.
 * `--context` is the cluster's envmatrix name (what it is registered under in Argo CD).
 */
export function manualPromotions(
  resolved: ResolvedMatrix,
  envName: string,
  targetIds: readonly string[],
  apps: readonly string[],
): ManualStep[] {
  const env = resolved.environments.find((e) => e.name === envName);
  if (!env) return [];
  return resolved.targets
    .filter((target) => target.env === envName && targetIds.includes(target.id))
    .flatMap((target) =>
      target.apps
        .filter((app) => apps.includes(app.name) && !rolloutAutoPromotes({ env, app }))
        .map((app) => ({
          target: target.id,
          app: app.name,
          command: `kubectl argo rollouts promote ${appObjectName(app)} -n ${app.namespace} --context ${argocdClusterName(target)}`,
        })),
    );
}
