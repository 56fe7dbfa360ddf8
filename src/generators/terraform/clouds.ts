/**
 * The clouds that have Terraform stacks. Adding a cloud is its folder (see aws/) plus one line here,
 * and its model side in src/matrix/clouds/index.ts.
 */
import { awsStacks } from './aws/index.ts';
import { azureStacks } from './azure/index.ts';
import type { CloudStacks, TerraformRiskPattern } from './cloud.ts';
import { gcpStacks } from './gcp/index.ts';
import type { ForceNewArguments } from './plan-risk.ts';

export const CLOUD_STACKS: readonly CloudStacks[] = [awsStacks, gcpStacks, azureStacks];

/** Every registered cloud's risk patterns, for the promotion risk section. */
export function terraformRiskPatterns(
  clouds: readonly CloudStacks[] = CLOUD_STACKS,
): readonly TerraformRiskPattern[] {
  return clouds.flatMap((cloud) => cloud.riskPatterns);
}

/** Every registered cloud's force-new arguments, for the promotion risk section. */
export function terraformForceNewArguments(clouds: readonly CloudStacks[] = CLOUD_STACKS): ForceNewArguments {
  return Object.assign({}, ...clouds.map((cloud) => cloud.forceNewArguments ?? {})) as ForceNewArguments;
}
