/**
 * The GCP plugin: one stack per environment and GCP region (GCS state, a VPC with a regional subnet
 * and Cloud NAT, and a regional GKE cluster with on-demand and spot node pools per cluster), when the
 * matrix has `terraform.gcp`. Only stack.ts loads cdktf and @cdktf/provider-google, by submodule (the
 * package is ~300 MB), on the first render.
 */
import type { CloudStacks } from '../cloud.ts';
import { gcpStackPlans, gcpStackScope, type GcpStackPlan } from './plan.ts';

export const gcpStacks: CloudStacks<GcpStackPlan> = {
  cloud: 'gcp',
  label: 'GCP',
  stackScope: (target, settings) => (settings && !settings.gcp ? undefined : gcpStackScope(target)),
  stacks: gcpStackPlans,
  load: async () => {
    const { renderGcpStack } = await import('./stack.ts');
    return {
      render: (plan) => [
        { path: `${plan.dir}/main.tf.json`, format: 'json', data: renderGcpStack(plan), keepKeyOrder: true },
      ],
    };
  },
  // Who may do what in the project: the node service account's roles, and any IAM binding.
  riskPatterns: [{ resource: /^google_(project_iam_|service_account)/, label: 'IAM' }],
};
