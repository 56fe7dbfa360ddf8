/**
 * The Azure plugin: one stack per environment and Azure region (azurerm state, a resource group, a
 * VNet with a NAT gateway, and an AKS cluster with a system pool and a spot user pool per cluster),
 * when the matrix has `terraform.azure`. Only stack.ts loads cdktf and @cdktf/provider-azurerm, by
 * submodule (the package is ~270 MB), on the first render.
 */
import type { CloudStacks } from '../cloud.ts';
import { azureStackPlans, azureStackScope, type AzureStackPlan } from './plan.ts';

export const azureStacks: CloudStacks<AzureStackPlan> = {
  cloud: 'azure',
  label: 'Azure',
  stackScope: (target, settings) => (settings && !settings.azure ? undefined : azureStackScope(target)),
  stacks: azureStackPlans,
  load: async () => {
    const { renderAzureStack } = await import('./stack.ts');
    return {
      render: (plan) => [
        {
          path: `${plan.dir}/main.tf.json`,
          format: 'json',
          data: renderAzureStack(plan),
          keepKeyOrder: true,
        },
      ],
    };
  },
  // Role assignments decide who may do what in the subscription.
  riskPatterns: [{ resource: /^azurerm_(role_assignment|role_definition)/, label: 'IAM' }],
};
