/**
 * Spreading an app's pods across zones and hosts. cdk8s-plus-28 expresses `spread` as pod anti-affinity,
 * which caps pods at one per zone; topology spread constraints keep them balanced at any replica count,
 * so they are added to the pod spec explicitly (by JSON patch on the workload).
 */
import type { k8s } from 'cdk8s-plus-28';
import type { AppContext } from './context.ts';

export const ZONE_TOPOLOGY_KEY = 'topology.kubernetes.io/zone';
export const HOST_TOPOLOGY_KEY = 'kubernetes.io/hostname';

/**
 * The label each ReplicaSet's pods get from their controller. Listing it in `matchLabelKeys` makes the
 * scheduler balance each revision on its own, so a rollout does not pile new pods into the zone the old
 * ones are leaving.
 */
export const TEMPLATE_HASH_LABEL = {
  deployment: 'pod-template-hash',
  rollout: 'rollouts-pod-template-hash',
} as const;

/**
 * The constraints for an app, or undefined when its environment does not ask for several zones
 * (`policy.minZones` ≤ 1). Zones are a hard requirement (the policy promises survival of a zone loss);
 * hosts are best effort, so a small cluster can still schedule every replica.
 */
export function topologySpreadConstraints(
  ctx: AppContext,
  hashLabel: string,
): k8s.TopologySpreadConstraint[] | undefined {
  if (ctx.policy.minZones <= 1) return undefined;
  const labelSelector = { matchLabels: { ...ctx.selector } };
  return [
    // Keys in sorted order, as the rest of the object: the canonical order costs nothing to keep then.
    {
      labelSelector,
      matchLabelKeys: [hashLabel],
      maxSkew: 1,
      topologyKey: ZONE_TOPOLOGY_KEY,
      whenUnsatisfiable: 'DoNotSchedule',
    },
    {
      labelSelector,
      matchLabelKeys: [hashLabel],
      maxSkew: 1,
      topologyKey: HOST_TOPOLOGY_KEY,
      whenUnsatisfiable: 'ScheduleAnyway',
    },
  ];
}
