/**
 * A generated stack, pointed at moto through the matrix's own endpoint settings, goes through
 * `terraform init` with the real S3 backend, `apply`, and a second `plan -detailed-exitcode` that shows
 * no changes; a lock planted by "another run" makes plan fail with the lock error.
 *
 * No AWS_ENDPOINT_URL: terraform reaches moto only through the endpoints in main.tf.json, and every
 * other host sits behind a dead proxy, so a service the stack forgot fails instead of reaching AWS.
 * Names carry a random suffix because moto is shared by every test file of the run; EKS is left in
 * moto (destroying it waits 0–60 s in the provider) and goes when the run's moto stops.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatrixDefinition } from '../../../src/matrix/index.ts';
import {
  createBucket,
  deleteObject,
  getObject,
  listObjects,
  motoAvailable,
  useMoto,
} from '../../support/moto.ts';
import {
  describeResult,
  plantS3Lockfile,
  runTerraform,
  terraformAvailable,
  terraformEnv,
  type TerraformResult,
} from '../../support/terraform.ts';
import { terraformFixture } from './fixture.ts';
import { generatedStack, ignoreMotoRemoteAccess, writeStack } from './stack-files.ts';

const terraform = terraformAvailable();
const moto = motoAvailable();
const SLOW = 240_000;

describe.skipIf(!terraform.available || !moto.available)('a generated EKS stack against moto', () => {
  const suffix = randomBytes(3).toString('hex');
  const envs = { dev: `dev-${suffix}`, prod: `prod-${suffix}` };
  const bucket = `envmatrix-e2e-${suffix}`;
  const key = `envmatrix/${envs.prod}/aws/us-east-1/terraform.tfstate`;
  let endpoint = '';
  let release: () => Promise<void> = async () => {};
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  const timings: string[] = [];

  async function tf(args: readonly string[]): Promise<TerraformResult> {
    const result = await runTerraform(dir, args, { env });
    timings.push(`${args[0]} ${result.durationMs} ms`);
    return result;
  }

  beforeAll(async () => {
    ({ endpoint, release } = await useMoto());
    await createBucket(endpoint, bucket);
    const matrix: MatrixDefinition = terraformFixture({
      envs,
      terraform: {
        state: { bucket, region: 'us-east-1' },
        costCentre: 'e2e',
        endpoints: { ec2: endpoint, eks: endpoint, iam: endpoint, s3: endpoint, sts: endpoint },
        emulator: true,
      },
    });
    dir = mkdtempSync(join(tmpdir(), 'envmatrix-tf-apply-'));
    writeStack(dir, ignoreMotoRemoteAccess(generatedStack(matrix, `${envs.prod}/aws/us-east-1`)));
    env = terraformEnv({ moto: endpoint, endpointUrl: false });
  });

  afterAll(async () => {
    if (timings.length > 0) console.info(`terraform against moto (EKS stack): ${timings.join(', ')}`);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await release();
  });

  it(
    'initializes the real S3 backend in the matrix’s bucket',
    async () => {
      const args = ['init', '-input=false'];
      const result = await tf(args);
      expect(result.code, describeResult(args, result)).toBe(0);
      expect(result.stdout).toContain('Successfully configured the backend "s3"!');
    },
    SLOW,
  );

  it(
    'applies: VPC, subnets, NAT, EKS and both node groups, with state under the stack’s key',
    async () => {
      const args = ['apply', '-auto-approve', '-input=false'];
      const result = await tf(args);
      expect(result.code, describeResult(args, result)).toBe(0);
      expect(result.stdout).toContain('Apply complete! Resources: 37 added, 0 changed, 0 destroyed.');
      expect(await listObjects(endpoint, bucket)).toEqual([key]);
      const state = JSON.parse((await getObject(endpoint, bucket, key)) ?? '{}') as {
        outputs: Record<string, { value: string }>;
        resources: { type: string; name: string }[];
      };
      expect(state.outputs.main_cluster_name?.value).toBe(`${envs.prod}-main`);
      expect(state.outputs.main_vpc_id?.value).toMatch(/^vpc-/);
      expect(state.outputs.main_cluster_endpoint?.value).toMatch(/^https:\/\//);
      expect(state.resources.filter((r) => r.type === 'aws_eks_node_group').map((r) => r.name)).toEqual([
        'main_on_demand',
        'main_spot',
      ]);
    },
    SLOW,
  );

  it(
    'plans no changes on a second run',
    async () => {
      const args = ['plan', '-detailed-exitcode', '-input=false'];
      const result = await tf(args);
      expect(result.code, describeResult(args, result)).toBe(0);
      expect(result.stdout).toContain('No changes. Your infrastructure matches the configuration.');
    },
    SLOW,
  );

  it(
    'fails to plan while another run holds the state lock',
    async () => {
      const lock = await plantS3Lockfile(endpoint, bucket, key);
      try {
        const args = ['plan', '-input=false', '-lock-timeout=0s'];
        const result = await tf(args);
        expect(result.code, describeResult(args, result)).toBe(1);
        expect(result.stderr).toContain('Error acquiring the state lock');
        expect(result.stderr).toContain(`ID:        ${lock.ID}`);
        expect(result.stderr).toContain(`Who:       ${lock.Who}`);
      } finally {
        await deleteObject(endpoint, bucket, `${key}.tflock`);
      }
    },
    SLOW,
  );
});
