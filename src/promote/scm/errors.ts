/**
 * Errors the code-host and git adapters throw; the token is never part of a message.
 *
 * Every adapter failure is an `ScmError` with a neutral `kind`, so the promotion code (and the CLI) decide
 * what to do from the kind alone — never from an HTTP status or a host's wording. Each adapter maps its
 * own answers onto the kinds (GitHub: src/promote/scm/github-errors.ts; git: src/promote/scm/git.ts).
 */
import { EnvmatrixError, EXIT } from '../../core/errors.ts';

/**
 * - exists: what the bot tried to create is already there (adopt it);
 * - conflict: someone else moved the same thing at the same time (rebuild from what is there, retry);
 * - refused: the host will not do it as asked (protected branch, hook, missing permission): no retry;
 * - auth: the credentials are missing, malformed, expired or revoked;
 * - rate-limited: the host's limits held and the waits ran out;
 * - network: the host could not be reached or failed (5xx) and the retries ran out;
 * - invalid-input: the host rejected a field of the request (or a flag/setting named nothing real).
 */
export const SCM_ERROR_KINDS = [
  'exists',
  'conflict',
  'refused',
  'auth',
  'rate-limited',
  'network',
  'invalid-input',
] as const;
export type ScmErrorKind = (typeof SCM_ERROR_KINDS)[number];

/**
 * The exit code per kind. Today every kind exits 1, as the README's table promises for "problems found";
 * the table is the one place to give a kind its own code (issue 12: "each class maps to an exit code").
 */
export const SCM_EXIT_CODES: Record<ScmErrorKind, number> = {
  exists: EXIT.problems,
  conflict: EXIT.problems,
  refused: EXIT.problems,
  auth: EXIT.problems,
  'rate-limited': EXIT.problems,
  network: EXIT.problems,
  'invalid-input': EXIT.problems,
};

/** The fix each kind gets when the adapter has nothing more specific to say. */
export const SCM_DEFAULT_FIXES: Record<ScmErrorKind, string> = {
  exists: 'it exists already; run again and the bot adopts it',
  conflict: 'someone else updated it at the same time; run again (the bot starts from what is there now)',
  refused: 'the host refused the change; check the branch protection rules and the token’s permissions',
  auth: 'check the token: it is missing, expired or revoked',
  'rate-limited':
    'the host rate-limited the bot and the retries ran out; run again later (a rerun converges)',
  network: 'the host or the network failed and the retries ran out; run again (a rerun converges)',
  'invalid-input': 'the host refused the request as sent; the detail says which field',
};

/** A code host or git remote failed; `kind` says what it means for the bot. */
export abstract class ScmError extends EnvmatrixError {
  constructor(
    readonly kind: ScmErrorKind,
    readonly operation: string,
    readonly detail: string,
    message: string,
    fix: string,
  ) {
    super(message, { fix, exitCode: SCM_EXIT_CODES[kind] });
  }
}

/** The code host's API answered with an error (or none); the status and detail are kept, the token never is. */
export class CodeHostError extends ScmError {
  override readonly name: string = 'CodeHostError';
  constructor(
    /** The host's display name, e.g. GitHub. */
    readonly host: string,
    kind: ScmErrorKind,
    operation: string,
    /** The HTTP status; 0 when there was no answer, undefined when no request was made. */
    readonly status: number | undefined,
    detail: string,
    fix: string = SCM_DEFAULT_FIXES[kind],
  ) {
    const outcome = status === undefined ? 'failed' : `failed with ${status}`;
    super(kind, operation, detail, `${host} ${operation} ${outcome}: ${detail}\n    fix: ${fix}`, fix);
  }
}

/** GitHub answered with an error; kept as its own class so a log says which host it was. */
export class GitHubApiError extends CodeHostError {
  override readonly name = 'GitHubApiError';
  constructor(
    kind: ScmErrorKind,
    operation: string,
    status: number | undefined,
    detail: string,
    fix?: string,
  ) {
    super('GitHub', kind, operation, status, detail, fix);
  }
}

/** A git command the promotion bot or `pin` ran failed; the token is never part of the message. */
export class GitOperationError extends ScmError {
  override readonly name = 'GitOperationError';
  constructor(operation: string, detail: string, fix: string, kind: ScmErrorKind = 'network') {
    super(kind, operation, detail, `git ${operation} failed: ${detail}\n    fix: ${fix}`, fix);
  }

  /** The remote refused the update because the ref moved (lease or fast-forward): a rerun converges. */
  get rejected(): boolean {
    return this.kind === 'conflict';
  }
}

/** `error` is an adapter failure of one of `kinds`. */
export function isScmError(error: unknown, ...kinds: ScmErrorKind[]): error is ScmError {
  return error instanceof ScmError && (kinds.length === 0 || kinds.includes(error.kind));
}
