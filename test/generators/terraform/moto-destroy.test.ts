/**
 * The network half of a generated stack (no EKS: destroying it in moto waits 0–60 s inside the
 * provider) is applied and destroyed against moto, with state locked by both the S3 lockfile and a
 * DynamoDB table, as the matrix's `state.lockTable` asks for older setups.
 *
 * Like moto-apply.test.ts: no AWS_ENDPOINT_URL (the stack's own endpoints only), unique names in the
 * shared moto.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  awsJsonCall,
  createBucket,
  createLockTable,
  getObject,
  motoAvailable,
  useMoto,
} from '../../support/moto.ts';
import {
  describeResult,
  runTerraform,
  terraformAvailable,
  terraformEnv,
  type TerraformResult,
} from '../../support/terraform.ts';
import { terraformFixture } from './fixture.ts';
import { generatedStack, networkOnly, writeStack, type StackJson } from './stack-files.ts';

const terraform = terraformAvailable();
const moto = motoAvailable();
const SLOW = 240_000;

describe.skipIf(!terraform.available || !moto.available)('a generated network stack against moto', () => {
  const suffix = randomBytes(3).toString('hex');
  const envs = { dev: `dev-${suffix}`, prod: `prod-${suffix}` };
  const bucket = `envmatrix-e2e-${suffix}`;
  const table = `envmatrix-locks-${suffix}`;
  const key = `envmatrix/${envs.dev}/aws/us-east-1/terraform.tfstate`;
  let endpoint = '';
  let release: () => Promise<void> = async () => {};
  let dir = '';
  let stack: StackJson | undefined;
  let env: NodeJS.ProcessEnv = {};
  const timings: string[] = [];

  async function tf(args: readonly string[]): Promise<TerraformResult> {
    const result = await runTerraform(dir, args, { env });
    timings.push(`${args[0]} ${result.durationMs} ms`);
    return result;
  }

  async function stateResources(): Promise<string[]> {
    const state = JSON.parse((await getObject(endpoint, bucket, key)) ?? '{}') as {
      resources?: { type: string; name: string }[];
    };
    return (state.resources ?? []).map((r) => `${r.type}.${r.name}`);
  }

  beforeAll(async () => {
    ({ endpoint, release } = await useMoto());
    await createBucket(endpoint, bucket);
    await createLockTable(endpoint, table);
    const matrix = terraformFixture({
      envs,
      terraform: {
        state: { bucket, region: 'us-east-1', lockTable: table },
        costCentre: 'e2e',
        endpoints: {
          dynamodb: endpoint,
          ec2: endpoint,
          eks: endpoint,
          iam: endpoint,
          s3: endpoint,
          sts: endpoint,
        },
        emulator: true,
      },
    });
    stack = networkOnly(generatedStack(matrix, `${envs.dev}/aws/us-east-1`));
    dir = mkdtempSync(join(tmpdir(), 'envmatrix-tf-destroy-'));
    writeStack(dir, stack);
    env = terraformEnv({ moto: endpoint, endpointUrl: false });
  });

  afterAll(async () => {
    if (timings.length > 0) console.info(`terraform against moto (network stack): ${timings.join(', ')}`);
    if (dir) rmSync(dir, { recursive: true, force: true });
    await release();
  });

  it('locks with the DynamoDB table as well as the lockfile', () => {
    expect(stack?.terraform.backend.s3).toMatchObject({ dynamodb_table: table, use_lockfile: true });
    expect(Object.keys(stack?.resource ?? {})).not.toContain('aws_eks_cluster');
  });

  it(
    'applies the network and records the state digest in the lock table',
    async () => {
      const init = ['init', '-input=false'];
      const initResult = await tf(init);
      expect(initResult.code, describeResult(init, initResult)).toBe(0);
      const apply = ['apply', '-auto-approve', '-input=false'];
      const result = await tf(apply);
      expect(result.code, describeResult(apply, result)).toBe(0);
      // VPC and internet gateway; per zone 2 subnets, 2 route table associations, a private route table
      // and its route (6 × 2); the public route table and route; one NAT gateway and its address (dev
      // has no natPerZone).
      expect(result.stdout).toContain('Apply complete! Resources: 18 added, 0 changed, 0 destroyed.');
      expect(await stateResources()).toContain('aws_vpc.main');
      // Terraform keeps the state's MD5 in the table when it locks through DynamoDB.
      const digest = (await awsJsonCall(endpoint, 'dynamodb', 'DynamoDB_20120810.GetItem', {
        TableName: table,
        Key: { LockID: { S: `${bucket}/${key}-md5` } },
      })) as { Item?: { Digest?: { S?: string } } };
      expect(digest.Item?.Digest?.S).toMatch(/^[0-9a-f]{32}$/);
    },
    SLOW,
  );

  it(
    'destroys everything it created',
    async () => {
      const args = ['destroy', '-auto-approve', '-input=false'];
      const result = await tf(args);
      expect(result.code, describeResult(args, result)).toBe(0);
      expect(result.stdout).toContain('Destroy complete! Resources: 18 destroyed.');
      expect(await stateResources()).toEqual([]);
    },
    SLOW,
  );
});
