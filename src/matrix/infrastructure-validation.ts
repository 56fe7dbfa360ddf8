/**
 * Rules for the infrastructure settings (src/matrix/infrastructure.ts): the shared Terraform settings,
 * each cluster's network and node capacity, and what an AWS cluster needs to get a Terraform stack.
 * Called from validateMatrix, so these problems are reported together with every other one.
 */
import type { MatrixIssue } from './errors.ts';
import {
  AWS_ENDPOINT_SERVICES,
  blockSize,
  cidrsOverlap,
  formatCidr,
  IAM_ROLE_NAME_MAX,
  iamRoleName,
  isNetworkAddress,
  MAX_VPC_ZONES,
  MIN_EKS_ZONES,
  parseCidr,
  resolveNodes,
  VPC_PREFIX_RANGE,
  type Cidr,
  type TerraformSettings,
} from './infrastructure.ts';
import { regionInfo } from './regions.ts';
import { clusterName, targetId } from './resolve.ts';
import type { ClusterSpec, MatrixDefinition, ResolvedMatrix, ResolvedTarget } from './types.ts';

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DYNAMODB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
/** What AWS allows in a tag value. */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const INSTANCE_TYPE = /^[a-z0-9-]+\.[a-z0-9-]+$/;

interface ClusterRef {
  readonly spec: ClusterSpec;
  readonly index: number;
  readonly id: string;
}

type Report = (message: string, fix: string) => void;

function reporter(issues: MatrixIssue[], ref: ClusterRef): Report {
  return (message, fix) => {
    issues.push({ path: `clusters[${ref.index}] ${ref.id}`, message, source: ref.spec.source, fix });
  };
}

