/**
 * Problems that do not stop a command (a Kubernetes version in paid extended support) still have to be
 * seen: one line each on stderr, so stdout stays what scripts parse and the exit code stays the
 * command's own.
 */
import type { MatrixIssue } from '../matrix/errors.ts';

/** `warning: [clusters[0] dev/aws/us-east-1/main] … (src/environments/index.ts:51); fix: …` */
export function formatWarning(issue: MatrixIssue): string {
  const where = issue.source ? ` (${issue.source})` : '';
  return `warning: [${issue.path}] ${issue.message}${where}; fix: ${issue.fix}`.replace(/\s*\n\s*/g, ' ');
}

export function printWarnings(warnings: readonly MatrixIssue[] = []): void {
  for (const warning of warnings) console.error(formatWarning(warning));
}
