/**
 * The AWS plugin: one stack per environment and AWS region (S3 state, a VPC and an EKS cluster with
 * on-demand and spot node groups per cluster), and a global stack per environment whose exposed apps
 * span regions (Route 53 health checks and routed records, global-plan.ts). Only stack.ts and what it imports load cdktf and
 * @cdktf/provider-aws, by submodule (the package root costs 2 s and 565 MB), on the first render.
 */
import type { CloudStacks } from '../cloud.ts';
import { globalStackPlans, type GlobalStackPlan } from './global-plan.ts';
import { awsStackPlans, awsStackScope, type StackPlan } from './plan.ts';
import { AWS_PROVIDER_LOCK, lockFileText } from './provider-lock.ts';

export type AwsStackPlan = StackPlan | GlobalStackPlan;

function isGlobal(plan: AwsStackPlan): plan is GlobalStackPlan {
  return 'kind' in plan && plan.kind === 'global';
}

export const awsStacks: CloudStacks<AwsStackPlan> = {
  cloud: 'aws',
  label: 'AWS',
  stackScope: awsStackScope,
  stacks: (matrix, settings) => [...awsStackPlans(matrix, settings), ...globalStackPlans(matrix, settings)],
  load: async () => {
    const [{ renderStack }, { renderGlobalStack }] = await Promise.all([
      import('./stack.ts'),
      import('./global-stack.ts'),
    ]);
    return {
      render: (plan) => [
        // Terraform reads JSON keys in any order, but cdktf's order (terraform, provider, resources in
        // build order, outputs) is the one people read a stack in.
        {
          path: `${plan.dir}/main.tf.json`,
          format: 'json',
          data: isGlobal(plan) ? renderGlobalStack(plan) : renderStack(plan),
          keepKeyOrder: true,
        },
        // Every run installs the provider build that was tested (hash-checked), not whatever matches.
        {
          path: `${plan.dir}/.terraform.lock.hcl`,
          format: 'text',
          data: lockFileText(AWS_PROVIDER_LOCK, plan.providerConstraint),
        },
      ],
    };
  },
  // IAM roles, policies and attachments decide who may do what in the account.
  riskPatterns: [{ resource: /^aws_iam_/, label: 'IAM' }],
  // From the provider's resource schemas (ForceNew): what a VPC range or zone change takes down.
  forceNewArguments: {
    aws_vpc: ['cidr_block'],
    aws_subnet: ['vpc_id', 'cidr_block', 'availability_zone'],
    aws_route_table: ['vpc_id'],
    aws_route: ['route_table_id', 'destination_cidr_block'],
    aws_route_table_association: ['subnet_id'],
    aws_nat_gateway: ['subnet_id', 'allocation_id'],
    aws_default_security_group: ['vpc_id'],
    aws_flow_log: ['vpc_id', 'log_destination', 'iam_role_arn'],
    aws_eks_cluster: ['name', 'vpc_config', 'encryption_config'],
    aws_eks_node_group: [
      'cluster_name',
      'node_group_name',
      'subnet_ids',
      'capacity_type',
      'instance_types',
      'node_role_arn',
    ],
    aws_eks_addon: ['cluster_name', 'addon_name'],
    aws_eks_access_entry: ['cluster_name', 'principal_arn'],
    aws_eks_access_policy_association: ['cluster_name', 'principal_arn', 'policy_arn'],
    aws_eks_pod_identity_association: ['cluster_name', 'namespace', 'service_account'],
    aws_iam_role: ['name'],
    aws_kms_alias: ['name'],
    aws_cloudwatch_log_group: ['name'],
    aws_launch_template: ['name'],
    // Global traffic: a record moved to another zone or name is deleted and created again.
    aws_route53_record: ['zone_id', 'name'],
  },
};
