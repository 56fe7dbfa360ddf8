/** Errors the code-host and git adapters throw; the token is never part of a message. */
import { EnvmatrixError } from '../../core/errors.ts';

/** GitHub answered with an error; the status and body are kept, the token never is. */
export class GitHubApiError extends EnvmatrixError {
  override readonly name = 'GitHubApiError';
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly detail: string,
    fix: string,
  ) {
    super(`GitHub ${operation} failed with ${status}: ${detail}\n    fix: ${fix}`, { fix });
  }
}

/** A git command the promotion bot or `pin` ran failed; the token is never part of the message. */
export class GitOperationError extends EnvmatrixError {
  override readonly name = 'GitOperationError';
  constructor(
    readonly operation: string,
    readonly detail: string,
    fix: string,
    /** The remote refused the update (lease or fast-forward), as opposed to a transport or auth failure. */
    readonly rejected = false,
  ) {
    super(`git ${operation} failed: ${detail}\n    fix: ${fix}`, { fix });
  }
}
