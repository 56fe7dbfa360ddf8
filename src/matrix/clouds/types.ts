/**
 * The model side of a cloud plugin: what one cloud adds to the infrastructure settings, and the rules
 * for them. The Terraform side (stacks, rendering, risk patterns) is
 * src/generators/terraform/cloud.ts; the two meet only through the resolved matrix.
 */
import type { Cloud } from '../regions.ts';
import type { ResolvedNodes, ResolvedTerraformSettings, TerraformSettings } from '../infrastructure.ts';
import type { MatrixDefinition, ResolvedTarget } from '../types.ts';

/** Reports a problem at `terraform.<path>` (settings) with the fix. */
export type SettingsReport = (path: string, message: string, fix: string) => void;
/** Reports a problem of one cluster entry (`clusters[i] <target id>`) with the fix. */
export type ClusterReport = (message: string, fix: string) => void;

export interface CloudInfrastructure {
  readonly cloud: Cloud;
  /** Node instance types a cluster of this cloud gets when its entry names none. */
  readonly defaultInstanceTypes: readonly string[];
  /**
   * This cloud's part of the resolved settings (merged over the shared ones), from the matrix's
   * `terraform` and the environment names in promotion order.
   */
  resolveSettings(
    settings: TerraformSettings,
    environments: readonly string[],
  ): Partial<ResolvedTerraformSettings>;
  /** Problems with this cloud's settings; runs whenever the matrix has `terraform`. */
  validateSettings(matrix: MatrixDefinition, settings: TerraformSettings, at: SettingsReport): void;
  /**
   * Problems with a cluster's node capacity that only this cloud knows (instance type spelling, spot
   * capacity); the counts are checked for every cloud before this runs.
   */
  validateNodes(nodes: ResolvedNodes, onDemandPercent: number, at: ClusterReport): void;
  /**
   * Problems of a cluster that gets a stack (the matrix has `terraform`): zones the cluster service
   * needs, names within the cloud's limits. A missing network is reported before this, for every cloud.
   */
  validateStackCluster(target: ResolvedTarget, at: ClusterReport): void;
}
