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
import { describe, expect, it } from 'vitest';
import { deleteObject, getObject, listObjects, motoAvailable } from '../../support/moto.ts';
import { describeResult, plantS3Lockfile, terraformAvailable } from '../../support/terraform.ts';
import { useMotoWorkspace, SLOW } from './moto-workspace.ts';
import { motoVariant } from './stack-files.ts';

const terraform = terraformAvailable();
const moto = motoAvailable();

describe.skipIf(!terraform.available || !moto.available)('a generated EKS stack against moto', () => {
  const workspace = useMotoWorkspace({ label: 'EKS stack', env: 'prod', adjust: motoVariant });
  const { envs, bucket, key } = workspace;
  const tf = (args: readonly string[]) => workspace.tf(args);

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
      expect(result.stdout).toMatch(/Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\./);
      expect(await listObjects(workspace.endpoint, bucket)).toEqual([key]);
      const state = JSON.parse((await getObject(workspace.endpoint, bucket, key)) ?? '{}') as {
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
      // The production parts moto implements: encryption key, logs, flow logs, default SG, launch
      // templates and the controllers' roles.
      const types = new Set(state.resources.map((r) => r.type));
      for (const type of [
        'aws_kms_key',
        'aws_cloudwatch_log_group',
        'aws_flow_log',
        'aws_default_security_group',
        'aws_launch_template',
        'aws_iam_role_policy',
      ])
        expect(types, type).toContain(type);
      expect(state.outputs.main_oidc_issuer_url?.value).toMatch(/^https:\/\//);
      expect(state.outputs.main_cluster_certificate_authority_data?.value).toBeTruthy();
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
      const lock = await plantS3Lockfile(workspace.endpoint, bucket, key);
      try {
        const args = ['plan', '-input=false', '-lock-timeout=0s'];
        const result = await tf(args);
        expect(result.code, describeResult(args, result)).toBe(1);
        expect(result.stderr).toContain('Error acquiring the state lock');
        expect(result.stderr).toContain(`ID:        ${lock.ID}`);
        expect(result.stderr).toContain(`Who:       ${lock.Who}`);
      } finally {
        await deleteObject(workspace.endpoint, bucket, `${key}.tflock`);
      }
    },
    SLOW,
  );
});
