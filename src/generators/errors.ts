/** Errors a generator or the composition of generators throws; nothing is written when one is thrown. */
import { EnvmatrixError } from '../core/errors.ts';

/** A generator could not render a target; nothing was written. */
export class GeneratorError extends EnvmatrixError {
  override readonly name = 'GeneratorError';
  constructor(
    readonly generator: string,
    readonly target: string,
    readonly app: string | undefined,
    readonly problem: string,
    fix: string,
  ) {
    super(`[${generator}] ${target}${app ? `/${app}` : ''}: ${problem}\n    fix: ${fix}`, { fix });
  }
}

/** Two generators (or one, twice) produced the same output path. */
export class OutputConflictError extends EnvmatrixError {
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
