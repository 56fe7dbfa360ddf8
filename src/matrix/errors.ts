/**
 * Every error envmatrix throws on purpose. Each carries the values involved and the next step for the
 * user; library code throws these, the CLI prints them and sets the exit code.
 */

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
}

export function formatIssue(issue: MatrixIssue): string {
  const where = issue.source ? ` (${issue.source})` : '';
  return `[${issue.path}] ${issue.message}${where}\n    fix: ${issue.fix}`;
}

/** The matrix is invalid; `issues` lists every problem found, not just the first. */
export class MatrixError extends Error {
  override readonly name = 'MatrixError';
  constructor(readonly issues: readonly MatrixIssue[]) {
    super(
      `The matrix has ${issues.length} problem${issues.length === 1 ? '' : 's'}:\n` +
        issues.map((issue) => `  ${formatIssue(issue).replace(/\n/g, '\n  ')}`).join('\n'),
    );
  }
}

/** A generator could not render a target; nothing was written. */
export class GeneratorError extends Error {
  override readonly name = 'GeneratorError';
  constructor(
    readonly generator: string,
    readonly target: string,
    readonly app: string | undefined,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`[${generator}] ${target}${app ? `/${app}` : ''}: ${problem}\n    fix: ${fix}`);
  }
}

/** Two generators (or one, twice) produced the same output path. */
export class OutputConflictError extends Error {
  override readonly name = 'OutputConflictError';
  constructor(
    readonly path: string,
    readonly generators: readonly string[],
  ) {
    super(
      `Two outputs claim generated/${path} (from ${generators.join(' and ')}); ` +
        'give the targets or apps distinct names so their folders differ.',
    );
  }
}

/** Synth refused to run because it would remove too much at once. */
export class RemovalGuardError extends Error {
  override readonly name = 'RemovalGuardError';
  constructor(
    readonly removals: readonly { env: string; kind: string; removed: readonly string[]; share: number }[],
    readonly threshold: number,
  ) {
    super(
      `Synth would remove more than ${Math.round(threshold * 100)}% of an environment's deployments:\n` +
        removals
          .map(
            (r) =>
              `  ${r.env}: ${r.removed.length} ${r.kind} (${Math.round(r.share * 100)}%): ${r.removed.join(', ')}`,
          )
          .join('\n') +
        '\n    fix: check the matrix (a deleted cluster or placement?); if the removal is intended, run synth with --allow-removals.',
    );
  }
}

/** The working tree or a flag is not what a command needs (e.g. --only names nothing). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A promotion gate refused an app. */
export class PromotionBlocked extends Error {
  override readonly name = 'PromotionBlocked';
  constructor(
    readonly app: string,
    readonly gate: string,
    readonly evidence: string,
    readonly passesAt?: string,
  ) {
    super(`${app}: blocked by ${gate}: ${evidence}${passesAt ? ` (may pass at ${passesAt})` : ''}`);
  }
}

/** GitHub answered with an error; the status and body are kept, the token never is. */
export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly detail: string,
    readonly fix: string,
  ) {
    super(`GitHub ${operation} failed with ${status}: ${detail}\n    fix: ${fix}`);
  }
}

/** A git command the promotion bot or `pin` ran failed; the token is never part of the message. */
export class GitOperationError extends Error {
  override readonly name = 'GitOperationError';
  constructor(
    readonly operation: string,
    readonly detail: string,
    readonly fix: string,
    /** The remote refused the update (lease or fast-forward), as opposed to a transport or auth failure. */
    readonly rejected = false,
  ) {
    super(`git ${operation} failed: ${detail}\n    fix: ${fix}`);
  }
}
