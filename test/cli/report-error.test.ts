import { CommanderError } from '@commander-js/extra-typings';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { reportError } from '../../src/cli/report-error.ts';
import { EnvmatrixError, UsageError } from '../../src/core/errors.ts';

/** A layer-specific error the CLI has never heard of: the base class alone must decide how it prints. */
class NewLayerError extends EnvmatrixError {
  override readonly name = 'NewLayerError';
}

let stderr: MockInstance<typeof console.error>;
beforeEach(() => {
  stderr = vi.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => stderr.mockRestore());
const printed = () => stderr.mock.calls.map((call) => call.join(' ')).join('\n');

describe('reportError', () => {
  it('prints any envmatrix error without a stack, with its fix, and uses its exit code', () => {
    expect(
      reportError(new NewLayerError('the thing broke', { fix: 'do the other thing', exitCode: 3 })),
    ).toBe(3);
    expect(printed()).toBe('the thing broke\n    fix: do the other thing');
  });

  it('does not repeat a fix the message already carries', () => {
    expect(reportError(new NewLayerError('broke\n    fix: rerun', { fix: 'rerun' }))).toBe(1);
    expect(printed()).toBe('broke\n    fix: rerun');
  });

  it('shows the stack of an envmatrix error only with --verbose', () => {
    reportError(new UsageError('no such target'), { verbose: true });
    expect(printed()).toMatch(/^envmatrix: no such target\n\s+at /);
  });

  it('prints any other error with its stack and a line saying it is a bug', () => {
    expect(reportError(new TypeError('x is undefined'))).toBe(1);
    expect(printed()).toMatch(/^TypeError: x is undefined\n\s+at /);
    expect(printed()).toContain('envmatrix: this is a bug in envmatrix, not in your matrix.');
  });

  it('maps commander usage errors to exit code 2 and help or --version to 0', () => {
    expect(reportError(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"))).toBe(
      2,
    );
    expect(reportError(new CommanderError(0, 'commander.version', '0.1.0'))).toBe(0);
    expect(printed()).toBe('');
  });
});
