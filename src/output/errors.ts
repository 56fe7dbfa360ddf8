/** Errors of synth as an application (writing, pruning, guarding generated/). */
import { EnvmatrixError } from '../core/errors.ts';

/** Synth refused to run because it would remove too much at once. */
export class RemovalGuardError extends EnvmatrixError {
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

/** Who holds the write lock on generated/, as recorded beside it. */
export interface LockOwner {
  readonly pid: number;
  readonly command: string;
  /** ISO time the lock was taken. */
  readonly since: string;
}

/** Another synth or pin kept the write lock on generated/ for longer than this run would wait. */
export class WriteLockedError extends EnvmatrixError {
  override readonly name = 'WriteLockedError';
  constructor(
    readonly owner: LockOwner | undefined,
    readonly waitMs: number,
  ) {
    super(
      owner
        ? `another ${owner.command} is running (pid ${owner.pid}, since ${owner.since}).`
        : 'another synth is running (its lock is being taken or released).',
      {
        fix: `let it finish, then run the command again (this run waited ${waitMs / 1000} s; a lock left by a killed run is taken over after 10 s)`,
      },
    );
  }
}

/** The lock was lost while writing (the process stalled past the stale time and another run took it). */
export class WriteLockLostError extends EnvmatrixError {
  override readonly name = 'WriteLockLostError';
  constructor(lockPath: string, cause: unknown) {
    super(`The write lock on generated/ (${lockPath}) was lost while this run held it.`, {
      fix: 'run `npm run synth -- --check`; if it reports anything, run `npm run synth` again',
      cause,
    });
  }
}
