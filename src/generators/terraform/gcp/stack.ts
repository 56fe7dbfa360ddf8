/**
 * One GCP stack's Terraform JSON from its plan: the GCS backend, the google provider with default
 * labels, and per cluster a VPC with the region's subnet (secondary ranges for pods and services),
 * Cloud Router + NAT (private nodes have no external addresses), a node service account, and a
 * regional GKE cluster with on-demand and spot node pools.
 *
 * Field semantics: hashicorp/google 6.50.0 docs for google_container_cluster and
 * google_container_node_pool (remove_default_node_pool with initial_node_count 1; GKE_METADATA needs
 * workload identity on the cluster; regional pools count nodes per zone unless total_* is used).
 */
import { ComputeNetwork } from '@cdktf/provider-google/lib/compute-network/index.js';
import { ComputeRouterNat } from '@cdktf/provider-google/lib/compute-router-nat/index.js';
import { ComputeRouter } from '@cdktf/provider-google/lib/compute-router/index.js';
import { ComputeSubnetwork } from '@cdktf/provider-google/lib/compute-subnetwork/index.js';
import { ContainerCluster } from '@cdktf/provider-google/lib/container-cluster/index.js';
import { ContainerNodePool } from '@cdktf/provider-google/lib/container-node-pool/index.js';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider/index.js';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member/index.js';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import { GcsBackend, TerraformOutput, type TerraformStack } from 'cdktf';
import { addResource, logicalName } from '../names.ts';
import { synthesizeStack } from '../synth.ts';
import { PODS_RANGE, SERVICES_RANGE, type GcpStackPlan, type GkeClusterPlan } from './plan.ts';

/** GKE's least-privilege role for a node service account (instead of the default compute account). */
const NODE_ROLE = 'roles/container.defaultNodeServiceAccount';
/** GKE does not taint spot nodes itself; only pods that tolerate preemption should land there. */
export const GKE_SPOT_TAINT = {
  key: 'cloud.google.com/gke-spot',
  value: 'true',
  effect: 'NO_SCHEDULE',
} as const;

