/**
 * Infrastructure settings: what the Terraform stacks need beyond the delivery matrix — where state
 * lives, how the provider reaches AWS, each AWS cluster's network and node capacity. The types, their
 * defaults and the names and address ranges derived from them live here, so the Terraform generator
 * reads complete values and never invents a default of its own; infrastructure-validation.ts checks
 * them.
 */
import type { RegionOf } from './regions.ts';

// ---------------------------------------------------------------------------------------------------
// Types

/** AWS services the stacks and their state backend call; the keys of `terraform.endpoints`. */
export const AWS_ENDPOINT_SERVICES = ['dynamodb', 'ec2', 'eks', 'iam', 's3', 'sts'] as const;
export type AwsEndpointService = (typeof AWS_ENDPOINT_SERVICES)[number];

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
   * EC2 instance types. The spot group may use all of them (several types make spot capacity easier
   * to find); the on-demand group uses the first.
   * @default ['m6i.large', 'm5.large', 'm5a.large']
   */
  readonly instanceTypes?: readonly string[];
  /** Fewest nodes, over both groups. @default 2 */
  readonly min?: number;
  /** Most nodes, over both groups. @default 6 */
  readonly max?: number;
  /** Nodes at creation, over both groups; the cluster autoscaler owns the number afterwards. @default min */
  readonly desired?: number;
}

/** Where the stacks keep Terraform state: one S3 bucket, one key per stack. */
export interface TerraformStateSettings {
  /** S3 bucket holding the state of every stack (create it, with versioning, before the first apply). */
  readonly bucket: string;
  /** AWS region of the bucket. */
  readonly region: RegionOf<'aws'>;
  /** Start of every state key: `<keyPrefix>/<env>/aws/<region>/terraform.tfstate`. @default 'envmatrix' */
  readonly keyPrefix?: string;
  /**
   * A DynamoDB table (hash key `LockID`) that locks state in addition to the S3 lockfile, for setups
   * that still rely on it; drop it once every Terraform that touches the state is 1.10 or newer.
   * @default no table: locking by the S3 lockfile (`use_lockfile`) only
   */
  readonly lockTable?: string;
}

/** Settings every Terraform stack shares. Without them, envmatrix writes no stacks. */
export interface TerraformSettings {
  readonly state: TerraformStateSettings;
  /** Value of the `cost-centre` tag on every resource. */
  readonly costCentre: string;
  /**
   * Endpoints replacing AWS's own, per service, for the provider and the state backend: private
   * endpoints, or an AWS-compatible API such as moto or LocalStack. List every service the stacks
   * call (ec2, eks, iam, s3, sts, and dynamodb with `state.lockTable`), or the rest reach real AWS.
   * @default AWS's public endpoints
   */
  readonly endpoints?: Readonly<Partial<Record<AwsEndpointService, string>>>;
  /**
   * The endpoints are an emulator (moto, LocalStack), not AWS: address S3 by path and skip the checks
   * only AWS answers (credentials, account id, region name, instance metadata).
   * @default false
   */
  readonly emulator?: boolean;
  /**
   * IAM role the provider assumes to manage the stacks' resources: one ARN for every environment, or
   * one per environment name (an account per environment). State is read with the caller's own
   * credentials, so the bucket can live in a separate account.
   * @default no role: the caller's credentials
   */
  readonly assumeRoleArn?: string | Readonly<Record<string, string>>;
}

export interface ResolvedNodes {
  readonly instanceTypes: readonly string[];
  readonly min: number;
  readonly max: number;
  readonly desired: number;
}

export interface ResolvedTerraformSettings {
  readonly state: {
    readonly bucket: string;
    readonly region: string;
    readonly keyPrefix: string;
    readonly lockTable?: string;
  };
  readonly costCentre: string;
  /** Sorted by service; empty for AWS's public endpoints. */
  readonly endpoints: Readonly<Partial<Record<AwsEndpointService, string>>>;
  readonly emulator: boolean;
  /** Role to assume per environment name; environments without one use the caller's credentials. */
  readonly assumeRoleArns: Readonly<Record<string, string>>;
}

// ---------------------------------------------------------------------------------------------------
// Resolution

export const DEFAULT_NODES: ResolvedNodes = {
  instanceTypes: ['m6i.large', 'm5.large', 'm5a.large'],
  min: 2,
  max: 6,
  desired: 2,
};
export const DEFAULT_STATE_KEY_PREFIX = 'envmatrix';

export function resolveNodes(options: NodeGroupOptions | undefined): ResolvedNodes {
  const min = options?.min ?? DEFAULT_NODES.min;
  return {
    instanceTypes: options?.instanceTypes ?? DEFAULT_NODES.instanceTypes,
    min,
    max: options?.max ?? DEFAULT_NODES.max,
    desired: options?.desired ?? min,
  };
}

function rolesByEnvironment(
  role: TerraformSettings['assumeRoleArn'],
  environments: readonly string[],
): Record<string, string> {
  const arnOf = (env: string): string | undefined => (typeof role === 'string' ? role : role?.[env]);
  return Object.fromEntries(
    environments.flatMap((env) => {
      const arn = arnOf(env);
      return arn === undefined ? [] : [[env, arn]];
    }),
  );
}

export function resolveTerraformSettings(
  settings: TerraformSettings,
  environments: readonly string[],
): ResolvedTerraformSettings {
  const { state } = settings;
  const endpoints = settings.endpoints ?? {};
  return {
    state: {
      bucket: state.bucket,
      region: state.region,
      keyPrefix: state.keyPrefix ?? DEFAULT_STATE_KEY_PREFIX,
      ...(state.lockTable !== undefined && { lockTable: state.lockTable }),
    },
    costCentre: settings.costCentre,
    endpoints: Object.fromEntries(
      AWS_ENDPOINT_SERVICES.filter((service) => endpoints[service] !== undefined).map((service) => [
        service,
        endpoints[service],
      ]),
    ),
    emulator: settings.emulator ?? false,
    assumeRoleArns: rolesByEnvironment(settings.assumeRoleArn, environments),
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
/** A private subnet per zone takes 1/8 of the VPC, and the eighth slot holds the public ones. */
export const MAX_VPC_ZONES = 7;
/** EKS requires subnets in at least two zones. */
export const MIN_EKS_ZONES = 2;

// ---------------------------------------------------------------------------------------------------
// Names the stacks give AWS resources (checked by infrastructure-validation.ts, used by the generator)

/** EKS cluster name: unique per account and region, so the environment is part of it. */
export function eksClusterName(env: string, cluster: string): string {
  return `${env}-${cluster}`;
}

/** IAM role names are global per account: environment, region and cluster make them unique. */
export function iamRoleName(env: string, region: string, cluster: string, role: 'cluster' | 'nodes'): string {
  return `${env}-${region}-${cluster}-eks-${role}`;
}

/** AWS limit on IAM role names. */
export const IAM_ROLE_NAME_MAX = 64;
