/**
 * GCP's stacks as plain data: one per environment and GCP region (`generated/terraform/<env>/gcp/<region>/`),
 * holding every GKE cluster of that environment in that region, with its GCS state prefix, provider
 * settings (project, default labels), and per cluster its network ranges and node pools.
 */
import { createHash } from 'node:crypto';
import { compareStrings } from '../../../core/compare.ts';
import { gkeClusterName } from '../../../matrix/clouds/gcp/index.ts';
import type { GkeReleaseChannel } from '../../../matrix/clouds/gcp/settings.ts';
import {
  formatCidr,
  parseCidr,
  subrange,
  type ResolvedTerraformSettings,
} from '../../../matrix/infrastructure.ts';
import type { ResolvedMatrix, ResolvedTarget } from '../../../matrix/types.ts';
import { GeneratorError } from '../../errors.ts';
import { terraformStackDir } from '../../paths.ts';
// The same on-demand/spot split as AWS (policy.onDemandPercent), so the policy means one thing.
import { splitNodes, type NodeGroupPlan } from '../aws/layout.ts';
import {
  defaultTagsFor,
  GENERATOR_NAME,
  regionalStackScope,
  REQUIRED_TERRAFORM_VERSION,
  type CloudStackPlan,
} from '../cloud.ts';

/** The bindings are generated from google 6.50.0; 7.x has no prebuilt binding to check against. */
export const GOOGLE_PROVIDER_CONSTRAINT = '>= 6.50.0, < 7.0.0';

/** Names of the subnet's secondary ranges, which the cluster's IP allocation policy refers to. */
export const PODS_RANGE = 'pods';
export const SERVICES_RANGE = 'services';

export interface GkeNetworkLayout {
  /** Primary range of the region's subnet (node addresses): the block's first 1/16. */
  readonly subnetCidr: string;
  /** Secondary range for services: the second 1/16. */
  readonly servicesCidr: string;
  /** The control plane's private /28 (private nodes): the start of the third 1/16. */
  readonly masterCidr: string;
  /** Secondary range for pods: the second half (GKE gives each node a /24 of it). */
  readonly podsCidr: string;
}

/**
 * Every range of a GKE cluster carved from its one block (`network.vpcCidr`), so the ranges of a
 * cluster never overlap each other, and the environment-wide overlap check on blocks covers them all
 * (across clouds too). A /16 gives a /20 subnet, a /20 for services and a /17 for pods.
 */
export function gkeNetworkLayout(blockCidr: string): GkeNetworkLayout {
  const block = parseCidr(blockCidr);
  if (!block) throw new Error(`gkeNetworkLayout: ${blockCidr} is not an IPv4 range`);
  return {
    subnetCidr: formatCidr(subrange(block, block.prefix + 4, 0)),
    servicesCidr: formatCidr(subrange(block, block.prefix + 4, 1)),
    masterCidr: formatCidr(subrange(subrange(block, block.prefix + 4, 2), 28, 0)),
    podsCidr: formatCidr(subrange(block, block.prefix + 1, 1)),
  };
}

export interface GkeNodePoolPlan extends NodeGroupPlan {
  readonly machineType: string;
  /** Nodes per zone at creation: a regional pool's initial count is per zone. */
  readonly initialPerZone: number;
}

export interface GkeClusterPlan {
  readonly target: string;
  readonly name: string;
  readonly gkeName: string;
  /** Global per project, so env, cluster and region are in it. */
  readonly networkName: string;
  readonly nodeServiceAccount: string;
  readonly project: string;
  readonly kubernetesVersion: string;
  readonly releaseChannel: GkeReleaseChannel;
  readonly zones: readonly string[];
  readonly network: GkeNetworkLayout;
  readonly nodePools: readonly GkeNodePoolPlan[];
}

