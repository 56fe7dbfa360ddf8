/**
 * Issue 14, finding 6 against applied state: a dev stack applied on moto, then the same stack with a
 * new VPC range (what a vpcCidr edit synthesizes: every subnet moves with the VPC) is planned, and the
 * plan-risk classifier CI runs over `terraform show -json` lists the replacements.
 *
 * The cluster: aws 5.25+ updates `vpc_config.subnet_ids` in place (hashicorp/terraform-provider-aws
 * #34209), so Terraform itself plans an update, on moto as on AWS; the moto variant's ignore_changes
 * (access_config, encryption_config, upgrade_policy) only hide what moto does not echo back, which is
 * what made the cluster look replaced before. EKS takes new subnets only in the cluster's VPC, so the
 * classifier counts that update as a replacement (its subnet_ids follow replaced subnets).
 */
import { describe, expect, it } from 'vitest';
import { terraformForceNewArguments } from '../../../src/generators/terraform/clouds.ts';
import { destructiveChangesInPlan } from '../../../src/generators/terraform/plan-risk.ts';
import { motoAvailable } from '../../support/moto.ts';
import { describeResult, terraformAvailable } from '../../support/terraform.ts';
import { SLOW, useMotoWorkspace } from './moto-workspace.ts';
import { motoVariant, type StackJson } from './stack-files.ts';

const terraform = terraformAvailable();
const moto = motoAvailable();

describe.skipIf(!terraform.available || !moto.available)('a VPC range change against applied state', () => {
  const workspace = useMotoWorkspace({ label: 'plan risk', env: 'dev', adjust: motoVariant });

  it(
    'is classified as replacing the VPC, its subnets, the cluster and the node groups',
    async () => {
      for (const args of [
        ['init', '-input=false'],
        ['apply', '-auto-approve', '-input=false'],
      ]) {
        const result = await workspace.tf(args);
        expect(result.code, describeResult(args, result)).toBe(0);
      }
      // The fixture's dev VPC is 10.10.0.0/16; subnets are carved by offset, so they move with it.
      workspace.write(
        JSON.parse(JSON.stringify(workspace.stack).replaceAll('"10.10.', '"10.50.')) as StackJson,
      );
      const plan = ['plan', '-input=false', '-out=cidr.tfplan'];
      const planned = await workspace.tf(plan);
      expect(planned.code, describeResult(plan, planned)).toBe(0);
      const show = ['show', '-json', 'cidr.tfplan'];
      const shown = await workspace.tf(show);
      expect(shown.code, describeResult(show, shown)).toBe(0);
      const json = JSON.parse(shown.stdout) as {
        resource_changes: { address: string; change: { actions: string[] } }[];
      };
      // Terraform's own verdict on the cluster: an in-place update of its subnets.
      expect(json.resource_changes.find((c) => c.address === 'aws_eks_cluster.main')?.change.actions).toEqual(
        ['update'],
      );
      const changes = destructiveChangesInPlan(json, terraformForceNewArguments());
      const replaced = changes.filter((c) => c.kind === 'replace').map((c) => c.address);
      expect(replaced).toEqual(
        expect.arrayContaining([
          'aws_vpc.main',
          'aws_subnet.main_private_us-east-1a',
          'aws_subnet.main_public_us-east-1b',
          'aws_eks_cluster.main',
          'aws_eks_node_group.main_on_demand',
          'aws_eks_node_group.main_spot',
        ]),
      );
      expect(changes.find((c) => c.address === 'aws_eks_cluster.main')?.reason).toMatch(
        /^vpc_config follows aws_subnet\.main_(private|public)_us-east-1[ab], which is replaced; Terraform plans an update the service refuses$/,
      );
    },
    SLOW * 2,
  );
});
