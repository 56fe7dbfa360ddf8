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

/** Where loading a matrix file failed: the file (relative to the project root), line and column (1-based). */
export interface LoadLocation {
  readonly absolute: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/**
 * A matrix file could not be loaded: it does not parse, or its code threw. The message carries the
 * `file:line:column` and a code frame; the original error is the cause, and its stack is printed only
 * with `--verbose`.
 */
export class MatrixLoadError extends EnvmatrixError {
  override readonly name = 'MatrixLoadError';
  constructor(
    headline: string,
    readonly location: LoadLocation | undefined,
    frame: string,
    fix: string,
    cause: unknown,
  ) {
    super(frame ? `${headline}\n${frame}` : headline, { fix, cause });
    // `--verbose` prints this error's stack: make it the stack of what the matrix threw, not of the loader.
    if (cause instanceof Error && cause.stack) this.stack = cause.stack;
  }
}
