/**
 * `generated/terraform/<env>/aws/<region>/main.tf.json`: one Terraform stack per environment and AWS
 * region, synthesized with cdktf in memory. This folder is the only place that imports cdktf and
 * @cdktf/provider-aws (archived upstream; a move to the API-compatible fork is a change here only),
 * and it imports provider submodules, never the package root (2 s and 565 MB).
 */
import type { Generator, OutputFile } from '../types.ts';
import { GENERATOR_NAME, terraformStacks } from './plan.ts';
import { renderStack } from './stack.ts';

export const terraformGenerator: Generator = {
  name: GENERATOR_NAME,
  version: '1',
  units: (matrix) =>
    terraformStacks(matrix).map((plan) => ({
      scope: plan.scope,
      input: plan,
      render: (): OutputFile[] => [
        // Terraform reads JSON keys in any order, but cdktf's order (terraform, provider, resources in
        // build order, outputs) is the one people read a stack in.
        { path: `${plan.dir}/main.tf.json`, format: 'json', data: renderStack(plan), keepKeyOrder: true },
      ],
    })),
};
