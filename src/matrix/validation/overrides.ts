/**
 * Structure, overrides: each names a known app, its selector matches some cluster, and an override for
 * one app selects at least one cluster that app is placed on (else it silently changes nothing).
 */
import type { MatrixIssue } from '../errors.ts';
import { selectorMatches } from '../placement.ts';
import type { ValidationInput } from './rule.ts';
import { describeSelector, SELECTOR_FIX, selectorProblem } from './selectors.ts';

export function validateOverrides({ matrix, resolved }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const apps = matrix.apps.map((app) => app.name);
  (matrix.overrides ?? []).forEach((override, index) => {
    const path = `overrides[${index}] ${describeSelector(override)}`;
    if (override.app !== undefined && !apps.includes(override.app)) {
      issues.push({
        path,
        message: `names unknown app "${override.app}"`,
        source: matrix.source,
        fix: `use one of: ${apps.join(', ')}`,
      });
    }
    const problem = selectorProblem(matrix, override);
    if (problem) issues.push({ path, message: problem, source: matrix.source, fix: SELECTOR_FIX });
    else if (override.app !== undefined && apps.includes(override.app)) {
      const app = override.app;
      const selected = resolved.targets.filter((target) => selectorMatches(override, target));
      if (!selected.some((target) => target.apps.some((placed) => placed.name === app))) {
        const placedOn = resolved.targets.filter((t) => t.apps.some((placed) => placed.name === app));
        issues.push({
          path,
          message: `"${app}" is placed on none of the clusters it selects (${selected.map((t) => t.id).join(', ')})`,
          source: matrix.source,
          fix:
            placedOn.length > 0
              ? `select a cluster ${app} runs on (${placedOn.map((t) => t.id).join(', ')}), or change ${app}'s placement`
              : `${app} is placed on no cluster; change its placement, or remove the override`,
        });
      }
    }
  });
  return issues;
}
