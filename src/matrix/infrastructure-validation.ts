/**
 * Rules for the infrastructure settings (src/matrix/infrastructure.ts): each cluster's network and
 * node counts for every cloud, then what each registered cloud (src/matrix/clouds/) checks of its
 * settings and of the clusters that get its stacks. Called from validateMatrix, so these problems are
 * reported together with every other one.
 */
import type { MatrixIssue } from './errors.ts';
import {
  CLOUD_INFRASTRUCTURE,
  cloudInfrastructure,
  type CloudInfrastructure,
  type ClusterReport,
} from './clouds/index.ts';
import {
  blockSize,
  cidrsOverlap,
  formatCidr,
  isNetworkAddress,
  parseCidr,
  resolveNodes,
  VPC_PREFIX_RANGE,
  type Cidr,
} from './infrastructure.ts';
import { clusterName, targetId } from './resolve.ts';
import type { ClusterSpec, MatrixDefinition, ResolvedMatrix, ResolvedTarget } from './types.ts';

interface ClusterRef {
  readonly spec: ClusterSpec;
  readonly index: number;
  readonly id: string;
}

function reporter(issues: MatrixIssue[], ref: ClusterRef): ClusterReport {
  return (message, fix) => {
    issues.push({ path: `clusters[${ref.index}] ${ref.id}`, message, source: ref.spec.source, fix });
  };
}

/** Checks a cluster's network; returns its range when it is usable for the overlap check. */
function validateNetwork(spec: ClusterSpec, at: ClusterReport): Cidr | undefined {
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

/** Node counts, for every cloud; then the cluster's cloud checks what only it knows (instance types). */
function validateNodes(
  spec: ClusterSpec,
  cloud: CloudInfrastructure | undefined,
  onDemandPercent: number,
  at: ClusterReport,
): void {
  if (!spec.nodes) return;
  const nodes = resolveNodes(spec.nodes, cloud?.defaultInstanceTypes ?? []);
  const { min, max, desired } = nodes;
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
  cloud?.validateNodes(nodes, onDemandPercent, at);
}

/** Rules for a cluster that gets a Terraform stack: a network for every cloud, then the cloud's own. */
function validateStackCluster(
  target: ResolvedTarget,
  spec: ClusterSpec,
  cloud: CloudInfrastructure,
  taken: readonly Cidr[],
  at: ClusterReport,
): void {
  if (!spec.network) {
    at(
      'has no network.vpcCidr, which its Terraform stack needs',
      `add network: { vpcCidr: '${freeRange(taken)}' } to the cluster (any range no other ${spec.env} cluster uses)`,
    );
  }
  cloud.validateStackCluster(target, at);
}

/**
 * Every problem with the infrastructure settings. Network and node rules apply wherever they are
 * written; the rules of a Terraform stack (a cluster of a cloud with a plugin needs a network, EKS
 * needs two zones, names must fit the cloud's limits) apply when the matrix has `terraform` settings,
 * because only then are stacks written. `clouds` is the registry (tests pass their own).
 */
export function validateInfrastructure(
  matrix: MatrixDefinition,
  resolved: ResolvedMatrix,
  clouds: readonly CloudInfrastructure[] = CLOUD_INFRASTRUCTURE,
): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const { terraform } = matrix;
  if (terraform) {
    const at = (path: string, message: string, fix: string): void => {
      issues.push({ path: `terraform.${path}`, message, source: matrix.source, fix });
    };
    for (const cloud of clouds) cloud.validateSettings(matrix, terraform, at);
  }
  const policies = new Map(resolved.environments.map((env) => [env.name, env.policy]));
  const targets = new Map(resolved.targets.map((target) => [target.id, target]));
  const stackClusters: {
    target: ResolvedTarget;
    spec: ClusterSpec;
    cloud: CloudInfrastructure;
    at: ClusterReport;
  }[] = [];
  const checked = matrix.clusters.map((spec, index) => {
    const id = targetId(spec.env, spec.cloud, spec.region, clusterName(spec));
    const at = reporter(issues, { spec, index, id });
    const cloud = cloudInfrastructure(spec.cloud, clouds);
    validateNodes(spec, cloud, policies.get(spec.env)?.onDemandPercent ?? 0, at);
    return { spec, id, at, cloud, cidr: validateNetwork(spec, at) };
  });
  /** Every usable range per environment, for overlap checks and for suggesting a free one. */
  const ranges = new Map<string, Cidr[]>();
  for (const { spec, cidr } of checked)
    if (cidr) ranges.set(spec.env, [...(ranges.get(spec.env) ?? []), cidr]);
  checked.forEach(({ spec, id, at, cloud, cidr }, index) => {
    for (const other of checked.slice(0, index)) {
      if (!cidr || !other.cidr || other.spec.env !== spec.env || !cidrsOverlap(other.cidr, cidr)) continue;
      at(
        `network.vpcCidr ${formatCidr(cidr)} overlaps ${formatCidr(other.cidr)} of ${other.id} (${other.spec.source}); the VPCs of one environment must not overlap, so they can be peered`,
        `give ${id} a range no other ${spec.env} cluster uses, e.g. ${freeRange(ranges.get(spec.env) ?? [])}`,
      );
    }
    const target = targets.get(id);
    // A duplicate cluster resolves to the first definition; validateClusters reports the second.
    if (terraform && cloud && target && !stackClusters.some((c) => c.target === target))
      stackClusters.push({ target, spec, cloud, at });
  });
  for (const { target, spec, cloud, at } of stackClusters)
    validateStackCluster(target, spec, cloud, ranges.get(spec.env) ?? [], at);
  return issues;
}
