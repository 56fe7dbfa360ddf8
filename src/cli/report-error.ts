/**
 * How the CLI turns an error into output and an exit code. Every error envmatrix throws on purpose is an
 * `EnvmatrixError`: its message (with the fix) is printed without a stack and its own exit code is used,
 * so a new error class needs no change here. Anything else is a bug in envmatrix: its stack is printed
 * with a line saying so.
 */
import { CommanderError } from '@commander-js/extra-typings';
import { EnvmatrixError, EXIT } from '../core/errors.ts';

export interface ReportOptions {
  /** Print the stack of envmatrix errors too (`--verbose`). */
  readonly verbose?: boolean;
}

export function reportError(error: unknown, options: ReportOptions = {}): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message and the help hint; only the exit code is ours. Help and
    // --version arrive here too, as exit code 0.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof EnvmatrixError) {
    const fix = error.fix && !error.message.includes(error.fix) ? `\n    fix: ${error.fix}` : '';
    const prefix = error.exitCode === EXIT.usage ? 'envmatrix: ' : '';
    console.error(`${prefix}${error.message}${fix}`);
    if (options.verbose && error.stack) console.error(stackFrames(error.stack));
    return error.exitCode;
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  console.error(
    'envmatrix: this is a bug in envmatrix, not in your matrix. Please report it with the output above' +
      ' (run with NODE_OPTIONS=--enable-source-maps for the TypeScript lines of envmatrix’s own frames).',
  );
  return EXIT.problems;
}

/** The frames of a stack without the message line, which was already printed. */
function stackFrames(stack: string): string {
  return stack
    .split('\n')
    .filter((line) => line.trimStart().startsWith('at '))
    .join('\n');
}
