/**
 * The environment's two AppProjects, the security boundary Argo CD enforces on every sync:
 *
 * - `<env>`: the Applications may come only from this repository and go only to the environment's
 *   clusters, each only into the namespaces of the apps placed there.
 * - `<env>-bootstrap`: the bootstrap Application may only write Argo CD's own objects into Argo CD's
 *   namespace. Kept apart so no app Application can target the `argocd` namespace.
 */
import { compareStrings } from '../../core/compare.ts';
import type { ArgoEnvironmentInput } from './input.ts';
import {
  API_VERSION,
  ARGOCD_NAMESPACE,
  appsProjectName,
  bootstrapProjectName,
  commonLabels,
  IN_CLUSTER_SERVER,
} from './names.ts';

/**
 * Bootstrap syncs these first (wave -1): an Application in a project that does not exist yet fails.
 * `Prune=false`: deleting a project is never worth the risk of an automated prune; a human does it.
 */
const PROJECT_ANNOTATIONS = {
  'argocd.argoproj.io/sync-wave': '-1',
  'argocd.argoproj.io/sync-options': 'Prune=false',
};

export function appsProject(input: ArgoEnvironmentInput): unknown {
  const destinations = new Map<string, { name: string; namespace: string }>();
  for (const entry of input.applications)
    destinations.set(`${entry.cluster}\0${entry.namespace}`, {
      name: entry.cluster,
      namespace: entry.namespace,
    });
  return {
    apiVersion: API_VERSION,
    kind: 'AppProject',
    metadata: {
      name: appsProjectName(input.env),
      namespace: ARGOCD_NAMESPACE,
      labels: commonLabels(input.env),
      annotations: PROJECT_ANNOTATIONS,
    },
    spec: {
      description: `${input.env}: the apps envmatrix places on the environment's Argo CD clusters`,
      sourceRepos: [input.repoUrl],
      destinations: [...destinations]
        .sort(([a], [b]) => compareStrings(a, b))
        .map(([, destination]) => destination),
      // CreateNamespace=true creates each app's namespace, and Argo CD checks that against this list.
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
    },
  };
}

export function bootstrapProject(input: ArgoEnvironmentInput): unknown {
  return {
    apiVersion: API_VERSION,
    kind: 'AppProject',
    metadata: {
      name: bootstrapProjectName(input.env),
      namespace: ARGOCD_NAMESPACE,
      labels: commonLabels(input.env),
      annotations: PROJECT_ANNOTATIONS,
    },
    spec: {
      description: `${input.env}: the bootstrap Application (app of apps) and the Argo CD objects it syncs`,
      sourceRepos: [input.repoUrl],
      destinations: [{ server: IN_CLUSTER_SERVER, namespace: ARGOCD_NAMESPACE }],
      // No clusterResourceWhitelist: a non-default project then allows no cluster-scoped kinds at all.
      namespaceResourceWhitelist: ['AppProject', 'ApplicationSet', 'Application'].map((kind) => ({
        group: 'argoproj.io',
        kind,
      })),
    },
  };
}
