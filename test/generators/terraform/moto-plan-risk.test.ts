/**
 * Issue 14, finding 6 against applied state: a dev stack applied on moto, then the same stack with a
 * new VPC range (what a vpcCidr edit synthesizes: every subnet moves with the VPC) is planned, and the
 * plan-risk classifier CI runs over `terraform show -json` lists the replacements.
 */
import { describe, expect, it } from 'vitest';
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
    'is classified as replacing the VPC, its subnets and the node groups',
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
      const changes = destructiveChangesInPlan(JSON.parse(shown.stdout) as unknown);
      const replaced = changes.filter((c) => c.kind === 'replace').map((c) => c.address);
      expect(replaced).toEqual(
        expect.arrayContaining([
          'aws_vpc.main',
          'aws_subnet.main_private_us-east-1a',
          'aws_subnet.main_public_us-east-1b',
          // Not aws_eks_cluster.main: since the merged moto variant (ignore_changes on the cluster) the
          // plan on moto updates it in place; on real EKS new subnets replace it (follow-up, issue 14).
          'aws_eks_node_group.main_on_demand',
          'aws_eks_node_group.main_spot',
        ]),
      );
    },
    SLOW * 2,
  );
});
