/** Structure, overrides: each names a known app, and its selector matches some cluster. */
import type { MatrixIssue } from '../errors.ts';
import type { ValidationInput } from './rule.ts';
import { describeSelector, SELECTOR_FIX, selectorProblem } from './selectors.ts';

export function validateOverrides({ matrix }: ValidationInput): MatrixIssue[] {
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
  });
  return issues;
}
