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

/** What rules that depend on the date get: the clock, and a reporter for warnings. */
export interface ClusterCheckContext {
  /** The moment the matrix is judged at (versions leave support on a calendar). */
  readonly now: Date;
  /** Reports a warning of the cluster entry: shown, but synth goes on. */
  readonly warn: ClusterReport;
  /** The matrix's Terraform settings (a cloud's own block, e.g. `terraform.gcp`). */
  readonly settings: TerraformSettings;
}

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
  validateStackCluster(target: ResolvedTarget, at: ClusterReport, context: ClusterCheckContext): void;
  /**
   * Whether this cloud writes stacks for these settings (GCP and Azure only with `terraform.gcp` /
   * `terraform.azure`); its clusters get the stack rules only then. @default true
   */
  stacksEnabled?(settings: TerraformSettings): boolean;
  /**
   * The Kubernetes version of a cluster of this cloud that names none, on `now`'s date (e.g. the newest
   * the cluster service supports in full). @default the matrix-wide DEFAULT_KUBERNETES_VERSION
   */
  defaultKubernetesVersion?(now: Date): string;
}
