/**
 * Infrastructure settings every cloud shares: the shape of `terraform` in the matrix, each cluster's
 * network and node capacity, and IPv4 range arithmetic. What is particular to one cloud (AWS's S3
 * state, endpoints, EC2 types, IAM names) lives in its module under src/matrix/clouds/, registered in
 * src/matrix/clouds/index.ts; infrastructure-validation.ts runs the shared rules and each cloud's.
 */
import type { AwsTerraformSettings, ResolvedAwsSettings } from './clouds/aws/settings.ts';

export {
  AWS_ENDPOINT_SERVICES,
  type AwsEndpointService,
  type AwsTerraformSettings,
  type TerraformStateSettings,
} from './clouds/aws/settings.ts';

// ---------------------------------------------------------------------------------------------------
// Types

/** The network of a cluster's Terraform stack. */
export interface ClusterNetwork {
  /**
   * IPv4 range of the cluster's VPC, `/16` to `/22`, e.g. `10.1.0.0/16`. Ranges of one environment
   * must not overlap, so its regions can be peered. Each zone gets a private subnet of 1/8 of the VPC
   * and a public one of 1/64, both carved from this range.
   */
  readonly vpcCidr: string;
}

/**
 * Node capacity of a cluster, before the environment's policy splits it between an on-demand group
 * and a spot group (`policy.onDemandPercent`).
 */
export interface NodeGroupOptions {
  /**
   * Instance (machine) types in the cloud's own spelling, e.g. EC2 types on AWS. The spot group may
   * use all of them (several types make spot capacity easier to find); the on-demand group uses the
   * first.
   * @default the cloud's defaults (AWS: ['m6i.large', 'm5.large', 'm5a.large'])
   */
  readonly instanceTypes?: readonly string[];
  /** Fewest nodes, over both groups. @default 2 */
  readonly min?: number;
  /** Most nodes, over both groups. @default 6 */
  readonly max?: number;
  /** Nodes at creation, over both groups; the cluster autoscaler owns the number afterwards. @default min */
  readonly desired?: number;
}

/**
 * Settings every Terraform stack shares, plus each cloud's own: AWS's sit at the top level (they came
 * first); another cloud adds one optional field named after it. Without them, envmatrix writes no
 * stacks.
 */
export interface TerraformSettings extends AwsTerraformSettings {
  /** Value of the `cost-centre` tag (or label) on every resource. */
  readonly costCentre: string;
}

export interface ResolvedNodes {
  readonly instanceTypes: readonly string[];
  readonly min: number;
  readonly max: number;
  readonly desired: number;
}

/** The shared settings resolved, plus each registered cloud's (CloudInfrastructure.resolveSettings). */
export interface ResolvedTerraformSettings extends ResolvedAwsSettings {
  readonly costCentre: string;
}

// ---------------------------------------------------------------------------------------------------
// Resolution

export const DEFAULT_NODE_COUNTS = { min: 2, max: 6 } as const;

/** Node capacity with defaults filled in; instance types default to the cloud's own. */
export function resolveNodes(
  options: NodeGroupOptions | undefined,
  defaultInstanceTypes: readonly string[],
): ResolvedNodes {
  const min = options?.min ?? DEFAULT_NODE_COUNTS.min;
  return {
    instanceTypes: options?.instanceTypes ?? defaultInstanceTypes,
    min,
    max: options?.max ?? DEFAULT_NODE_COUNTS.max,
    desired: options?.desired ?? min,
  };
}

// ---------------------------------------------------------------------------------------------------
// IPv4 ranges

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parse `a.b.c.d/p`; undefined when malformed. Host bits may be set (see `isNetworkAddress`). */
export function parseCidr(text: string): Cidr | undefined {
  const match = CIDR.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
  const base = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  return { base, prefix };
}

export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** Whether the address is the first of its range (`10.1.0.0/16`, not `10.1.2.0/16`). */
export function isNetworkAddress(cidr: Cidr): boolean {
  return cidr.base % blockSize(cidr.prefix) === 0;
}

export function formatCidr(cidr: Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${cidr.prefix}`;
}

/** The `index`-th range of `prefix` inside `parent` (no bounds check: callers stay inside). */
export function subrange(parent: Cidr, prefix: number, index: number): Cidr {
  return { base: parent.base + index * blockSize(prefix), prefix };
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const size = blockSize(Math.min(a.prefix, b.prefix));
  return Math.floor(a.base / size) === Math.floor(b.base / size);
}

/** Largest and smallest VPC prefix: `/22` still leaves each public subnet a `/28`, AWS's smallest. */
export const VPC_PREFIX_RANGE = { min: 16, max: 22 } as const;
