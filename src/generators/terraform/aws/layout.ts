/**
 * The arithmetic of a stack, kept apart from cdktf so it can be read and tested as plain data: how a
 * VPC's range is carved into subnets, and how node capacity is split between on-demand and spot.
 */
import { formatCidr, parseCidr, subrange } from '../../../matrix/infrastructure.ts';
import type { ResolvedNodes } from '../../../matrix/infrastructure.ts';

export interface ZoneSubnets {
  readonly zone: string;
  /** Nodes and pods live here: 1/8 of the VPC, because on EKS every pod takes a VPC address. */
  readonly privateCidr: string;
  /** NAT gateways and internet-facing load balancers live here: 1/64 of the VPC. */
  readonly publicCidr: string;
}

/**
 * Subnets per zone, in zone order. Zone i gets the i-th eighth of the VPC as its private subnet; the
 * eighth eighth is cut into eight public subnets, and zone i gets the i-th. So a /16 gives /19 private
 * and /22 public subnets, and adding a zone later never moves an existing subnet.
 */
export function subnetLayout(vpcCidr: string, zones: readonly string[]): ZoneSubnets[] {
  const vpc = parseCidr(vpcCidr);
  // Validation guarantees a well-formed /16–/22 and at most 7 zones before generators run.
  if (!vpc) throw new Error(`subnetLayout: ${vpcCidr} is not an IPv4 range`);
  const publicPool = subrange(vpc, vpc.prefix + 3, 7);
  return zones.map((zone, index) => ({
    zone,
    privateCidr: formatCidr(subrange(vpc, vpc.prefix + 3, index)),
    publicCidr: formatCidr(subrange(publicPool, vpc.prefix + 6, index)),
  }));
}

export type CapacityType = 'ON_DEMAND' | 'SPOT';

export interface NodeGroupPlan {
  /** `on-demand` or `spot`. */
  readonly kind: 'on-demand' | 'spot';
  readonly capacityType: CapacityType;
  readonly instanceTypes: readonly string[];
  readonly min: number;
  readonly max: number;
  readonly desired: number;
}

/** The on-demand share of `count` nodes, rounded up: the policy is a floor ("at least 30%"). */
function onDemandShare(count: number, percent: number): number {
  return Math.ceil((count * percent) / 100);
}

/**
 * Split node capacity into an on-demand baseline and a spot group. Each of min, desired and max gives
 * at least `onDemandPercent` of its nodes (rounded up) to on-demand and the rest to spot; a group whose
 * max comes to 0 is left out (EKS rejects a node group with max 0). The spot group may use every
 * instance type, the on-demand group uses the first, so its capacity is predictable.
 */
export function splitNodes(nodes: ResolvedNodes, onDemandPercent: number): NodeGroupPlan[] {
  const onDemand = {
    min: onDemandShare(nodes.min, onDemandPercent),
    max: onDemandShare(nodes.max, onDemandPercent),
    desired: onDemandShare(nodes.desired, onDemandPercent),
  };
  const groups: NodeGroupPlan[] = [
    {
      kind: 'on-demand',
      capacityType: 'ON_DEMAND',
      instanceTypes: nodes.instanceTypes.slice(0, 1),
      ...onDemand,
    },
    {
      kind: 'spot',
      capacityType: 'SPOT',
      instanceTypes: nodes.instanceTypes,
      min: nodes.min - onDemand.min,
      max: nodes.max - onDemand.max,
      desired: nodes.desired - onDemand.desired,
    },
  ];
  return groups.filter((group) => group.max > 0);
}
