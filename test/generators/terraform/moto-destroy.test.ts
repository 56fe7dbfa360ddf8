/**
 * The network half of a generated stack (no EKS: destroying it in moto waits 0–60 s inside the
 * provider) is applied and destroyed against moto, with state locked by both the S3 lockfile and a
 * DynamoDB table, as the matrix's `state.lockTable` asks for older setups.
 *
 * Like moto-apply.test.ts: no AWS_ENDPOINT_URL (the stack's own endpoints only), unique names in the
 * shared moto.
 */
import { describe, expect, it } from 'vitest';
import { awsJsonCall, motoAvailable } from '../../support/moto.ts';
import { describeResult, terraformAvailable } from '../../support/terraform.ts';
import { useMotoWorkspace, SLOW } from './moto-workspace.ts';
import { networkOnly } from './stack-files.ts';

const terraform = terraformAvailable();
const moto = motoAvailable();

describe.skipIf(!terraform.available || !moto.available)('a generated network stack against moto', () => {
  const workspace = useMotoWorkspace({
    label: 'network stack',
    env: 'dev',
    lockTable: true,
    adjust: networkOnly,
  });
  const { bucket, key, table } = workspace;
  const tf = (args: readonly string[]) => workspace.tf(args);
  const stateResources = () => workspace.stateResources();

  it('locks with the DynamoDB table as well as the lockfile', () => {
    expect(workspace.stack?.terraform.backend.s3).toMatchObject({
      dynamodb_table: table,
      use_lockfile: true,
    });
    expect(Object.keys(workspace.stack?.resource ?? {})).not.toContain('aws_eks_cluster');
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
      // has no natPerZone); the hardening of issue 14: the locked-down default security group and the
      // VPC flow logs (log group, role, its policy, the flow log) and the data sources' companions.
      const planned = Object.values(workspace.stack?.resource ?? {}).reduce(
        (n, byName) => n + Object.keys(byName).length,
        0,
      );
      expect(planned).toBe(25);
      expect(result.stdout).toContain(`Apply complete! Resources: ${planned} added, 0 changed, 0 destroyed.`);
      expect(await stateResources()).toContain('aws_vpc.main');
      // Terraform keeps the state's MD5 in the table when it locks through DynamoDB.
      const digest = (await awsJsonCall(workspace.endpoint, 'dynamodb', 'DynamoDB_20120810.GetItem', {
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
      expect(result.stdout).toContain('Destroy complete! Resources: 25 destroyed.');
      expect(await stateResources()).toEqual([]);
    },
    SLOW,
  );
});