function isHttpUrl(value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function validateState(
  settings: TerraformSettings,
  at: (path: string, message: string, fix: string) => void,
): void {
  const { state } = settings;
  if (!S3_BUCKET.test(state.bucket) || state.bucket.includes('..')) {
    at(
      'state.bucket',
      `${JSON.stringify(state.bucket)} is not an S3 bucket name`,
      'use 3–63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit',
    );
  }
  if (!regionInfo('aws', state.region)) {
    at(
      'state.region',
      `"${state.region}" is not an AWS region`,
      'give the AWS region the state bucket lives in (one of src/matrix/regions.ts)',
    );
  }
  if (state.keyPrefix !== undefined && (state.keyPrefix === '' || /^\/|\/$|\/\//.test(state.keyPrefix))) {
    at(
      'state.keyPrefix',
      `${JSON.stringify(state.keyPrefix)} is not a key prefix`,
      'write folder names joined by "/", without a leading or trailing "/", e.g. "platform/envmatrix"',
    );
  }
  if (state.lockTable !== undefined && !DYNAMODB_TABLE.test(state.lockTable)) {
    at(
      'state.lockTable',
      `${JSON.stringify(state.lockTable)} is not a DynamoDB table name`,
      'use 3–255 letters, digits, "_", "." and "-", or leave lockTable out to lock by the S3 lockfile',
    );
  }
}

function validateEndpoints(
  settings: TerraformSettings,
  at: (path: string, message: string, fix: string) => void,
): void {
  const endpoints: Readonly<Record<string, string | undefined>> = settings.endpoints ?? {};
  const given = Object.keys(endpoints);
  for (const service of given) {
    if (!(AWS_ENDPOINT_SERVICES as readonly string[]).includes(service)) {
      at(
        `endpoints.${service}`,
        `unknown service "${service}"`,
        `use ${AWS_ENDPOINT_SERVICES.join(', ')}: the services the stacks and their state backend call`,
      );
    } else if (!isHttpUrl(endpoints[service])) {
      at(
        `endpoints.${service}`,
        `${JSON.stringify(endpoints[service])} is not an http(s) URL`,
        'write a URL, e.g. https://ec2.us-east-1.amazonaws.com or http://127.0.0.1:5000',
      );
    }
  }
  if (given.length > 0) {
    const needed = AWS_ENDPOINT_SERVICES.filter(
      (service) => service !== 'dynamodb' || settings.state.lockTable !== undefined,
    );
    const missing = needed.filter((service) => endpoints[service] === undefined);
    if (missing.length > 0) {
      at(
        'endpoints',
        `no endpoint for ${missing.join(', ')}, which the stacks call`,
        `add ${missing.join(', ')} to terraform.endpoints, or the provider reaches real AWS for them`,
      );
    }
  }
  if (settings.emulator && given.length === 0) {
    at(
      'emulator',
      'emulator is set, but there are no endpoints to emulate',
      'point terraform.endpoints at the emulator, or remove emulator',
    );
  }
}

function validateSettings(
  matrix: MatrixDefinition,
  settings: TerraformSettings,
  issues: MatrixIssue[],
): void {
  const at = (path: string, message: string, fix: string): void => {
    issues.push({ path: `terraform.${path}`, message, source: matrix.source, fix });
  };
  validateState(settings, at);
  if (!TAG_VALUE.test(settings.costCentre)) {
    at(
      'costCentre',
      `${JSON.stringify(settings.costCentre)} is not an AWS tag value`,
      'use 1–256 letters, digits, spaces and _ . : / = + - @',
    );
  }
  validateEndpoints(settings, at);
  const role = settings.assumeRoleArn;
  const roles = typeof role === 'string' ? { '': role } : (role ?? {});
  for (const [env, arn] of Object.entries(roles)) {
    const path = env === '' ? 'assumeRoleArn' : `assumeRoleArn.${env}`;
    if (env !== '' && !(env in matrix.environments)) {
      at(
        path,
        `names unknown environment "${env}"`,
        `use one of: ${Object.keys(matrix.environments).join(', ')}`,
      );
    }
    if (!ROLE_ARN.test(arn)) {
      at(
        path,
        `${JSON.stringify(arn)} is not an IAM role ARN`,
        'write arn:aws:iam::<12-digit account id>:role/<name>',
      );
    }
  }
}

/** Checks a cluster's network; returns its range when it is usable for the overlap check. */
function validateNetwork(spec: ClusterSpec, at: Report): Cidr | undefined {
  const text = spec.network?.vpcCidr;
  if (text === undefined) return undefined;
  const cidr = parseCidr(text);
  if (!cidr) {
    at(
      `network.vpcCidr ${JSON.stringify(text)} is not an IPv4 range`,
      'write address/prefix, e.g. 10.1.0.0/16',
    );
    return undefined;
  }
  if (cidr.prefix < VPC_PREFIX_RANGE.min || cidr.prefix > VPC_PREFIX_RANGE.max) {
    at(
      `network.vpcCidr ${text} is a /${cidr.prefix}; a cluster VPC is /${VPC_PREFIX_RANGE.min} to /${VPC_PREFIX_RANGE.max}`,
      `use a /${VPC_PREFIX_RANGE.min} unless addresses are scarce (on EKS every pod takes a VPC address)`,
    );
    return undefined;
  }
  if (!isNetworkAddress(cidr)) {
    const first = { base: cidr.base - (cidr.base % blockSize(cidr.prefix)), prefix: cidr.prefix };
    at(`network.vpcCidr ${text} has host bits set`, `write the range's first address: ${formatCidr(first)}`);
    return undefined;
  }
  return cidr;
}

/** The first `10.N.0.0/16` that overlaps none of `taken`, for fix hints. */
function freeRange(taken: readonly Cidr[]): string {
  for (let n = 0; n < 256; n++) {
    const candidate: Cidr = { base: (10 * 256 + n) * 65_536, prefix: 16 };
    if (!taken.some((cidr) => cidrsOverlap(cidr, candidate))) return formatCidr(candidate);
  }
  return '172.16.0.0/16';
}

function validateNodes(spec: ClusterSpec, onDemandPercent: number, at: Report): void {
  if (!spec.nodes) return;
  const { instanceTypes, min, max, desired } = resolveNodes(spec.nodes);
  const counts = { min, max, desired };
  const whole = Object.entries(counts).filter(([key, value]) => {
    if (Number.isInteger(value) && value >= 0) return true;
    at(`nodes.${key} ${value} is not a whole number ≥ 0`, `set nodes.${key} to 0 or more`);
    return false;
  });
  if (whole.length === 3) {
    if (max < 1) at('nodes.max 0 leaves the cluster without nodes', 'set nodes.max to 1 or more');
    if (min > max) at(`nodes.min ${min} > nodes.max ${max}`, 'make nodes.max at least nodes.min');
    else if (desired < min || desired > max)
      at(
        `nodes.desired ${desired} is outside nodes.min ${min} … nodes.max ${max}`,
        'pick nodes.desired between min and max, or leave it out to start at min',
      );
  }
  if (instanceTypes.length === 0)
    at(
      'nodes.instanceTypes is empty',
      'list EC2 instance types, e.g. ["m6i.large", "m5.large", "m5a.large"]',
    );
  for (const type of instanceTypes.filter((t) => !INSTANCE_TYPE.test(t)))
    at(
      `nodes.instanceTypes has ${JSON.stringify(type)}, which is not an EC2 instance type`,
      'write types such as m6i.large',
    );
  if (onDemandPercent < 100 && instanceTypes.length === 1) {
    at(
      `nodes.instanceTypes has one type (${instanceTypes[0]}) for the spot group`,
      'list two or more similar types, e.g. ["m6i.large", "m5.large", "m5a.large"]: one type alone runs out of spot capacity',
    );
  }
}

/** Rules for an AWS cluster that gets a Terraform stack. */
function validateStackCluster(
  target: ResolvedTarget,
  spec: ClusterSpec,
  taken: readonly Cidr[],
  at: Report,
): void {
  if (!spec.network) {
    at(
      'has no network.vpcCidr, which its Terraform stack needs',
      `add network: { vpcCidr: '${freeRange(taken)}' } to the cluster (any range no other ${spec.env} cluster uses)`,
    );
  }
  const zones = target.zones.length;
  if (zones < MIN_EKS_ZONES) {
    at(
      `spans ${zones} zone${zones === 1 ? '' : 's'}; EKS needs subnets in at least ${MIN_EKS_ZONES}`,
      `list at least ${MIN_EKS_ZONES} zones of ${spec.region} in the cluster's zones`,
    );
  } else if (zones > MAX_VPC_ZONES) {
    at(
      `spans ${zones} zones; its VPC has room for subnets in at most ${MAX_VPC_ZONES}`,
      `list at most ${MAX_VPC_ZONES} zones in the cluster's zones`,
    );
  }
  const role = iamRoleName(target.env, target.region, target.cluster, 'cluster');
  if (role.length > IAM_ROLE_NAME_MAX) {
    at(
      `IAM role name ${role} has ${role.length} characters; AWS allows ${IAM_ROLE_NAME_MAX}`,
      'shorten the environment or cluster name',
    );
  }
}

/**
 * Every problem with the infrastructure settings. Network and node rules apply wherever they are
 * written; the rules of a Terraform stack (an AWS cluster needs a network, EKS needs two zones, names
 * must fit AWS limits) apply when the matrix has `terraform` settings, because only then are stacks
 * written.
 */
export function validateInfrastructure(matrix: MatrixDefinition, resolved: ResolvedMatrix): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  if (matrix.terraform) validateSettings(matrix, matrix.terraform, issues);
  const policies = new Map(resolved.environments.map((env) => [env.name, env.policy]));
  const targets = new Map(resolved.targets.map((target) => [target.id, target]));
  const stackClusters: { target: ResolvedTarget; spec: ClusterSpec; at: Report }[] = [];
  const checked = matrix.clusters.map((spec, index) => {
    const id = targetId(spec.env, spec.cloud, spec.region, clusterName(spec));
    const at = reporter(issues, { spec, index, id });
    validateNodes(spec, policies.get(spec.env)?.onDemandPercent ?? 0, at);
    return { spec, id, at, cidr: validateNetwork(spec, at) };
  });
  /** Every usable range per environment, for overlap checks and for suggesting a free one. */
  const ranges = new Map<string, Cidr[]>();
  for (const { spec, cidr } of checked)
    if (cidr) ranges.set(spec.env, [...(ranges.get(spec.env) ?? []), cidr]);
  checked.forEach(({ spec, id, at, cidr }, index) => {
    for (const other of checked.slice(0, index)) {
      if (!cidr || !other.cidr || other.spec.env !== spec.env || !cidrsOverlap(other.cidr, cidr)) continue;
      at(
        `network.vpcCidr ${formatCidr(cidr)} overlaps ${formatCidr(other.cidr)} of ${other.id} (${other.spec.source}); the VPCs of one environment must not overlap, so they can be peered`,
        `give ${id} a range no other ${spec.env} cluster uses, e.g. ${freeRange(ranges.get(spec.env) ?? [])}`,
      );
    }
    const target = targets.get(id);
    // A duplicate cluster resolves to the first definition; validateClusters reports the second.
    if (matrix.terraform && spec.cloud === 'aws' && target && !stackClusters.some((c) => c.target === target))
      stackClusters.push({ target, spec, at });
  });
  for (const { target, spec, at } of stackClusters)
    validateStackCluster(target, spec, ranges.get(spec.env) ?? [], at);
  return issues;
}
