/**
 * Clouds are plugins: a toy GCP plugin, registered here and nowhere else, gets its stack planned,
 * rendered, listed by `affected` and named by `ls`, and its model rules run in validation — while the
 * AWS stacks stay byte for byte what the production registry renders.
 */
import { describe, expect, it } from 'vitest';
import { compareIndexes } from '../../../src/cli/affected.ts';
import { composeLazily } from '../../../src/generators/index.ts';
import { GeneratorError } from '../../../src/generators/errors.ts';
import { terraformStackDir } from '../../../src/generators/paths.ts';
import { awsStacks } from '../../../src/generators/terraform/aws/index.ts';
import type { CloudStackPlan, CloudStacks } from '../../../src/generators/terraform/cloud.ts';
import { CLOUD_STACKS, terraformRiskPatterns } from '../../../src/generators/terraform/clouds.ts';
import { terraformGenerator, terraformGeneratorFor } from '../../../src/generators/terraform/index.ts';
import { describeTerraformCoverage, terraformStacks } from '../../../src/generators/terraform/plan.ts';
import { awsInfrastructure } from '../../../src/matrix/clouds/aws/index.ts';
import type { CloudInfrastructure } from '../../../src/matrix/clouds/index.ts';
import { validateInfrastructure } from '../../../src/matrix/infrastructure-validation.ts';
import { resolveClusterNodes } from '../../../src/matrix/infrastructure-resolve.ts';
import { aws, azure, gcp } from '../../../src/matrix/index.ts';
import { resolveMatrix } from '../../../src/matrix/resolve.ts';
import type { ResolvedTarget } from '../../../src/matrix/types.ts';
import { indexOf } from '../../../src/output/index-file.ts';
import { resolveFixture, terraformFixture } from './fixture.ts';

interface ToyPlan extends CloudStackPlan {
  readonly clusters: readonly string[];
}

const toyScope = (target: Pick<ResolvedTarget, 'env' | 'region'>): string =>
  `${target.env}/gcp/${target.region}`;

/** A trivial GCP plugin: one stack per environment and region, one resource per cluster. */
const toyGcp: CloudStacks<ToyPlan> = {
  cloud: 'gcp',
  label: 'GCP',
  stackScope: toyScope,
  stacks: (matrix) => {
    const byScope = new Map<string, string[]>();
    for (const target of matrix.targets.filter((t) => t.cloud === 'gcp'))
      byScope.set(toyScope(target), [...(byScope.get(toyScope(target)) ?? []), target.cluster]);
    return [...byScope].map(([scope, clusters]) => ({ scope, dir: terraformStackDir(scope), clusters }));
  },
  load: () =>
    Promise.resolve({
      render: (plan: ToyPlan) => [
        {
          path: `${plan.dir}/main.tf.json`,
          format: 'json' as const,
          data: {
            resource: {
              google_container_cluster: Object.fromEntries(plan.clusters.map((c) => [c, { name: c }])),
            },
          },
        },
      ],
    }),
  riskPatterns: [{ resource: /^google_project_iam_/, label: 'GCP IAM' }],
};

/** The model side of the toy: GKE here wants three zones. */
const toyGcpRules: CloudInfrastructure = {
  cloud: 'gcp',
  defaultInstanceTypes: ['e2-standard-4'],
  resolveSettings: () => ({}),
  validateSettings: () => {},
  validateNodes: () => {},
  validateStackCluster: (target, at) => {
    if (target.zones.length < 4) at(`toy GKE wants 4 zones, has ${target.zones.length}`, 'add a zone');
  },
};

// AWS plus the toy GCP plugin (the real GCP plugin is registered now; the toy stands in for a new cloud).
const withToy = [awsStacks, toyGcp];

