/**
 * One Azure stack's Terraform JSON from its plan: the azurerm backend (Entra ID auth, no account
 * keys), the azurerm provider, a resource group, and per cluster a VNet with a node subnet behind a
 * NAT gateway, and an AKS cluster (managed identity, Azure CNI overlay, OIDC issuer and workload
 * identity) with a system pool and a spot user pool.
 *
 * Field semantics: hashicorp/azurerm 4.55.0 docs for azurerm_kubernetes_cluster and
 * azurerm_kubernetes_cluster_node_pool; spot label and taint from MicrosoftDocs/azure-aks-docs
 * articles/aks/spot-node-pool.md (AKS adds them itself, so they are declared to avoid a diff).
 */
import { KubernetesClusterNodePool } from '@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool/index.js';
import { KubernetesCluster } from '@cdktf/provider-azurerm/lib/kubernetes-cluster/index.js';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association/index.js';
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway/index.js';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider/index.js';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip/index.js';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group/index.js';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association/index.js';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet/index.js';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network/index.js';
import { AzurermBackend, TerraformOutput, type TerraformStack } from 'cdktf';
import { addResource, logicalName } from '../names.ts';
import { synthesizeStack } from '../synth.ts';
import type { AksClusterPlan, AzureStackPlan } from './plan.ts';

/** What AKS puts on spot nodes (spot-node-pool.md); declared so Terraform shows no diff. */
export const AKS_SPOT_LABEL = { 'kubernetes.azure.com/scalesetpriority': 'spot' } as const;
export const AKS_SPOT_TAINT = 'kubernetes.azure.com/scalesetpriority=spot:NoSchedule';