function addCluster(stack: TerraformStack, plan: GkeClusterPlan, region: string): void {
  const name = (...parts: string[]): string => logicalName(plan.name, ...parts);
  const network = addResource(stack, ComputeNetwork, name(), {
    name: plan.networkName,
    // Subnets are declared here, one per region, with the ranges the matrix's block is carved into.
    autoCreateSubnetworks: false,
  });
  const subnet = addResource(stack, ComputeSubnetwork, name(region), {
    name: plan.networkName,
    region,
    network: network.id,
    ipCidrRange: plan.network.subnetCidr,
    // Private nodes reach Google APIs (image pulls from Artifact Registry, logging) without NAT.
    privateIpGoogleAccess: true,
    secondaryIpRange: [
      { rangeName: PODS_RANGE, ipCidrRange: plan.network.podsCidr },
      { rangeName: SERVICES_RANGE, ipCidrRange: plan.network.servicesCidr },
    ],
  });
  const router = addResource(stack, ComputeRouter, name(region), {
    name: plan.networkName,
    region,
    network: network.id,
  });
  addResource(stack, ComputeRouterNat, name(region), {
    name: plan.networkName,
    region,
    router: router.name,
    natIpAllocateOption: 'AUTO_ONLY',
    sourceSubnetworkIpRangesToNat: 'ALL_SUBNETWORKS_ALL_IP_RANGES',
    logConfig: { enable: true, filter: 'ERRORS_ONLY' },
  });

  const account = addResource(stack, ServiceAccount, name('nodes'), {
    accountId: plan.nodeServiceAccount,
    displayName: `GKE nodes of ${plan.target}`,
  });
  const nodeRole = addResource(stack, ProjectIamMember, name('nodes'), {
    project: plan.project,
    role: NODE_ROLE,
    member: `serviceAccount:${account.email}`,
  });

  const cluster = addResource(stack, ContainerCluster, name(), {
    name: plan.gkeName,
    // A region, not a zone: a regional cluster with control-plane replicas in several zones.
    location: region,
    nodeLocations: [...plan.zones],
    network: network.id,
    subnetwork: subnet.id,
    networkingMode: 'VPC_NATIVE',
    ipAllocationPolicy: { clusterSecondaryRangeName: PODS_RANGE, servicesSecondaryRangeName: SERVICES_RANGE },
    releaseChannel: { channel: plan.releaseChannel },
    // The channel upgrades within and past this minor; this is the floor the matrix asks for.
    minMasterVersion: plan.kubernetesVersion,
    workloadIdentityConfig: { workloadPool: `${plan.project}.svc.id.goog` },
    privateClusterConfig: {
      enablePrivateNodes: true,
      // The API stays reachable for Argo CD / Flux hubs and CI; nodes have no public addresses.
      enablePrivateEndpoint: false,
      masterIpv4CidrBlock: plan.network.masterCidr,
    },
    enableShieldedNodes: true,
    // Dataplane V2 (eBPF): NetworkPolicy enforcement without a separate add-on.
    datapathProvider: 'ADVANCED_DATAPATH',
    removeDefaultNodePool: true,
    initialNodeCount: 1,
    deletionProtection: true,
  });

  for (const pool of plan.nodePools) {
    const spot = pool.capacityType === 'SPOT';
    addResource(stack, ContainerNodePool, name(pool.kind.replace('-', '_')), {
      name: pool.kind,
      cluster: cluster.id,
      location: region,
      initialNodeCount: pool.initialPerZone,
      autoscaling: {
        totalMinNodeCount: pool.min,
        totalMaxNodeCount: pool.max,
        // Spot capacity comes and goes per zone: take it wherever it is; keep on-demand spread.
        locationPolicy: spot ? 'ANY' : 'BALANCED',
      },
      management: { autoRepair: true, autoUpgrade: true },
      nodeConfig: {
        machineType: pool.machineType,
        spot,
        serviceAccount: account.email,
        oauthScopes: ['https://www.googleapis.com/auth/cloud-platform'],
        labels: { 'envmatrix.io/capacity': pool.kind },
        ...(spot && { taint: [{ ...GKE_SPOT_TAINT }] }),
        workloadMetadataConfig: { mode: 'GKE_METADATA' },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      },
      // The autoscaler owns the count after creation; a changed initial count would recreate the pool.
      lifecycle: { ignoreChanges: ['initial_node_count'] },
      // Nodes without the role cannot write logs or pull images; a destroy keeps it until they are gone.
      dependsOn: [nodeRole],
    });
  }

  const output = (key: string, value: string, description: string, sensitive = false): void => {
    new TerraformOutput(stack, name(key), { value, description, sensitive }).overrideLogicalId(name(key));
  };
  output('cluster_name', cluster.name, `GKE cluster of ${plan.target}`);
  output('cluster_endpoint', `https://${cluster.endpoint}`, `Kubernetes API endpoint of ${plan.target}`);
  output(
    'cluster_ca_certificate',
    cluster.masterAuth.clusterCaCertificate,
    `API CA (base64) of ${plan.target}`,
  );
  output('workload_identity_pool', `${plan.project}.svc.id.goog`, `Workload Identity pool of ${plan.target}`);
  output('network', network.name, `VPC of ${plan.target}`);
}

export function renderGcpStack(plan: GcpStackPlan): Record<string, unknown> {
  return synthesizeStack(plan.scope.replaceAll('/', '-'), (stack) => {
    new GcsBackend(stack, { bucket: plan.backend.bucket, prefix: plan.backend.prefix });
    const provider = new GoogleProvider(stack, 'google', {
      project: plan.provider.project,
      region: plan.provider.region,
    });
    // cdktf snake-cases the keys of a provider's maps (cost-centre would become cost_centre), so the
    // labels go in as an override, verbatim.
    provider.addOverride('default_labels', { ...plan.provider.defaultLabels });
    stack.addOverride('terraform.required_version', plan.requiredVersion);
    stack.addOverride('terraform.required_providers.google', {
      source: 'hashicorp/google',
      version: plan.providerConstraint,
    });
    for (const cluster of plan.clusters) addCluster(stack, cluster, plan.region);
  });
}
