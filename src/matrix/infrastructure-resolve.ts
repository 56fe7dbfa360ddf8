/**
 * Resolution of the infrastructure settings through the registered clouds: node defaults come from
 * the cluster's cloud, and each cloud resolves its own part of `terraform`.
 */
import { CLOUD_INFRASTRUCTURE, cloudInfrastructure, type CloudInfrastructure } from './clouds/index.ts';
import {
  resolveNodes,
  type ResolvedNodes,
  type ResolvedTerraformSettings,
  type TerraformSettings,
} from './infrastructure.ts';
import type { ClusterSpec } from './types.ts';

/** A cluster's node capacity; a cloud without a plugin has no default instance types. */
export function resolveClusterNodes(
  spec: Pick<ClusterSpec, 'cloud' | 'nodes'>,
  clouds: readonly CloudInfrastructure[] = CLOUD_INFRASTRUCTURE,
): ResolvedNodes {
  return resolveNodes(spec.nodes, cloudInfrastructure(spec.cloud, clouds)?.defaultInstanceTypes ?? []);
}

export function resolveTerraformSettings(
  settings: TerraformSettings,
  environments: readonly string[],
  clouds: readonly CloudInfrastructure[] = CLOUD_INFRASTRUCTURE,
): ResolvedTerraformSettings {
  const parts = clouds.map((cloud) => cloud.resolveSettings(settings, environments));
  // Each cloud fills its own fields of ResolvedTerraformSettings; together with the shared ones they
  // are complete (a registered cloud whose fields are required resolves them).
  return Object.assign({ costCentre: settings.costCentre }, ...parts) as ResolvedTerraformSettings;
}