function addCluster(
  stack: TerraformStack,
  plan: AksClusterPlan,
  stackPlan: AzureStackPlan,
  group: ResourceGroup,
): void {
  const name = (...parts: string[]): string => logicalName(plan.name, ...parts);
  const tags = { ...stackPlan.tags };
  const base = `${stackPlan.env}-${plan.name}`;
  const common = { location: stackPlan.region, resourceGroupName: group.name };

  const vnet = addResource(stack, VirtualNetwork, name(), {
    ...common,
    name: base,
    addressSpace: [plan.network.vnetCidr],
    tags,
  });
  const nodes = addResource(stack, Subnet, name('nodes'), {
    name: `${base}-nodes`,
    resourceGroupName: group.name,
    virtualNetworkName: vnet.name,
    addressPrefixes: [plan.network.nodesCidr],
  });
  // Zone-redundant outbound: a NAT gateway is zonal, so it stays unpinned (Azure picks no zone).
  const address = addResource(stack, PublicIp, name('nat'), {
    ...common,
    name: `${base}-nat`,
    allocationMethod: 'Static',
    sku: 'Standard',
    tags,
  });
  const nat = addResource(stack, NatGateway, name(), {
    ...common,
    name: `${base}-nat`,
    skuName: 'Standard',
    idleTimeoutInMinutes: 10,
    tags,
  });
  addResource(stack, NatGatewayPublicIpAssociation, name(), {
    natGatewayId: nat.id,
    publicIpAddressId: address.id,
  });
  const association = addResource(stack, SubnetNatGatewayAssociation, name('nodes'), {
    subnetId: nodes.id,
    natGatewayId: nat.id,
  });

  const zones = plan.zones.length > 0 ? { zones: [...plan.zones] } : {};
  const cluster = addResource(stack, KubernetesCluster, name(), {
    ...common,
    name: plan.aksName,
    dnsPrefix: plan.aksName,
    kubernetesVersion: plan.kubernetesVersion,
    skuTier: 'Standard',
    identity: { type: 'SystemAssigned' },
    oidcIssuerEnabled: true,
    workloadIdentityEnabled: true,
    defaultNodePool: {
      name: 'system',
      vmSize: plan.vmSize,
      vnetSubnetId: nodes.id,
      ...zones,
      autoScalingEnabled: true,
      minCount: plan.systemPool.min,
      maxCount: plan.systemPool.max,
      nodeCount: plan.systemPool.desired,
      orchestratorVersion: plan.kubernetesVersion,
      // Changing the VM size or zones recreates the default pool through a temporary one.
      temporaryNameForRotation: 'systemtmp',
      upgradeSettings: { maxSurge: '10%' },
      tags,
    },
    networkProfile: {
      networkPlugin: 'azure',
      networkPluginMode: 'overlay',
      networkDataPlane: 'cilium',
      networkPolicy: 'cilium',
      podCidr: plan.network.podCidr,
      serviceCidr: plan.network.serviceCidr,
      dnsServiceIp: plan.network.dnsServiceIp,
      outboundType: 'userAssignedNATGateway',
    },
    tags,
    // The autoscaler owns the count; AKS needs the subnet's NAT gateway before it creates nodes.
    lifecycle: { ignoreChanges: ['default_node_pool[0].node_count'] },
    dependsOn: [association],
  });

  if (plan.spotPool) {
    addResource(stack, KubernetesClusterNodePool, name('spot'), {
      name: 'spot',
      kubernetesClusterId: cluster.id,
      mode: 'User',
      vmSize: plan.vmSize,
      vnetSubnetId: nodes.id,
      ...zones,
      orchestratorVersion: plan.kubernetesVersion,
      priority: 'Spot',
      evictionPolicy: 'Delete',
      // Pay up to the on-demand price: evicted for capacity, never for price.
      spotMaxPrice: -1,
      nodeLabels: { ...AKS_SPOT_LABEL },
      nodeTaints: [AKS_SPOT_TAINT],
      autoScalingEnabled: true,
      minCount: plan.spotPool.min,
      maxCount: plan.spotPool.max,
      nodeCount: plan.spotPool.desired,
      tags,
      lifecycle: { ignoreChanges: ['node_count'] },
    });
  }

  const output = (key: string, value: string, description: string, sensitive = false): void => {
    new TerraformOutput(stack, name(key), { value, description, sensitive }).overrideLogicalId(name(key));
  };
  const kube = cluster.kubeConfig.get(0);
  output('cluster_name', cluster.name, `AKS cluster of ${plan.target}`);
  output('cluster_endpoint', kube.host, `Kubernetes API endpoint of ${plan.target}`, true);
  output('cluster_ca_certificate', kube.clusterCaCertificate, `API CA (base64) of ${plan.target}`, true);
  output(
    'oidc_issuer_url',
    cluster.oidcIssuerUrl,
    `OIDC issuer for workload identity federation of ${plan.target}`,
  );
  output(
    'kubelet_identity_object_id',
    cluster.kubeletIdentity.objectId,
    `Kubelet managed identity of ${plan.target}`,
  );
  output('vnet_id', vnet.id, `VNet of ${plan.target}`);
}

export function renderAzureStack(plan: AzureStackPlan): Record<string, unknown> {
  return synthesizeStack(plan.scope.replaceAll('/', '-'), (stack) => {
    new AzurermBackend(stack, {
      storageAccountName: plan.backend.storageAccount,
      containerName: plan.backend.container,
      resourceGroupName: plan.backend.resourceGroup,
      key: plan.backend.key,
      // Entra ID data-plane auth: no storage account keys; CI adds OIDC through ARM_USE_OIDC.
      useAzureadAuth: true,
    });
    new AzurermProvider(stack, 'azurerm', {
      features: [{}],
      ...(plan.provider.subscriptionId !== undefined && { subscriptionId: plan.provider.subscriptionId }),
    });
    stack.addOverride('terraform.required_version', plan.requiredVersion);
    stack.addOverride('terraform.required_providers.azurerm', {
      source: 'hashicorp/azurerm',
      version: plan.providerConstraint,
    });
    const group = addResource(stack, ResourceGroup, 'stack', {
      name: plan.resourceGroup,
      location: plan.region,
      tags: { ...plan.tags },
    });
    for (const cluster of plan.clusters) addCluster(stack, cluster, plan, group);
  });
}
