/**
 * The clouds that have Terraform stacks. Adding a cloud is its folder (see aws/) plus one line here,
 * and its model side in src/matrix/clouds/index.ts.
 */
import { awsStacks } from './aws/index.ts';
import type { CloudStacks, TerraformRiskPattern } from './cloud.ts';

export const CLOUD_STACKS: readonly CloudStacks[] = [awsStacks];

/** Every registered cloud's risk patterns, for the promotion risk section. */
export function terraformRiskPatterns(
  clouds: readonly CloudStacks[] = CLOUD_STACKS,
): readonly TerraformRiskPattern[] {
  return clouds.flatMap((cloud) => cloud.riskPatterns);
}
