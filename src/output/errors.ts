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
