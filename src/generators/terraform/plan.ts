/**
 * Which Terraform stacks the matrix gets, over every registered cloud, as plain data. No cdktf here:
 * `ls` asks this module which stack covers a target without loading cdktf, and each plan is its
 * unit's input (hashed into index.json), so a change to anything a stack depends on shows up there.
 */
import type { ResolvedMatrix, ResolvedTarget } from '../../matrix/types.ts';
import { GeneratorError } from '../errors.ts';
import { repoPath, terraformStackDir } from '../paths.ts';
import { GENERATOR_NAME, type CloudStackPlan, type CloudStacks } from './cloud.ts';
import { CLOUD_STACKS } from './clouds.ts';

export { GENERATOR_NAME } from './cloud.ts';

/** Why a target has no stack, or the repo path of the one that covers it. */
export type TerraformCoverage =
  | { readonly stack: string; readonly reason?: undefined }
  | { readonly stack?: undefined; readonly reason: string };

/** One stack and the cloud that plans and renders it. */
export interface PlannedStack {
  readonly cloud: CloudStacks;
  readonly plan: CloudStackPlan;
}

function labels(clouds: readonly CloudStacks[]): string {
  const names = clouds.map((cloud) => cloud.label);
  if (names.length === 0) return 'no cloud has';
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  return `only ${list} ${names.length === 1 ? 'has' : 'have'}`;
}

/** Whether and where a target gets Terraform: the one place `ls`, the README and the generator agree on. */
export function terraformCoverage(
  matrix: ResolvedMatrix,
  target: ResolvedTarget,
  clouds: readonly CloudStacks[] = CLOUD_STACKS,
): TerraformCoverage {
  const cloud = clouds.find((entry) => entry.cloud === target.cloud);
  if (!cloud) return { reason: `none yet (${target.cloud}: ${labels(clouds)} stacks)` };
  if (!matrix.terraform) return { reason: 'none (the matrix has no terraform settings)' };
  const scope = cloud.stackScope(target);
  if (scope === undefined) return { reason: `none (${cloud.label} writes no stack for it)` };
  return { stack: repoPath(terraformStackDir(scope)) };
}

/** The stack folder that covers a target, or why there is none: what `envmatrix ls` shows. */
export function describeTerraformCoverage(
  matrix: ResolvedMatrix,
  target: ResolvedTarget,
  clouds: readonly CloudStacks[] = CLOUD_STACKS,
): string {
  const coverage = terraformCoverage(matrix, target, clouds);
  return coverage.stack ?? coverage.reason;
}

/**
 * A plan's scope must start with its environment's name and then its cloud (`affected` and the
 * workflow tell clouds apart by it), and its folder must be the one the scope names.
 */
function checkPlan(cloud: CloudStacks, plan: CloudStackPlan, envs: ReadonlySet<string>): void {
  const [env, cloudName] = plan.scope.split('/');
  const problem =
    env === undefined || !envs.has(env) || cloudName !== cloud.cloud
      ? `scope "${plan.scope}" is not <env>/${cloud.cloud}/…`
      : plan.dir !== terraformStackDir(plan.scope)
        ? `folder "${plan.dir}" is not ${terraformStackDir(plan.scope)}`
        : undefined;
  if (problem) {
    throw new GeneratorError(
      GENERATOR_NAME,
      plan.scope,
      undefined,
      `the ${cloud.label} plugin planned a stack whose ${problem}`,
      `make the ${cloud.cloud} plugin's scopes <env>/${cloud.cloud}/… and its folders terraformStackDir(scope)`,
    );
  }
}

/** Every stack the matrix gets: each registered cloud's, in registration order. */
export function plannedStacks(
  matrix: ResolvedMatrix,
  clouds: readonly CloudStacks[] = CLOUD_STACKS,
): PlannedStack[] {
  const settings = matrix.terraform;
  if (!settings) return [];
  const envs = new Set(matrix.environments.map((env) => env.name));
  return clouds.flatMap((cloud) =>
    cloud.stacks(matrix, settings).map((plan) => {
      checkPlan(cloud, plan, envs);
      return { cloud, plan };
    }),
  );
}

/** The plans alone (see plannedStacks). */
export function terraformStacks(
  matrix: ResolvedMatrix,
  clouds: readonly CloudStacks[] = CLOUD_STACKS,
): CloudStackPlan[] {
  return plannedStacks(matrix, clouds).map((stack) => stack.plan);
}
