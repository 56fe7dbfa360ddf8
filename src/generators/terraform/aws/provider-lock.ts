/**
 * The `.terraform.lock.hcl` every AWS stack commits, as data: synth writes it without terraform or the
 * provider mirror. `npm run tf:lock` recomputes it with `terraform providers lock
 * -fs-mirror=<mirror> -platform=linux_amd64` and rewrites this file; a test checks it still matches
 * what terraform writes from the mirror. Only linux_amd64 (what CI runs): on another platform, run
 * `terraform providers lock -platform=<yours>` against the registry and add its hashes here.
 */

export interface ProviderLock {
  readonly source: string;
  readonly version: string;
  readonly hashes: readonly string[];
}

export const AWS_PROVIDER_LOCK: ProviderLock = {
  source: 'registry.terraform.io/hashicorp/aws',
  version: '5.100.0',
  hashes: ['h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0='],
};

/** The lock file exactly as `terraform providers lock` writes it. */
export function lockFileText(lock: ProviderLock, constraints: string): string {
  return [
    '# This file is maintained automatically by "terraform init".',
    '# Manual edits may be lost in future updates.',
    '',
    `provider "${lock.source}" {`,
    `  version     = "${lock.version}"`,
    `  constraints = "${constraints}"`,
    '  hashes = [',
    ...lock.hashes.map((hash) => `    "${hash}",`),
    '  ]',
    '}',
    '',
  ].join('\n');
}