export interface GcpStackPlan extends CloudStackPlan {
  readonly env: string;
  readonly region: string;
  readonly requiredVersion: string;
  readonly providerConstraint: string;
  /** GCS: state at `<bucket>/<prefix>/default.tfstate`. */
  readonly backend: { readonly bucket: string; readonly prefix: string };
  readonly provider: {
    readonly project: string;
    readonly region: string;
    readonly defaultLabels: Readonly<Record<string, string>>;
  };
  readonly clusters: readonly GkeClusterPlan[];
}

export function gcpStatePrefix(prefix: string, env: string, region: string): string {
  return `${prefix}/${regionalStackScope('gcp', { env, region })}`;
}

/** GCP labels: the AWS default tags, with the same keys (all valid label keys). */
export function gcpDefaultLabels(env: string, region: string, costCentre: string): Record<string, string> {
  return defaultTagsFor('gcp', env, region, costCentre);
}

export function gcpStackScope(target: Pick<ResolvedTarget, 'env' | 'region'>): string {
  return regionalStackScope('gcp', target);
}

/** Service account ids are 6–30 characters and global per project: a short hash of the target id. */
export function nodeServiceAccountId(targetId: string): string {
  return `gke-nodes-${createHash('sha256').update(targetId).digest('hex').slice(0, 8)}`;
}

function clusterPlan(
  target: ResolvedTarget,
  project: string,
  channel: GkeReleaseChannel,
  onDemandPercent: number,
): GkeClusterPlan {
  if (!target.network) {
    throw new GeneratorError(
      GENERATOR_NAME,
      target.id,
      undefined,
      'the cluster has no network.vpcCidr',
      'add network: { vpcCidr: "10.N.0.0/16" } to the cluster entry and run envmatrix validate',
    );
  }
  const machineType = target.nodes.instanceTypes[0]!;
  const zones = target.zones.length;
  return {
    target: target.id,
    name: target.cluster,
    gkeName: gkeClusterName(target.env, target.cluster),
    networkName: `${target.env}-${target.cluster}-${target.region}`,
    nodeServiceAccount: nodeServiceAccountId(target.id),
    project,
    kubernetesVersion: target.kubernetesVersion,
    releaseChannel: channel,
    zones: target.zones,
    network: gkeNetworkLayout(target.network.vpcCidr),
    nodePools: splitNodes(target.nodes, onDemandPercent).map((group) => ({
      ...group,
      instanceTypes: [machineType],
      machineType,
      initialPerZone: Math.ceil(group.desired / zones),
    })),
  };
}

/** Every GCP stack (none without `terraform.gcp`), in target order. */
export function gcpStackPlans(matrix: ResolvedMatrix, settings: ResolvedTerraformSettings): GcpStackPlan[] {
  const gcp = settings.gcp;
  if (!gcp) return [];
  const byStack = new Map<string, ResolvedTarget[]>();
  for (const target of matrix.targets.filter((t) => t.cloud === 'gcp')) {
    const key = gcpStackScope(target);
    byStack.set(key, [...(byStack.get(key) ?? []), target]);
  }
  return [...byStack.values()].map((targets) => {
    const { env, region } = targets[0]!;
    // Validation reports an environment without a project before generators run.
    const project = gcp.projects[env]!;
    const channel = gcp.releaseChannels[env]!;
    const onDemandPercent = matrix.environments.find((e) => e.name === env)?.policy.onDemandPercent ?? 0;
    return {
      scope: gcpStackScope({ env, region }),
      dir: terraformStackDir(gcpStackScope({ env, region })),
      env,
      region,
      requiredVersion: REQUIRED_TERRAFORM_VERSION,
      providerConstraint: GOOGLE_PROVIDER_CONSTRAINT,
      backend: { bucket: gcp.state.bucket, prefix: gcpStatePrefix(gcp.state.prefix, env, region) },
      provider: { project, region, defaultLabels: gcpDefaultLabels(env, region, settings.costCentre) },
      clusters: [...targets]
        .sort((a, b) => compareStrings(a.cluster, b.cluster))
        .map((target) => clusterPlan(target, project, channel, onDemandPercent)),
    };
  });
}
