/**
 * Azure in the model: `terraform.azure` resolved and checked, VM sizes, and what an AKS cluster needs
 * of its entry (a Kubernetes minor AKS supports today, a network block with room for the VNet, the
 * overlay pod range and the service range). The clock is injectable for the version calendar.
 */
import { parseCidr } from '../../infrastructure.ts';
import type { ResolvedNodes, TerraformSettings } from '../../infrastructure.ts';
import type { MatrixDefinition, ResolvedTarget } from '../../types.ts';
import type { CloudInfrastructure, ClusterReport, SettingsReport } from '../types.ts';
import type { ResolvedAzureSettings } from './settings.ts';
import { checkAksVersion } from './versions.ts';

export const DEFAULT_AZURE_STATE_KEY_PREFIX = 'envmatrix';
export const DEFAULT_AZURE_VM_SIZES: readonly string[] = ['Standard_D4s_v5'];
/**
 * Smallest cluster block: the overlay pod range takes half (a /24 per node), the VNet a quarter, so a
 * /18 leaves 32 nodes.
 */
export const AZURE_MAX_BLOCK_PREFIX = 18;
/** AKS cluster names: at most 63 characters. */
export const AKS_NAME_MAX = 63;

export function aksClusterName(env: string, cluster: string): string {
  return `${env}-${cluster}`;
}
/** Resource group of a stack: one per environment and region. */
export function azureResourceGroupName(env: string, region: string): string {
  return `${env}-${region}-envmatrix`;
}

export function resolveAzureSettings(
  settings: TerraformSettings,
  environments: readonly string[],
): ResolvedAzureSettings | undefined {
  const azure = settings.azure;
  if (!azure) return undefined;
  const sub = azure.subscriptionId;
  return {
    state: {
      storageAccount: azure.state.storageAccount,
      container: azure.state.container,
      resourceGroup: azure.state.resourceGroup,
      keyPrefix: azure.state.keyPrefix ?? DEFAULT_AZURE_STATE_KEY_PREFIX,
    },
    subscriptionIds: Object.fromEntries(
      environments.flatMap((env) => {
        const id = typeof sub === 'string' ? sub : sub?.[env];
        return id === undefined ? [] : [[env, id]];
      }),
    ),
  };
}

const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const CONTAINER = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VM_SIZE = /^Standard_[A-Za-z0-9_]+$/;
/** Azure tag values: at most 256 characters. */
const TAG_VALUE_MAX = 256;

function validateSettings(matrix: MatrixDefinition, settings: TerraformSettings, at: SettingsReport): void {
  const azure = settings.azure;
  if (!azure) return;
  const { state } = azure;
  if (!STORAGE_ACCOUNT.test(state.storageAccount))
    at(
      'azure.state.storageAccount',
      `${JSON.stringify(state.storageAccount)} is not a storage account name`,
      'use 3–24 lowercase letters and digits',
    );
  if (!CONTAINER.test(state.container))
    at(
      'azure.state.container',
      `${JSON.stringify(state.container)} is not a blob container name`,
      'use 3–63 lowercase letters, digits and single "-", starting and ending with a letter or digit',
    );
  if (!RESOURCE_GROUP.test(state.resourceGroup))
    at(
      'azure.state.resourceGroup',
      `${JSON.stringify(state.resourceGroup)} is not a resource group name`,
      'use 1–90 letters, digits, "_", "-", ".", "(" and ")", not ending in "."',
    );
  if (state.keyPrefix !== undefined && (state.keyPrefix === '' || /^\/|\/$|\/\//.test(state.keyPrefix)))
    at(
      'azure.state.keyPrefix',
      `${JSON.stringify(state.keyPrefix)} is not a key prefix`,
      'write folder names joined by "/", without a leading or trailing "/"',
    );
  const sub = azure.subscriptionId;
  const subs = typeof sub === 'string' ? { '': sub } : (sub ?? {});
  const envs = Object.keys(matrix.environments);
  for (const [env, id] of Object.entries(subs)) {
    const path = env === '' ? 'azure.subscriptionId' : `azure.subscriptionId.${env}`;
    if (env !== '' && !envs.includes(env))
      at(path, `names unknown environment "${env}"`, `use one of: ${envs.join(', ')}`);
    if (!GUID.test(id))
      at(
        path,
        `${JSON.stringify(id)} is not a subscription id`,
        'write the subscription GUID, e.g. 00000000-0000-0000-0000-000000000000',
      );
  }
  if (settings.costCentre.length > TAG_VALUE_MAX)
    at(
      'costCentre',
      `costCentre has ${settings.costCentre.length} characters; an Azure tag value has at most ${TAG_VALUE_MAX}`,
      'shorten it',
    );
}

function validateNodes(nodes: ResolvedNodes, _onDemandPercent: number, at: ClusterReport): void {
  if (nodes.instanceTypes.length === 0)
    at('nodes.instanceTypes is empty', 'list an Azure VM size, e.g. ["Standard_D4s_v5"]');
  for (const type of nodes.instanceTypes.filter((t) => !VM_SIZE.test(t)))
    at(
      `nodes.instanceTypes has ${JSON.stringify(type)}, which is not an Azure VM size`,
      'write sizes such as Standard_D4s_v5',
    );
  if (nodes.instanceTypes.length > 1)
    at(
      `nodes.instanceTypes lists ${nodes.instanceTypes.length} sizes; an AKS node pool has one VM size`,
      `keep one size, e.g. ["${nodes.instanceTypes[0]}"]`,
    );
}

/** The Azure rules of a cluster that gets a stack; `today` judges the AKS calendar. */
export function azureStackClusterRules(
  today: () => Date,
): (target: ResolvedTarget, at: ClusterReport) => void {
  return (target, at) => {
    const version = checkAksVersion(target.kubernetesVersion, today());
    if (!version.ok) at(version.message, version.fix);
    const block = target.network ? parseCidr(target.network.vpcCidr) : undefined;
    if (block && block.prefix > AZURE_MAX_BLOCK_PREFIX) {
      at(
        `network.vpcCidr ${target.network!.vpcCidr} is a /${block.prefix}; an AKS cluster's block is /16 to /${AZURE_MAX_BLOCK_PREFIX} (half of it is the overlay pod range, a /24 per node)`,
        `use a /16, or at least a /${AZURE_MAX_BLOCK_PREFIX}`,
      );
    }
    const name = aksClusterName(target.env, target.cluster);
    if (name.length > AKS_NAME_MAX)
      at(
        `AKS cluster name ${name} has ${name.length} characters; AKS allows ${AKS_NAME_MAX}`,
        'shorten the environment or cluster name',
      );
  };
}

export function azureInfrastructureAt(today: () => Date): CloudInfrastructure {
  return {
    cloud: 'azure',
    defaultInstanceTypes: DEFAULT_AZURE_VM_SIZES,
    resolveSettings: (settings, environments) => {
      const azure = resolveAzureSettings(settings, environments);
      return azure ? { azure } : {};
    },
    validateSettings,
    validateNodes,
    validateStackCluster: azureStackClusterRules(today),
    stacksEnabled: (settings) => settings.azure !== undefined,
  };
}

export const azureInfrastructure: CloudInfrastructure = azureInfrastructureAt(() => new Date());
