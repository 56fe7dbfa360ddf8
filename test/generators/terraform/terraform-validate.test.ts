/**
 * Every stack the example matrix gets passes the real `terraform init -backend=false` and
 * `terraform validate`, offline, against the aws provider 5.100.0 from the mirror (the lowest version
 * the stacks admit). Skips locally without terraform or the mirror; fails under CI=true.
 *
 * One terraform process at a time in this file (each validate starts the provider: ~0.5 GB, seconds).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../../src/generators/index.ts';
import { terraformGenerator } from '../../../src/generators/terraform/index.ts';
import { loadMatrix } from '../../../src/matrix/load.ts';
import {
  describeResult,
  MIRRORED_AWS_PROVIDER_VERSION,
  runTerraform,
  terraformAvailable,
} from '../../support/terraform.ts';
import { projectRoot } from '../../support/tools.ts';
import { writeStack } from './stack-files.ts';
import { globalStack, trafficFixture, TRAFFIC_ZONE } from './traffic-fixture.ts';

const terraform = terraformAvailable();

describe.skipIf(!terraform.available)('the example matrix’s stacks under terraform', () => {
  let root = '';
  let stacks: string[] = [];
  let awsRegions: string[] = [];
  const timings: string[] = [];

  beforeAll(async () => {
    const { resolved } = await loadMatrix({ root: projectRoot });
    const files = compose(resolved, { generators: [terraformGenerator] });
    root = mkdtempSync(join(tmpdir(), 'envmatrix-tf-validate-'));
    for (const [path, file] of files) {
      mkdirSync(join(root, dirname(path)), { recursive: true });
      writeFileSync(join(root, path), file.content);
    }
    // The mirror holds only hashicorp/aws: GKE and AKS stacks are validated in GitHub CI
    // (terraform-validate-clouds.yml) and against the binding schemas (gcp-azure-schema.test.ts).
    // One entry per stack folder (main.tf.json and .terraform.lock.hcl share it).
    stacks = [
      ...new Set([...files.keys()].map((path) => dirname(path)).filter((dir) => dir.split('/')[2] === 'aws')),
    ];
    awsRegions = [
      ...new Set(
        resolved.targets.filter((t) => t.cloud === 'aws').map((t) => `terraform/${t.env}/aws/${t.region}`),
      ),
    ];
  });

  afterAll(() => {
    if (timings.length > 0) console.info(`terraform validate timings: ${timings.join(', ')}`);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('has a stack for every AWS region of every environment, and prod’s global traffic stack', () => {
    expect(stacks).toEqual([...awsRegions, 'terraform/prod/aws/global']);
    expect(stacks).toContain('terraform/prod/aws/eu-west-1');
  });

  it('initializes offline from the mirror and validates, stack by stack', async () => {
    for (const stack of stacks) {
      const dir = join(root, stack);
      const init = ['init', '-backend=false', '-input=false'];
      const initResult = await runTerraform(dir, init);
      expect(initResult.code, describeResult(init, initResult)).toBe(0);
      expect(initResult.stdout).toContain(`Installed hashicorp/aws v${MIRRORED_AWS_PROVIDER_VERSION}`);
      const validate = ['validate'];
      const result = await runTerraform(dir, validate);
      timings.push(`${stack}: init ${initResult.durationMs} ms, validate ${result.durationMs} ms`);
      expect(result.code, describeResult(validate, result)).toBe(0);
      expect(result.stdout).toContain('Success! The configuration is valid.');
      // A deprecated or unknown argument shows up as a warning before it becomes an error.
      expect(result.stdout + result.stderr, describeResult(validate, result)).not.toMatch(/Warning/);
    }
  }, 240_000);

  it('validates global stacks with geolocation and weighted records too (the example routes by latency)', async () => {
    const stack = globalStack(
      trafficFixture({
        traffic: {
          zoneId: TRAFFIC_ZONE,
          environments: {
            prod: {
              apps: {
                web: {
                  routing: 'geolocation',
                  geolocation: {
                    'us-east-1': ['*', 'country:US-CA'],
                    'eu-west-1': ['continent:EU', 'country:GB'],
                  },
                },
                api: { routing: 'weighted', waveWeights: [10, 90] },
              },
            },
          },
        },
      }),
    )!;
    const dir = join(root, 'global-variants');
    writeStack(dir, stack);
    // No lock file here (init warns about that): the generated stacks' own are checked above.
    const init = ['init', '-backend=false', '-input=false'];
    const initResult = await runTerraform(dir, init);
    expect(initResult.code, describeResult(init, initResult)).toBe(0);
    const validate = await runTerraform(dir, ['validate']);
    expect(validate.stdout).toContain('Success! The configuration is valid.');
    expect(validate.stdout + validate.stderr, describeResult(['validate'], validate)).not.toMatch(/Warning/);
  }, 120_000);
});
