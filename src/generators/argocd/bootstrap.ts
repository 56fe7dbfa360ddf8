/**
 * The bootstrap Application (app of apps) of an environment: it syncs `generated/argocd/<env>` — the
 * AppProjects, the ApplicationSet and itself — into Argo CD. Its children are ApplicationSets, whose
 * health Argo CD assesses out of the box, not Applications, whose health check Argo CD 1.8 removed.
 */
import { argocdEnvDir, repoPath } from '../paths.ts';
import { SYNC_RETRY } from './application-set.ts';
import type { ArgoEnvironmentInput } from './input.ts';
import {
  API_VERSION,
  ARGOCD_NAMESPACE,
  bootstrapApplicationName,
  bootstrapProjectName,
  commonLabels,
  IN_CLUSTER_SERVER,
} from './names.ts';

/** The files of `generated/argocd/<env>/`, in the order the kustomization lists them. */
export const ENV_FILES = {
  bootstrapProject: 'bootstrap-project.yaml',
  appsProject: 'project.yaml',
  applicationSet: 'applicationset.yaml',
  bootstrap: 'bootstrap.yaml',
} as const;

export function bootstrapApplication(input: ArgoEnvironmentInput): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'Application',
    metadata: {
      name: bootstrapApplicationName(input.env),
      namespace: ARGOCD_NAMESPACE,
      labels: commonLabels(input.env),
    },
    spec: {
      project: bootstrapProjectName(input.env),
      source: {
        repoURL: input.repoUrl,
        targetRevision: input.branch,
        path: repoPath(argocdEnvDir(input.env)),
      },
      destination: { server: IN_CLUSTER_SERVER, namespace: ARGOCD_NAMESPACE },
      syncPolicy: {
        ...(input.sync === 'automated' && { automated: { prune: true, selfHeal: true } }),
        retry: SYNC_RETRY,
      },
    },
  };
}

/** `kubectl apply -k generated/argocd/<env>` bootstraps the environment; Argo CD builds it the same way. */
export function envKustomization(): unknown {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: Object.values(ENV_FILES),
  };
}
