/**
 * Azure's stacks as plain data: one per environment and Azure region
 * (`generated/terraform/<env>/azure/<region>/`), holding every AKS cluster of that environment in that
 * region, with its azurerm state key, a resource group, and per cluster its network ranges and pools.
 */
import { compareStrings } from '../../../core/compare.ts';
import { aksClusterName, azureResourceGroupName } from '../../../matrix/clouds/azure/index.ts';
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
import { splitNodes } from '../aws/layout.ts';
import {
  defaultTagsFor,
  GENERATOR_NAME,
  regionalStackScope,
  REQUIRED_TERRAFORM_VERSION,
  type CloudStackPlan,
} from '../cloud.ts';

/** The bindings are generated from azurerm 4.55.0. */
export const AZURERM_PROVIDER_CONSTRAINT = '>= 4.55.0, < 5.0.0';

export interface AksNetworkLayout {
  /** The VNet: the block's first quarter. */
  readonly vnetCidr: string;
  /** Node subnet (system and spot pools): the VNet's first half. */
  readonly nodesCidr: string;
  /** Kubernetes services: the first 1/16 of the block's second quarter, outside the VNet as AKS requires. */
  readonly serviceCidr: string;
  /** CoreDNS's address: the tenth of the service range. */
  readonly dnsServiceIp: string;
  /** Azure CNI overlay pod range: the block's second half, outside the VNet (a /24 per node). */
  readonly podCidr: string;
}

/**
 * Every range of an AKS cluster carved from its one block (`network.vpcCidr`), so they never overlap
 * each other and the environment-wide overlap check on blocks covers them all, across clouds too.
 * A /16 gives a /18 VNet, a /19 node subnet, a /20 service range and a /17 pod range.
 */
export function aksNetworkLayout(blockCidr: string): AksNetworkLayout {
  const block = parseCidr(blockCidr);
  if (!block) throw new Error(`aksNetworkLayout: ${blockCidr} is not an IPv4 range`);
  const service = subrange(subrange(block, block.prefix + 2, 1), block.prefix + 4, 0);
  return {
    vnetCidr: formatCidr(subrange(block, block.prefix + 2, 0)),
    nodesCidr: formatCidr(subrange(block, block.prefix + 3, 0)),
    serviceCidr: formatCidr(service),
    dnsServiceIp: formatCidr({ base: service.base + 10, prefix: 32 }).replace('/32', ''),
    podCidr: formatCidr(subrange(block, block.prefix + 1, 1)),
  };
}

export interface AksPoolPlan {
  readonly min: number;
  readonly max: number;
  readonly desired: number;
}

export interface AksClusterPlan {
  readonly target: string;
  readonly name: string;
  readonly aksName: string;
  readonly kubernetesVersion: string;
  readonly zones: readonly string[];
  readonly vmSize: string;
  readonly network: AksNetworkLayout;
  /**
   * The system pool (AKS's default pool) carries the on-demand share; AKS needs at least one node in
   * it, so it never drops below 1 even when the policy gives on-demand nothing.
   */
  readonly systemPool: AksPoolPlan;
  /** The spot user pool, or none when the split leaves spot nothing. */
  readonly spotPool?: AksPoolPlan;
}

export interface AzureStackPlan extends CloudStackPlan {
  readonly env: string;
  readonly region: string;
  readonly requiredVersion: string;
  readonly providerConstraint: string;
  readonly backend: {
    readonly storageAccount: string;
    readonly container: string;
    readonly resourceGroup: string;
    /** `<keyPrefix>/<env>/azure/<region>/terraform.tfstate` */
    readonly key: string;
  };
  readonly provider: { readonly subscriptionId?: string };
  readonly resourceGroup: string;
  /** On every resource (azurerm has no provider-level default tags). */
  readonly tags: Readonly<Record<string, string>>;
  readonly clusters: readonly AksClusterPlan[];
}

export function azureStateKey(keyPrefix: string, env: string, region: string): string {
  return `${keyPrefix}/${regionalStackScope('azure', { env, region })}/terraform.tfstate`;
}

export function azureDefaultTags(env: string, region: string, costCentre: string): Record<string, string> {
  return defaultTagsFor('azure', env, region, costCentre);
}

export function azureStackScope(target: Pick<ResolvedTarget, 'env' | 'region'>): string {
  return regionalStackScope('azure', target);
}

function clusterPlan(target: ResolvedTarget, onDemandPercent: number): AksClusterPlan {
  if (!target.network) {
    throw new GeneratorError(
      GENERATOR_NAME,
      target.id,
      undefined,
      'the cluster has no network.vpcCidr',
      'add network: { vpcCidr: "10.N.0.0/16" } to the cluster entry and run envmatrix validate',
    );
  }
  const groups = splitNodes(target.nodes, onDemandPercent);
  const onDemand = groups.find((g) => g.kind === 'on-demand');
  const spot = groups.find((g) => g.kind === 'spot');
  const atLeastOne = (n: number | undefined): number => Math.max(n ?? 0, 1);
  return {
    target: target.id,
    name: target.cluster,
    aksName: aksClusterName(target.env, target.cluster),
    kubernetesVersion: target.kubernetesVersion,
    zones: target.zones,
    vmSize: target.nodes.instanceTypes[0]!,
    network: aksNetworkLayout(target.network.vpcCidr),
    systemPool: {
      min: atLeastOne(onDemand?.min),
      max: atLeastOne(onDemand?.max),
      desired: atLeastOne(onDemand?.desired),
    },
    ...(spot && { spotPool: { min: spot.min, max: spot.max, desired: spot.desired } }),
  };
}

/** Every Azure stack (none without `terraform.azure`), in target order. */
export function azureStackPlans(
  matrix: ResolvedMatrix,
  settings: ResolvedTerraformSettings,
): AzureStackPlan[] {
  const azure = settings.azure;
  if (!azure) return [];
  const byStack = new Map<string, ResolvedTarget[]>();
  for (const target of matrix.targets.filter((t) => t.cloud === 'azure')) {
    const key = azureStackScope(target);
    byStack.set(key, [...(byStack.get(key) ?? []), target]);
  }
  return [...byStack.values()].map((targets) => {
    const { env, region } = targets[0]!;
    const onDemandPercent = matrix.environments.find((e) => e.name === env)?.policy.onDemandPercent ?? 0;
    const subscriptionId = azure.subscriptionIds[env];
    return {
      scope: azureStackScope({ env, region }),
      dir: terraformStackDir(azureStackScope({ env, region })),
      env,
      region,
      requiredVersion: REQUIRED_TERRAFORM_VERSION,
      providerConstraint: AZURERM_PROVIDER_CONSTRAINT,
      backend: {
        storageAccount: azure.state.storageAccount,
        container: azure.state.container,
        resourceGroup: azure.state.resourceGroup,
        key: azureStateKey(azure.state.keyPrefix, env, region),
      },
      provider: subscriptionId === undefined ? {} : { subscriptionId },
      resourceGroup: azureResourceGroupName(env, region),
      tags: azureDefaultTags(env, region, settings.costCentre),
      clusters: [...targets]
        .sort((a, b) => compareStrings(a.cluster, b.cluster))
        .map((target) => clusterPlan(target, onDemandPercent)),
    };
  });
}
