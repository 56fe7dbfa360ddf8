/**
 * The Terraform side of a cloud plugin, in neutral types: which stacks the cloud gets from the matrix
 * (plain data), how it renders one (loaded lazily: cdktf and the provider's submodules cost a second
 * or more), and which resource types the promotion risk section flags. The plan, `affected`, `ls` and
 * the workflow speak only this; each cloud's folder (aws/) implements it, and clouds.ts registers it.
 * The model side of the same cloud (settings, defaults, rules) is src/matrix/clouds/.
 */
import type { ResolvedTerraformSettings } from '../../matrix/infrastructure.ts';
import type { Cloud } from '../../matrix/regions.ts';
import type { ResolvedMatrix, ResolvedTarget } from '../../matrix/types.ts';
import type { OutputFile } from '../types.ts';
import type { ForceNewArguments } from './plan-risk.ts';

export const GENERATOR_NAME = 'terraform';
/** Terraform 1.10 is the first with S3-native state locking (`use_lockfile`). */
export const REQUIRED_TERRAFORM_VERSION = '>= 1.10.0';
/** The value of the `managed-by` tag (or label) every cloud puts on its resources. */
export const MANAGED_BY = 'envmatrix';

/** `env/cloud/region`: the layout every cloud's regional stack uses (scope and state key alike). */
export function regionalStackScope(cloud: Cloud, target: Pick<ResolvedTarget, 'env' | 'region'>): string {
  return `${target.env}/${cloud}/${target.region}`;
}

/** The tags (AWS, Azure) or labels (GCP) every regional stack puts on what it creates. */
export function defaultTagsFor(
  cloud: Cloud,
  env: string,
  region: string,
  costCentre: string,
): Record<string, string> {
  return { environment: env, cloud, region, 'cost-centre': costCentre, 'managed-by': MANAGED_BY };
}

/** What every cloud's stack plan has; the rest is the cloud's own. */
export interface CloudStackPlan {
  /**
   * `<env>/<cloud>/…` (AWS: `<env>/aws/<region>`): the unit scope, so `synth --only <target>` renders
   * the stack too. The second part names the cloud; `affected` and the workflow read it from there.
   */
  readonly scope: string;
  /** Folder under generated/: `terraformStackDir(scope)`. */
  readonly dir: string;
}

export interface StackRenderer<Plan extends CloudStackPlan> {
  /** The stack's files (main.tf.json, and whatever else the cloud writes), under `plan.dir`. */
  render(plan: Plan): readonly OutputFile[];
}

/** Terraform resources whose every addition or change a reviewer should see (access control). */
export interface TerraformRiskPattern {
  /** Matches `<type>.<name>` addresses, e.g. /^aws_iam_/. */
  readonly resource: RegExp;
  /** Names them in the risk line: `terraform changes IAM aws_iam_role.nodes`. */
  readonly label: string;
}

export interface CloudStacks<Plan extends CloudStackPlan = CloudStackPlan> {
  readonly cloud: Cloud;
  /** The cloud as people write it, for `ls`: `AWS`. */
  readonly label: string;
  /**
   * The scope of the stack that covers a target of this cloud, or undefined when it gets none (GCP
   * and Azure: none without their own settings).
   */
  stackScope(target: ResolvedTarget, settings?: ResolvedTerraformSettings): string | undefined;
  /**
   * Every stack of this cloud, as plain data: each plan is its unit's input, hashed into index.json,
   * so it holds everything the stack depends on. Called only when the matrix has `terraform`.
   */
  stacks(matrix: ResolvedMatrix, settings: ResolvedTerraformSettings): readonly Plan[];
  /** The renderer; imports cdktf and the provider's submodules, so it runs only when a stack renders. */
  load(): Promise<StackRenderer<Plan>>;
  readonly riskPatterns: readonly TerraformRiskPattern[];
  /**
   * Arguments whose change replaces a resource, by type: how the promotion risk section sees
   * replacements in a configuration diff (plan-risk.ts). @default none: only removals are flagged
   */
  readonly forceNewArguments?: ForceNewArguments;
}
