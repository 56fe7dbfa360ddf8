/** Where each generator writes under generated/: one place, so generators that point at each other agree. */
import type { ResolvedTarget } from '../matrix/types.ts';

/** `k8s/<env>/<cloud>/<region>/<cluster>/<app>`: rendered manifests plus kustomization.yaml. */
export function k8sAppDir(target: Pick<ResolvedTarget, 'id'>, app: string): string {
  return `k8s/${target.id}/${app}`;
}

/** `argocd/<env>`: the environment's AppProject, ApplicationSet(s) and bootstrap Application. */
export function argocdEnvDir(env: string): string {
  return `argocd/${env}`;
}

/** `flux/<env>/<cloud>/<region>/<cluster>`: what `flux bootstrap --path` points at. */
export function fluxClusterDir(target: ResolvedTarget): string {
  return `flux/${target.id}`;
}

/**
 * `terraform/<scope>`: a Terraform stack's folder. The scope is `<env>/<cloud>/…`, laid out by the
 * cloud's plugin (AWS: `<env>/aws/<region>`).
 */
export function terraformStackDir(scope: string): string {
  return `terraform/${scope}`;
}

/** Path of a generated file as the delivery engines see it in the repository. */
export function repoPath(generatedPath: string): string {
  return `generated/${generatedPath}`;
}
