/**
 * `npm run tf:lock`: recompute the AWS provider's lock entry from the offline mirror
 * (`terraform providers lock -fs-mirror=<mirror> -platform=linux_amd64`) and print the hashes to put
 * in src/generators/terraform/aws/provider-lock.ts; then `npm run synth` writes every stack's
 * .terraform.lock.hcl from it. The mirror is TF_PLUGIN_MIRROR or /opt/tf-plugins.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AWS_PROVIDER_CONSTRAINT } from '../src/generators/terraform/aws/plan.ts';

const mirror = process.env.TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';
const dir = mkdtempSync(join(tmpdir(), 'envmatrix-tf-lock-'));
try {
  writeFileSync(
    join(dir, 'main.tf.json'),
    JSON.stringify({
      terraform: {
        required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_CONSTRAINT } },
      },
    }),
  );
  execFileSync('terraform', ['providers', 'lock', `-fs-mirror=${mirror}`, '-platform=linux_amd64'], {
    cwd: dir,
    stdio: 'inherit',
  });
  process.stdout.write(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
