/**
 * The GKE and AKS stacks against their providers' schemas as the cdktf bindings record them (jsii
 * assemblies of @cdktf/provider-google 16.12.1 = google 6.50.0 and @cdktf/provider-azurerm 14.23.1 =
 * azurerm 4.55.0): every resource type, attribute, nested block and required field. `terraform
 * validate` with the real providers runs only in GitHub CI (.github/workflows/terraform-validate-clouds.yml).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { compose } from '../../../src/generators/index.ts';
import { terraformGenerator } from '../../../src/generators/terraform/index.ts';
import { resolveFixture } from './fixture.ts';
import { multiCloudFixture } from './gcp-azure-fixture.ts';
import { checkStack, loadProviderSchema, type ProviderSchema } from './provider-schema.ts';

type Json = Record<string, unknown>;
type Resources = Record<string, Record<string, Json>>;

function stacks(): Map<string, Json> {
  const files = compose(resolveFixture(multiCloudFixture()), { generators: [terraformGenerator] });
  return new Map(
    [...files]
      .filter(([path]) => path.endsWith('/main.tf.json'))
      .map(([path, file]) => [path, JSON.parse(file.content) as Json]),
  );
}
const clone = (json: Json): Json => structuredClone(json);
const resources = (json: Json): Resources => json.resource as Resources;

let google: ProviderSchema;
let azurerm: ProviderSchema;
let all: Map<string, Json>;

beforeAll(async () => {
  await terraformGenerator.load?.();
  google = loadProviderSchema('@cdktf/provider-google');
  azurerm = loadProviderSchema('@cdktf/provider-azurerm');
  all = stacks();
}, 120_000);

describe('GKE and AKS stacks against the provider schemas', () => {
  it('reads the schemas: thousands of resources, with required fields and nested blocks', () => {
    expect(google.resources.size).toBeGreaterThan(1000);
    expect(azurerm.resources.size).toBeGreaterThan(1000);
    const cluster = google.resources.get('google_container_cluster')!;
    expect(cluster.get('name')).toEqual({ required: true });
    expect(cluster.get('private_cluster_config')?.block?.get('enable_private_nodes')).toEqual({
      required: false,
    });
    expect(azurerm.resources.get('azurerm_kubernetes_cluster')!.get('default_node_pool')?.required).toBe(
      true,
    );
  });

  it.each([
    ['terraform/dev/gcp/europe-west1/main.tf.json', 'google'],
    ['terraform/prod/gcp/europe-west1/main.tf.json', 'google'],
    ['terraform/dev/azure/westeurope/main.tf.json', 'azurerm'],
    ['terraform/prod/azure/westeurope/main.tf.json', 'azurerm'],
  ])(
    '%s: every resource, attribute and block is in the schema, every required field set',
    (path, provider) => {
      const stack = all.get(path)!;
      expect(stack).toBeDefined();
      const schema = provider === 'google' ? google : azurerm;
      expect(checkStack(stack, provider, schema)).toEqual([]);
      // The walk saw real content: every resource type of the stack, each with a schema.
      expect(Object.keys(resources(stack)).every((type) => schema.resources.has(type))).toBe(true);
    },
  );

  it('catches planted mistakes: a misspelt attribute, a nested typo, a missing required field, an unknown type', () => {
    const gke = clone(all.get('terraform/prod/gcp/europe-west1/main.tf.json')!);
    const cluster = resources(gke).google_container_cluster!.main!;
    cluster.enable_shielded_node = true;
    const pool = resources(gke).google_container_node_pool!.main_spot!;
    (pool.node_config as Json).spott = true;
    delete resources(gke).google_compute_subnetwork!['main_europe-west1']!.network;
    resources(gke).google_container_clustre = { x: {} };
    expect(checkStack(gke, 'google', google)).toEqual([
      'google_compute_subnetwork.main_europe-west1: missing required "network"',
      'google_container_cluster.main: unknown attribute "enable_shielded_node"',
      'google_container_node_pool.main_spot.node_config[0]: unknown attribute "spott"',
      'google_container_clustre: unknown resource type',
    ]);

    const aks = clone(all.get('terraform/prod/azure/westeurope/main.tf.json')!);
    delete resources(aks).azurerm_kubernetes_cluster!.main!.default_node_pool;
    delete resources(aks).azurerm_kubernetes_cluster_node_pool!.main_spot!.kubernetes_cluster_id;
    (resources(aks).azurerm_kubernetes_cluster!.main!.network_profile as Json).network_plugin_mod = 'overlay';
    (resources(aks).azurerm_kubernetes_cluster!.main!.lifecycle as Json).ignore_changes = ['default_pool'];
    expect(checkStack(aks, 'azurerm', azurerm)).toEqual([
      'azurerm_kubernetes_cluster.main.network_profile[0]: unknown attribute "network_plugin_mod"',
      'azurerm_kubernetes_cluster.main: lifecycle.ignore_changes names unknown attribute "default_pool"',
      'azurerm_kubernetes_cluster.main: missing required "default_node_pool"',
      'azurerm_kubernetes_cluster_node_pool.main_spot: missing required "kubernetes_cluster_id"',
    ]);
  });
});
