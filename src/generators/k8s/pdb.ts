/**
 * A PodDisruptionBudget wherever the environment's policy asks for one (`policy.podDisruptionBudget`,
 * on by default when `minReplicas` > 1). cdk8s-plus-28 has no PDB class, so this uses its bundled
 * `k8s` import.
 */
import { kplus } from './cdk8s.ts';
import type { k8s } from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { cdk8sContributor } from './chart.ts';
import { metaOf, type AppContext } from './context.ts';
import { appObjectName } from './names.ts';

export const disruptionBudgetContributor = cdk8sContributor({
  name: 'disruption-budget',
  build: (chart, ctx) => {
    addDisruptionBudget(chart, ctx);
  },
});

/**
 * The PDB, or undefined when the policy does not want one. `maxUnavailable: 1` lets a node drain take one
 * pod at a time at any replica count, where `minAvailable` set to the replica count would block drains
 * for good. Unhealthy pods may always be evicted, so a crash-looping pod cannot block a drain either.
 */
export function addDisruptionBudget(
  scope: Construct,
  ctx: AppContext,
): k8s.KubePodDisruptionBudget | undefined {
  // A scheduled app's run is a Job: evicting it is the Job's retry to handle, not a budget's.
  if (!ctx.policy.podDisruptionBudget || ctx.app.values.schedule) return undefined;
  return new kplus.k8s.KubePodDisruptionBudget(scope, 'disruption-budget', {
    metadata: metaOf(ctx, appObjectName(ctx.app)),
    spec: {
      maxUnavailable: kplus.k8s.IntOrString.fromNumber(1),
      selector: { matchLabels: { ...ctx.selector } },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
