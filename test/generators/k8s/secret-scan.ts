/**
 * A scanner for secret-looking values in generated text: the test-side oracle for "secrets never appear
 * in generated output". Kept apart from the matrix's own rules (src/matrix/workload-validation.ts) so a
 * gap in one is not copied into the other.
 */

export interface SecretFinding {
  readonly file: string;
  readonly line: number;
  readonly what: string;
  /** The matched text, shortened so a report does not spread the secret further. */
  readonly excerpt: string;
}

export const SECRET_PATTERNS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  {
    what: 'private key',
    pattern: /-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----/,
  },
  { what: 'AWS access key id', pattern: /\b(AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b/ },
  {
    what: 'AWS secret access key',
    pattern: /aws_?secret_?access_?key["']?\s*[=:]\s*["']?[A-Za-z0-9/+]{40}/i,
  },
  { what: 'JSON Web Token', pattern: /\beyJ[\w-]{5,}\.eyJ[\w-]{5,}\.[\w-]{5,}/ },
  { what: 'GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { what: 'Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { what: 'URL with a password', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"']+:[^\s/@"']+@/i },
  {
    what: 'credential assignment',
    // Same line only: a YAML key opening a nested map (`secret:` over `secretName: …`) is no value.
    pattern:
      /\b(password|passwd|pwd|secret|token|api[_-]?key|client[_-]?secret)["']?[ \t]*[=:][ \t]*["']?(?!\$\{)[^\s"',}]{3,}/i,
  },
  { what: 'Kubernetes Secret object', pattern: /^kind:\s*Secret\s*$/m },
];

/** Every secret-looking value in `text`, with its line. */
export function scanText(file: string, text: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const { what, pattern } of SECRET_PATTERNS) {
    const global = new RegExp(
      pattern.source,
      pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`,
    );
    for (const match of text.matchAll(global)) {
      const line = text.slice(0, match.index).split('\n').length;
      findings.push({ file, line, what, excerpt: `${match[0].slice(0, 12)}…` });
    }
  }
  return findings;
}
