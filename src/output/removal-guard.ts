/**
 * The mass-deletion guard. Argo CD and Flux delete what disappears from git, so a matrix edit that
 * drops most of an environment's deployments (a renamed cluster, a placement typo) is refused unless
 * the user says --allow-removals.
 */
import { RemovalGuardError } from '../matrix/errors.ts';
import type { GeneratedIndex } from './index-file.ts';

export const DEFAULT_REMOVAL_THRESHOLD = 0.3;

/** `env → set of "target/app"` for every deployment (file with an app) in the index. */
function deploymentsByEnv(index: GeneratedIndex): Map<string, Set<string>> {
  const byEnv = new Map<string, Set<string>>();
  for (const entry of Object.values(index.files)) {
    if (entry.app === undefined || entry.scope === '*') continue;
    const env = entry.scope.split('/')[0]!;
    const set = byEnv.get(env) ?? new Set<string>();
    set.add(`${entry.scope}/${entry.app}`);
    byEnv.set(env, set);
  }
  return byEnv;
}

/** Throw RemovalGuardError when any environment would lose more than `threshold` of its deployments. */
export function checkRemovals(
  previous: GeneratedIndex | undefined,
  next: GeneratedIndex,
  threshold: number,
): void {
  if (!previous) return;
  const before = deploymentsByEnv(previous);
  const after = deploymentsByEnv(next);
  const removals = [...before]
    .map(([env, deployments]) => {
      const removed = [...deployments].filter((d) => !after.get(env)?.has(d)).sort();
      return { env, kind: 'app deployments', removed, share: removed.length / deployments.size };
    })
    .filter((r) => r.share > threshold);
  if (removals.length > 0) throw new RemovalGuardError(removals, threshold);
}
