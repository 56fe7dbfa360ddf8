/**
 * The one way tests read validation problems: what `checkedMatrix` throws for a matrix, as issues or
 * as `[path] message` lines (with ` | fix` when the fix is asserted too). Sources are left out of the
 * lines because they carry line numbers of test files; tests that check a source read `issuesOf`.
 */
import { MatrixError, type MatrixIssue } from '../../src/matrix/errors.ts';
import { checkedMatrix } from '../../src/matrix/load.ts';
import type { MatrixDefinition, PinsByEnvironment } from '../../src/matrix/types.ts';
import { fixturePins } from './matrix-fixture.ts';

/** Every issue validation finds, in reporting order, or [] when the matrix is valid. */
export function issuesOf(matrix: MatrixDefinition, pins: PinsByEnvironment = fixturePins()): MatrixIssue[] {
  try {
    checkedMatrix(matrix, pins);
  } catch (error) {
    if (error instanceof MatrixError) return [...error.issues];
    throw error;
  }
  return [];
}

/** `[path] message` per issue. */
export function problems(matrix: MatrixDefinition, pins?: PinsByEnvironment): string[] {
  return issuesOf(matrix, pins).map((issue) => `[${issue.path}] ${issue.message}`);
}

/** `[path] message | fix` per issue. */
export function problemsWithFix(matrix: MatrixDefinition, pins?: PinsByEnvironment): string[] {
  return issuesOf(matrix, pins).map((issue) => `[${issue.path}] ${issue.message} | ${issue.fix}`);
}
