/**
 * `generated/terraform/<env>/aws/<region>/main.tf.json`: one Terraform stack per environment and AWS
 * region, synthesized with cdktf in memory. This folder is the only place that imports cdktf and
 * @cdktf/provider-aws (archived upstream; a move to the API-compatible fork is a change here only),
 * and it imports provider submodules, never the package root (2 s and 565 MB).
 */
import type { Generator, OutputFile } from '../types.ts';
import { GENERATOR_NAME, terraformStacks } from './plan.ts';
import type * as StackModule from './stack.ts';

/** stack.ts pulls in cdktf and provider-aws submodules; loaded on the first render (see Generator.load). */
let stackModule: typeof StackModule | undefined;

function loadedStackModule(): typeof StackModule {
  if (!stackModule)
    throw new Error(
      'the terraform renderer is not loaded: await loadRenderers() (or use composeLazily) first',
    );
  return stackModule;
}

export const terraformGenerator: Generator = {
  name: GENERATOR_NAME,
  version: '1',
  load: async () => {
    stackModule ??= await import('./stack.ts');
  },
  units: (matrix) =>
    terraformStacks(matrix).map((plan) => ({
      scope: plan.scope,
      input: plan,
      render: (): OutputFile[] => [
        // Terraform reads JSON keys in any order, but cdktf's order (terraform, provider, resources in
        // build order, outputs) is the one people read a stack in.
        {
          path: `${plan.dir}/main.tf.json`,
          format: 'json',
          data: loadedStackModule().renderStack(plan),
          keepKeyOrder: true,
        },
      ],
    })),
};
