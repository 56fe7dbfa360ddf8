/**
 * The one error model. Every error envmatrix throws on purpose extends `EnvmatrixError`: it carries a
 * message with the values involved, the next step for the user (`fix`) and the exit code the CLI uses.
 * Each layer defines its own subclasses next to its code (matrix/errors.ts, generators/errors.ts,
 * output/errors.ts, promote/errors.ts, promote/scm/errors.ts); the CLI prints any of them without a stack,
 * and anything else as a bug, with its stack.
 */

/** Exit codes the CLI promises (README § CLI): 0 success, 1 problems found, 2 bad usage. */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const;

export interface EnvmatrixErrorOptions {
  /** What the user should do next; printed on its own `fix:` line unless the message already says it. */
  readonly fix?: string;
  /** The process exit code the CLI sets for this error. @default 1 */
  readonly exitCode?: number;
  readonly cause?: unknown;
}

export abstract class EnvmatrixError extends Error {
  readonly fix: string | undefined;
  readonly exitCode: number;
  constructor(message: string, options: EnvmatrixErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.fix = options.fix;
    this.exitCode = options.exitCode ?? EXIT.problems;
  }
}

/** The command line, a flag or the working tree is not what a command needs (e.g. --only names nothing). */
export class UsageError extends EnvmatrixError {
  override readonly name: string = 'UsageError';
  constructor(message: string, options: Omit<EnvmatrixErrorOptions, 'exitCode'> = {}) {
    super(message, { ...options, exitCode: EXIT.usage });
  }
}
