/**
 * The AWS plugin: one stack per environment and AWS region (S3 state, a VPC and an EKS cluster with
 * on-demand and spot node groups per cluster). Only stack.ts and what it imports load cdktf and
 * @cdktf/provider-aws, by submodule (the package root costs 2 s and 565 MB), on the first render.
 */
import type { CloudStacks } from '../cloud.ts';
import { awsStackPlans, awsStackScope, type StackPlan } from './plan.ts';

export const awsStacks: CloudStacks<StackPlan> = {
  cloud: 'aws',
  label: 'AWS',
  stackScope: awsStackScope,
  stacks: awsStackPlans,
  load: async () => {
    const { renderStack } = await import('./stack.ts');
    return {
      render: (plan) => [
        // Terraform reads JSON keys in any order, but cdktf's order (terraform, provider, resources in
        // build order, outputs) is the one people read a stack in.
        { path: `${plan.dir}/main.tf.json`, format: 'json', data: renderStack(plan), keepKeyOrder: true },
      ],
    };
  },
  // IAM roles, policies and attachments decide who may do what in the account.
  riskPatterns: [{ resource: /^aws_iam_/, label: 'IAM' }],
};
