/**
 * A small matrix for the GKE and AKS tests, independent of the example content: prod (30% on-demand)
 * with a GCP and an Azure cluster, dev (all spot) with one of each, AWS beside them for the
 * cross-cloud range checks.
 */
import { aws, azure, defineMatrix, gcp } from '../../../src/matrix/index.ts';
import type { ClusterSpec, MatrixDefinition, TerraformSettings } from '../../../src/matrix/index.ts';
import { FIXTURE_TERRAFORM } from './fixture.ts';

export const MULTI_CLOUD_TERRAFORM: TerraformSettings = {
  ...FIXTURE_TERRAFORM,
  gcp: {
    state: { bucket: 'acme-tfstate-gcp' },
    project: { dev: 'acme-platform-dev', prod: 'acme-platform-prod' },
    releaseChannel: { prod: 'STABLE' },
  },
  azure: {
    state: {
      storageAccount: 'acmetfstate',
      container: 'tfstate',
      resourceGroup: 'acme-tfstate',
      keyPrefix: 'platform',
    },
    subscriptionId: { prod: '11111111-2222-3333-4444-555555555555' },
  },
};

export function multiCloudFixture(
  options: { terraform?: TerraformSettings; clusters?: () => ClusterSpec[] } = {},
): MatrixDefinition {
  return defineMatrix({
    repo: { url: 'https://github.com/acme/platform.git' },
    terraform: options.terraform ?? MULTI_CLOUD_TERRAFORM,
    environments: {
      dev: { promotesTo: 'prod' },
      prod: { policy: { minZones: 3, onDemandPercent: 30 } },
    },
    clusters: options.clusters?.() ?? [
      aws('dev', 'us-east-1', { zones: ['us-east-1a', 'us-east-1b'], network: { vpcCidr: '10.10.0.0/16' } }),
      gcp('dev', 'europe-west1', { kubernetesVersion: '1.35', network: { vpcCidr: '10.11.0.0/16' } }),
      azure('dev', 'westeurope', { kubernetesVersion: '1.35', network: { vpcCidr: '10.12.0.0/16' } }),
      aws('prod', 'us-east-1', { network: { vpcCidr: '10.30.0.0/16' } }),
      gcp('prod', 'europe-west1', {
        kubernetesVersion: '1.35',
        network: { vpcCidr: '10.40.0.0/16' },
        nodes: { min: 6, max: 30, desired: 9 },
      }),
      azure('prod', 'westeurope', {
        kubernetesVersion: '1.35',
        network: { vpcCidr: '10.50.0.0/16' },
        nodes: { min: 6, max: 30, desired: 9 },
      }),
    ],
    apps: [],
  });
}
