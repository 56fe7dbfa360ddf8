/**
 * The clouds whose infrastructure the model knows: their settings, defaults and rules. Adding a cloud
 * is its folder here (see aws/) plus one line in this list; its Terraform plugin registers in
 * src/generators/terraform/clouds.ts.
 */
import type { Cloud } from '../regions.ts';
import { awsInfrastructure } from './aws/index.ts';
import type { CloudInfrastructure } from './types.ts';

export type { CloudInfrastructure, ClusterReport, SettingsReport } from './types.ts';

export const CLOUD_INFRASTRUCTURE: readonly CloudInfrastructure[] = [awsInfrastructure];

/** The registered cloud's rules, or undefined for a cloud without a plugin (no stacks, no rules). */
export function cloudInfrastructure(
  cloud: Cloud,
  clouds: readonly CloudInfrastructure[] = CLOUD_INFRASTRUCTURE,
): CloudInfrastructure | undefined {
  return clouds.find((entry) => entry.cloud === cloud);
}
