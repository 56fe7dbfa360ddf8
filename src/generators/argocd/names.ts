/**
 * Names and labels of the Argo CD objects envmatrix writes. One Argo CD instance may serve several
 * environments, so every name carries the environment.
 */
import type { ResolvedTarget } from '../../matrix/types.ts';

/** The namespace Argo CD runs in; Applications, ApplicationSets and AppProjects live there. */
export const ARGOCD_NAMESPACE = 'argocd';

/** The API server of the cluster Argo CD runs in (Argo CD's built-in `in-cluster` destination). */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

export const API_VERSION = 'argoproj.io/v1alpha1';

/** Label keys on generated Applications; RollingSync steps select on the last two. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  env: 'envmatrix.io/env',
  app: 'envmatrix.io/app',
  wave: 'envmatrix.io/wave',
  dependencyLevel: 'envmatrix.io/dependency-level',
} as const;

/**
 * The name a cluster is registered under in Argo CD (`argocd cluster add <context> --name <this>`):
 * the target id with dashes, e.g. `prod-aws-us-east-1-main`.
 */
export function argocdClusterName(target: ResolvedTarget): string {
  return target.id.split('/').join('-');
}

/** `prod-aws-us-east-1-main-api`: one Application per cluster and app. */
export function applicationName(target: ResolvedTarget, app: string): string {
  return `${argocdClusterName(target)}-${app}`;
}

/** The AppProject that holds the environment's Applications. */
export function appsProjectName(env: string): string {
  return env;
}

/** The AppProject of the bootstrap Application: it may only write Argo CD objects into Argo CD. */
export function bootstrapProjectName(env: string): string {
  return `${env}-bootstrap`;
}

export function applicationSetName(env: string): string {
  return env;
}

export function bootstrapApplicationName(env: string): string {
  return `${env}-bootstrap`;
}

export function commonLabels(env: string): Record<string, string> {
  return { [LABELS.managedBy]: 'envmatrix', [LABELS.env]: env };
}