describe('a cloud registered as a plugin', () => {
  it('gets its stack planned and rendered, and leaves the AWS stacks as they were', async () => {
    const matrix = resolveFixture();
    const files = await composeLazily(matrix, { generators: [terraformGeneratorFor(withToy)] });
    expect([...files.keys()].filter((path) => !path.endsWith('/.terraform.lock.hcl'))).toEqual([
      'terraform/dev/aws/us-east-1/main.tf.json',
      'terraform/prod/aws/eu-west-1/main.tf.json',
      'terraform/prod/aws/us-east-1/main.tf.json',
      'terraform/prod/gcp/europe-west1/main.tf.json',
    ]);
    expect(JSON.parse(files.get('terraform/prod/gcp/europe-west1/main.tf.json')!.content)).toEqual({
      resource: { google_container_cluster: { main: { name: 'main' } } },
    });
    const awsOnly = await composeLazily(matrix, { generators: [terraformGenerator] });
    for (const [path, file] of awsOnly) expect(files.get(path)).toEqual(file);
    expect(terraformStacks(matrix, withToy).map((plan) => plan.scope)).toEqual([
      'dev/aws/us-east-1',
      'prod/aws/eu-west-1',
      'prod/aws/us-east-1',
      'prod/gcp/europe-west1',
    ]);
  });

  it('shows up in `affected` with its cloud, for the workflow to pick credentials by', async () => {
    const matrix = resolveFixture();
    const before = indexOf((await composeLazily(matrix, { generators: [terraformGenerator] })).values());
    const after = indexOf(
      (await composeLazily(matrix, { generators: [terraformGeneratorFor(withToy)] })).values(),
    );
    expect(compareIndexes('main', before, after).terraformStacks).toEqual([
      {
        scope: 'prod/gcp/europe-west1',
        cloud: 'gcp',
        dir: 'generated/terraform/prod/gcp/europe-west1',
        change: 'added',
      },
    ]);
  });

  it('is named in the `ls` coverage column; clouds without a plugin say who has stacks', () => {
    const matrix = resolveFixture(
      terraformFixture({
        clusters: (envs) => [
          aws(envs.prod, 'us-east-1', { network: { vpcCidr: '10.30.0.0/16' } }),
          gcp(envs.prod, 'europe-west1'),
          azure(envs.prod, 'westeurope'),
        ],
      }),
    );
    const coverage = (clouds: readonly CloudStacks[]) =>
      matrix.targets.map((t) => [t.id, describeTerraformCoverage(matrix, t, clouds)]);
    expect(coverage(CLOUD_STACKS)).toEqual([
      ['prod/aws/us-east-1/main', 'generated/terraform/prod/aws/us-east-1'],
      // GCP and Azure have plugins now; without terraform.gcp / terraform.azure they write no stack.
      ['prod/azure/westeurope/main', 'none (Azure writes no stack for it)'],
      ['prod/gcp/europe-west1/main', 'none (GCP writes no stack for it)'],
    ]);
    expect(coverage(withToy)).toEqual([
      ['prod/aws/us-east-1/main', 'generated/terraform/prod/aws/us-east-1'],
      ['prod/azure/westeurope/main', 'none yet (azure: only AWS and GCP have stacks)'],
      ['prod/gcp/europe-west1/main', 'generated/terraform/prod/gcp/europe-west1'],
    ]);
  });

  it('adds its risk patterns to the promotion risk section’s', () => {
    expect(terraformRiskPatterns().map((p) => [String(p.resource), p.label])).toEqual([
      ['/^aws_iam_/', 'IAM'],
      ['/^google_(project_iam_|service_account)/', 'IAM'],
      ['/^azurerm_(role_assignment|role_definition)/', 'IAM'],
    ]);
    expect(terraformRiskPatterns(withToy).map((p) => p.label)).toEqual(['IAM', 'GCP IAM']);
  });

  it('runs its model rules on its clusters, after the shared network rule', () => {
    const definition = terraformFixture();
    const resolved = resolveMatrix(definition, {});
    expect(validateInfrastructure(definition, resolved)).toEqual([]);
    const found = validateInfrastructure(definition, resolved, [awsInfrastructure, toyGcpRules]);
    expect(found.map((i) => [`[${i.path}] ${i.message}`, i.fix])).toEqual([
      [
        '[clusters[3] prod/gcp/europe-west1/main] has no network.vpcCidr, which its Terraform stack needs',
        "add network: { vpcCidr: '10.0.0.0/16' } to the cluster (any range no other prod cluster uses)",
      ],
      ['[clusters[3] prod/gcp/europe-west1/main] toy GKE wants 4 zones, has 3', 'add a zone'],
    ]);
  });

  it('gives its clusters its own default instance types, and none for a cloud without a plugin', () => {
    expect(resolveClusterNodes({ cloud: 'aws' }).instanceTypes).toEqual([
      'm6i.large',
      'm5.large',
      'm5a.large',
    ]);
    expect(resolveClusterNodes({ cloud: 'gcp' }).instanceTypes).toEqual(['n2-standard-4']);
    expect(resolveClusterNodes({ cloud: 'onprem' }).instanceTypes).toEqual([]);
    expect(resolveClusterNodes({ cloud: 'gcp' }, [awsInfrastructure, toyGcpRules]).instanceTypes).toEqual([
      'e2-standard-4',
    ]);
  });

  it('no longer judges another cloud’s machine types by EC2 spelling', () => {
    // On main every cluster's instanceTypes were checked as EC2 types, so GKE's e2-standard-4 failed.
    const definition = terraformFixture({
      clusters: (envs) => [
        aws(envs.prod, 'us-east-1', { network: { vpcCidr: '10.30.0.0/16' } }),
        // One type: a GKE node pool has one machine type (the GCP plugin's own rule).
        gcp(envs.prod, 'europe-west1', { nodes: { instanceTypes: ['e2-standard-4'] } }),
      ],
    });
    expect(validateInfrastructure(definition, resolveMatrix(definition, {}))).toEqual([]);
  });

  it('must lay its stacks out under <env>/<cloud>/, or the plan fails naming the plugin', () => {
    const misplaced: CloudStacks<ToyPlan> = {
      ...toyGcp,
      stacks: () => [
        { scope: 'prod/google/europe-west1', dir: 'terraform/prod/google/europe-west1', clusters: [] },
      ],
    };
    const plan = () => terraformStacks(resolveFixture(), [misplaced]);
    expect(plan).toThrow(GeneratorError);
    expect(plan).toThrow(
      '[terraform] prod/google/europe-west1: the GCP plugin planned a stack whose scope "prod/google/europe-west1" is not <env>/gcp/…\n' +
        "    fix: make the gcp plugin's scopes <env>/gcp/… and its folders terraformStackDir(scope)",
    );
  });
});
