/**
 * Dependency levels: an app with no dependencies is level 0, any other app one more than its deepest
 * dependency. Apps of one level may sync together; a level starts once every lower level is healthy.
 */
import type { ResolvedApp } from '../../matrix/types.ts';

/**
 * Level of every app in `apps`. Dependencies outside `apps` are ignored (validation already reports a
 * dependency that is not placed beside its dependent), and so is a cycle (also reported), so this
 * never loops.
 */
export function dependencyLevels(apps: readonly ResolvedApp[]): Map<string, number> {
  const byName = new Map(apps.map((app) => [app.name, app]));
  const levels = new Map<string, number>();
  const visiting = new Set<string>();
  const level = (name: string): number => {
    const known = levels.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const deps = (byName.get(name)?.dependsOn ?? []).filter((dep) => byName.has(dep));
    const result = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(level));
    visiting.delete(name);
    levels.set(name, result);
    return result;
  };
  for (const app of apps) level(app.name);
  return levels;
}
