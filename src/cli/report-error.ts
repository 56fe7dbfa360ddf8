/** How the CLI turns an error into output and an exit code: 1 for problems found, 2 for bad usage. */
import {
  GeneratorError,
  GitHubApiError,
  GitOperationError,
  MatrixError,
  OutputConflictError,
  PromotionBlocked,
  RemovalGuardError,
  UsageError,
} from '../matrix/errors.ts';

const EXPECTED = [
  MatrixError,
  GeneratorError,
  OutputConflictError,
  RemovalGuardError,
  PromotionBlocked,
  GitHubApiError,
  GitOperationError,
];

export function reportError(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`envmatrix: ${error.message}`);
    return 2;
  }
  if (EXPECTED.some((kind) => error instanceof kind)) {
    console.error((error as Error).message);
    return 1;
  }
  // Unexpected: keep the stack, it is a bug report.
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return 1;
}
