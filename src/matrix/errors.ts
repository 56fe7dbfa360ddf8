/** The model's errors: the matrix is invalid (every problem at once, each with path, source and fix). */
import { EnvmatrixError } from '../core/errors.ts';

/** One problem in the matrix, found by validation. */
export interface MatrixIssue {
  /** Matrix path: `prod/aws/us-east-1/main/api`, `environments.prod.promotesTo`, `releases/prod.json apps.api`. */
  readonly path: string;
  /** What is wrong, with the offending value. */
  readonly message: string;
  /** Where it was written, when known (`src/apps/api.ts:5`). */
  readonly source?: string;
  /** What to do about it. */
  readonly fix: string;
  /** A warning is reported but does not stop synth. @default 'error' */
  readonly severity?: 'error' | 'warning';
}

export function formatIssue(issue: MatrixIssue): string {
  const where = issue.source ? ` (${issue.source})` : '';
  return `[${issue.path}] ${issue.message}${where}\n    fix: ${issue.fix}`;
}

/** The matrix is invalid; `issues` lists every problem found, not just the first. */
export class MatrixError extends EnvmatrixError {
  override readonly name = 'MatrixError';
  constructor(readonly issues: readonly MatrixIssue[]) {
    super(
      `The matrix has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n` +
        issues.map((issue) => `  ${formatIssue(issue).replace(/\n/g, '\n  ')}`).join('\n'),
    );
  }
}
