/**
 * What an environment's Argo CD files are made from: everything they depend on, and nothing else, so
 * the unit's input hash changes exactly when the files can.
 */
import { GeneratorError } from '../errors.ts';
import type { ResolvedEnvironment, ResolvedMatrix, ResolvedPolicy } from '../../matrix/types.ts';
import { k8sAppDir, repoPath } from '../paths.ts';
import { dependencyLevels } from './dependency-levels.ts';
import { applicationName, argocdClusterName } from './names.ts';

/** One Application the environment's ApplicationSet generates: one list element. */
export interface ApplicationEntry {
  /** Application name, e.g. `prod-aws-us-east-1-main-api`. */
  readonly name: string;
  readonly app: string;
  /** The target id, for messages; not part of the element. */
  readonly target: string;
  /** Destination cluster name as registered in Argo CD. */
  readonly cluster: string;
  readonly namespace: string;
  /** Repository path of the app's rendered manifests. */
  readonly path: string;
  /** The cluster's rollout wave. */
  readonly wave: number;
  /** Position of the app in its dependency order (0 = depends on nothing). */
  readonly dependencyLevel: number;
}

export interface ArgoEnvironmentInput {
  readonly env: string;
  readonly repoUrl: string;
  /** The branch Argo CD tracks for this environment. */
  readonly branch: string;
  readonly sync: ResolvedPolicy['sync'];
  readonly applicationsSync: ResolvedPolicy['applicationsSync'];
  /** In target order (wave, cloud, region, cluster), then by app name. */
  readonly applications: readonly ApplicationEntry[];
}

/** The input for `env`, or undefined when no cluster of the environment uses Argo CD. */
export function argoEnvironmentInput(
  matrix: ResolvedMatrix,
  env: ResolvedEnvironment,
): ArgoEnvironmentInput | undefined {
  const targets = matrix.targets.filter((t) => t.env === env.name && t.engine === 'argocd');
  if (targets.length === 0) return undefined;
  const clusterOwners = new Map<string, string>();
  for (const target of targets) {
    // Two ids can dash to one name only where an on-prem site or cluster name contains a dash.
    const name = argocdClusterName(target);
    const other = clusterOwners.get(name);
    if (other !== undefined) {
      throw new GeneratorError(
        'argocd',
        target.id,
        undefined,
        `its Argo CD cluster name "${name}" is also the name of ${other}`,
        'rename one of the two clusters (or on-prem sites) so their ids differ once "/" becomes "-"',
      );
    }
    clusterOwners.set(name, target.id);
  }
  const applications = targets.flatMap((target) => {
    const levels = dependencyLevels(target.apps);
    return target.apps.map((app): ApplicationEntry => ({
      name: applicationName(target, app.name),
      app: app.name,
      target: target.id,
      cluster: argocdClusterName(target),
      namespace: app.namespace,
      path: repoPath(k8sAppDir(target, app.name)),
      wave: target.wave,
      dependencyLevel: levels.get(app.name) ?? 0,
    }));
  });
  const appOwners = new Map<string, ApplicationEntry>();
  for (const entry of applications) {
    const other = appOwners.get(entry.name);
    if (other !== undefined) {
      throw new GeneratorError(
        'argocd',
        entry.target,
        entry.app,
        `its Application name "${entry.name}" is also the name of ${other.target}/${other.app}`,
        'rename one of the apps or clusters so that <cluster>-<app> names differ',
      );
    }
    appOwners.set(entry.name, entry);
  }
  return {
    env: env.name,
    repoUrl: matrix.repo.url,
    branch: env.branch,
    sync: env.policy.sync,
    applicationsSync: env.policy.applicationsSync,
    applications,
  };
}
