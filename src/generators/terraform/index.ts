/**
 * `generated/terraform/<env>/<cloud>/…/`: the Terraform stacks of every registered cloud
 * (clouds.ts), synthesized with cdktf in memory. This folder is the only place that imports cdktf and
 * the cdktf provider packages (archived upstream; a move to the API-compatible fork is a change here
 * only); each cloud loads them in its renderer, on the first render (see Generator.load).
 */
import type { Generator } from '../types.ts';
import type { CloudStackPlan, CloudStacks, StackRenderer } from './cloud.ts';
import { CLOUD_STACKS } from './clouds.ts';
import { GENERATOR_NAME, plannedStacks } from './plan.ts';

/** The terraform generator over these clouds; tests pass their own list to add a cloud. */
export function terraformGeneratorFor(clouds: readonly CloudStacks[]): Generator {
  const renderers = new Map<CloudStacks, StackRenderer<CloudStackPlan>>();
  const rendererOf = (cloud: CloudStacks): StackRenderer<CloudStackPlan> => {
    const renderer = renderers.get(cloud);
    if (!renderer)
      throw new Error(
        `the terraform renderer of ${cloud.cloud} is not loaded: await loadRenderers() (or use composeLazily) first`,
      );
    return renderer;
  };
  return {
    name: GENERATOR_NAME,
    version: '1',
    load: async () => {
      await Promise.all(
        clouds.map(async (cloud) => {
          if (!renderers.has(cloud)) renderers.set(cloud, await cloud.load());
        }),
      );
    },
    units: (matrix) =>
      plannedStacks(matrix, clouds).map(({ cloud, plan }) => ({
        scope: plan.scope,
        // The plan alone (no cloud name beside it): its scope names the cloud already, and index.json's
        // input hashes stay those of the stacks before clouds were plugins.
        input: plan,
        render: () => rendererOf(cloud).render(plan),
      })),
  };
}

export const terraformGenerator: Generator = terraformGeneratorFor(CLOUD_STACKS);
