/**
 * The terraform generator end to end in memory: cdktf synthesis into main.tf.json, composed like synth
 * does it. A reviewed snapshot of one stack, plus targeted assertions on what the issue asks for.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compose } from '../../../src/generators/index.ts';
import { terraformGenerator } from '../../../src/generators/terraform/index.ts';
import { STACK_MARKER } from '../../../src/generators/terraform/synth.ts';
import { aws } from '../../../src/matrix/index.ts';
import type { MatrixDefinition } from '../../../src/matrix/index.ts';
import { FIXTURE_TERRAFORM, resolveFixture, terraformFixture } from './fixture.ts';
import type { ResourceJson, StackJson } from './stack-files.ts';

function render(matrix: MatrixDefinition = terraformFixture()): Map<string, string> {
  const files = compose(resolveFixture(matrix), { generators: [terraformGenerator] });
  return new Map([...files].map(([path, file]) => [path, file.content]));
}

function stack(scope: string, matrix?: MatrixDefinition): StackJson {
  const text = render(matrix).get(`terraform/${scope}/main.tf.json`);
  if (text === undefined) throw new Error(`no stack for ${scope}`);
  return JSON.parse(text) as StackJson;
}

const resourcesOf = (json: StackJson, type: string): Record<string, ResourceJson> =>
  json.resource[type] ?? {};

describe('terraform generator', () => {
  it('writes one main.tf.json per environment and AWS region, and nothing for GCP', () => {
    // Each stack also gets its .terraform.lock.hcl (lock-files.test.ts).
    expect([...render().keys()].filter((path) => path.endsWith('/main.tf.json'))).toEqual([
      'terraform/dev/aws/us-east-1/main.tf.json',
      'terraform/prod/aws/eu-west-1/main.tf.json',
      'terraform/prod/aws/us-east-1/main.tf.json',
    ]);
  });

  it('renders prod/aws/us-east-1 as in the reviewed snapshot', async () => {
    await expect(render().get('terraform/prod/aws/us-east-1/main.tf.json')).toMatchFileSnapshot(
      './__snapshots__/prod-aws-us-east-1.main.tf.json',
    );
  });

  it('keeps state in S3, encrypted, locked by the lockfile, under a key from env, cloud and region', () => {
    expect(stack('prod/aws/eu-west-1').terraform).toEqual({
      backend: {
        s3: {
          bucket: 'acme-tfstate',
          key: 'envmatrix/prod/aws/eu-west-1/terraform.tfstate',
          region: 'eu-central-1',
          encrypt: true,
          use_lockfile: true,
        },
      },
      required_providers: { aws: { version: '~> 5.100', source: 'hashicorp/aws' } },
      required_version: '>= 1.10.0',
    });
  });

  it('adds the DynamoDB table, endpoints and emulator flags to the backend when the matrix asks', () => {
    const endpoint = 'http://127.0.0.1:5000';
    const json = stack(
      'dev/aws/us-east-1',
      terraformFixture({
        terraform: {
          state: {
            bucket: 'acme-tfstate',
            region: 'us-east-1',
            keyPrefix: 'platform',
            lockTable: 'tf-locks',
          },
          costCentre: 'platform',
          endpoints: {
            dynamodb: endpoint,
            ec2: endpoint,
            eks: endpoint,
            iam: endpoint,
            kms: endpoint,
            logs: endpoint,
            s3: endpoint,
            sts: endpoint,
          },
          emulator: true,
          assumeRoleArn: 'arn:aws:iam::123456789012:role/envmatrix',
        },
      }),
    );
    expect(json.terraform.backend.s3).toEqual({
      bucket: 'acme-tfstate',
      key: 'platform/dev/aws/us-east-1/terraform.tfstate',
      region: 'us-east-1',
      encrypt: true,
      dynamodb_table: 'tf-locks',
      use_lockfile: true,
      endpoints: { dynamodb: endpoint, iam: endpoint, s3: endpoint, sts: endpoint },
      use_path_style: true,
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
    });
    expect(json.provider.aws).toEqual([
      {
        assume_role: [
          { role_arn: 'arn:aws:iam::123456789012:role/envmatrix', session_name: 'envmatrix-dev-us-east-1' },
        ],
        default_tags: [
          {
            tags: {
              environment: 'dev',
              cloud: 'aws',
              region: 'us-east-1',
              'cost-centre': 'platform',
              'managed-by': 'envmatrix',
            },
          },
        ],
        endpoints: [
          {
            dynamodb: endpoint,
            ec2: endpoint,
            eks: endpoint,
            iam: endpoint,
            kms: endpoint,
            logs: endpoint,
            s3: endpoint,
            sts: endpoint,
          },
        ],
        region: 'us-east-1',
        s3_use_path_style: true,
        skip_credentials_validation: true,
        skip_metadata_api_check: 'true',
        skip_region_validation: true,
        skip_requesting_account_id: true,
      },
    ]);
  });

  it('configures the provider with the stack region and the default tags only, by default', () => {
    expect(stack('prod/aws/eu-west-1').provider).toEqual({
      aws: [
        {
          region: 'eu-west-1',
          default_tags: [
            {
              tags: {
                environment: 'prod',
                cloud: 'aws',
                region: 'eu-west-1',
                'cost-centre': 'platform-1234',
                'managed-by': 'envmatrix',
              },
            },
          ],
        },
      ],
    });
  });

  it('puts a public and a private subnet in each of the cluster’s zones', () => {
    const subnets = resourcesOf(stack('dev/aws/us-east-1'), 'aws_subnet');
    expect(Object.entries(subnets).map(([name, s]) => [name, s.availability_zone, s.cidr_block])).toEqual([
      ['main_public_us-east-1a', 'us-east-1a', '10.10.224.0/22'],
      ['main_public_us-east-1b', 'us-east-1b', '10.10.228.0/22'],
      ['main_private_us-east-1a', 'us-east-1a', '10.10.0.0/19'],
      ['main_private_us-east-1b', 'us-east-1b', '10.10.32.0/19'],
    ]);
    expect(resourcesOf(stack('prod/aws/us-east-1'), 'aws_subnet')).toHaveProperty([
      'main_private_us-east-1c',
    ]);
  });

  it('gives prod a NAT gateway per zone (natPerZone) and dev one for the VPC', () => {
    const nat = (scope: string) =>
      Object.entries(resourcesOf(stack(scope), 'aws_nat_gateway')).map(([name, n]) => [name, n.subnet_id]);
    expect(nat('prod/aws/eu-west-1')).toEqual([
      ['main_eu-west-1a', '${aws_subnet.main_public_eu-west-1a.id}'],
      ['main_eu-west-1b', '${aws_subnet.main_public_eu-west-1b.id}'],
      ['main_eu-west-1c', '${aws_subnet.main_public_eu-west-1c.id}'],
    ]);
    expect(nat('dev/aws/us-east-1')).toEqual([
      ['main_us-east-1a', '${aws_subnet.main_public_us-east-1a.id}'],
    ]);
    const devRoutes = resourcesOf(stack('dev/aws/us-east-1'), 'aws_route');
    expect(Object.entries(devRoutes).map(([name, r]) => [name, r.nat_gateway_id ?? r.gateway_id])).toEqual([
      ['main_public_internet', '${aws_internet_gateway.main.id}'],
      ['main_private_us-east-1a_nat', '${aws_nat_gateway.main_us-east-1a.id}'],
      ['main_private_us-east-1b_nat', '${aws_nat_gateway.main_us-east-1a.id}'],
    ]);
  });

  it('runs the cluster’s Kubernetes version and splits nodes on demand / spot by the policy', () => {
    const json = stack('prod/aws/us-east-1');
    expect(resourcesOf(json, 'aws_eks_cluster').main).toMatchObject({ name: 'prod-main', version: '1.34' });
    const groups = resourcesOf(json, 'aws_eks_node_group');
    expect(
      Object.entries(groups).map(([name, g]) => [name, g.capacity_type, g.instance_types, g.scaling_config]),
    ).toEqual([
      ['main_on_demand', 'ON_DEMAND', ['m6i.large'], { desired_size: 3, max_size: 9, min_size: 2 }],
      [
        'main_spot',
        'SPOT',
        ['m6i.large', 'm5.large', 'm5a.large'],
        { desired_size: 6, max_size: 21, min_size: 4 },
      ],
    ]);
    // dev names no on-demand share: the default floor still keeps an on-demand group.
    expect(Object.keys(resourcesOf(stack('dev/aws/us-east-1'), 'aws_eks_node_group'))).toEqual([
      'main_on_demand',
      'main_spot',
    ]);
  });

  it('exposes what Argo CD needs to register each cluster: endpoint, CA data, OIDC issuer and provider, security group', () => {
    expect(Object.keys(stack('prod/aws/eu-west-1').output)).toEqual([
      'main_cluster_name',
      'main_cluster_endpoint',
      'main_cluster_certificate_authority_data',
      'main_cluster_version',
      'main_cluster_security_group_id',
      'main_oidc_issuer_url',
      'main_oidc_provider_arn',
      'main_vpc_id',
    ]);
    expect(stack('prod/aws/eu-west-1').output).toMatchObject({
      main_cluster_name: {
        value: '${aws_eks_cluster.main.name}',
        description: 'EKS cluster of prod/aws/eu-west-1/main',
      },
      main_cluster_endpoint: {
        value: '${aws_eks_cluster.main.endpoint}',
        description: 'Kubernetes API endpoint of prod/aws/eu-west-1/main',
      },
      main_cluster_certificate_authority_data: {
        value: '${aws_eks_cluster.main.certificate_authority[0].data}',
      },
      main_cluster_security_group_id: {
        value: '${aws_eks_cluster.main.vpc_config[0].cluster_security_group_id}',
      },
      main_oidc_issuer_url: { value: '${aws_eks_cluster.main.identity[0].oidc[0].issuer}' },
      main_oidc_provider_arn: { value: '${aws_iam_openid_connect_provider.main.arn}' },
      main_vpc_id: { value: '${aws_vpc.main.id}', description: 'VPC of prod/aws/eu-west-1/main' },
    });
  });

  it('names the resources of each cluster apart when a stack holds two', () => {
    const json = stack(
      'dev/aws/us-east-1',
      terraformFixture({
        clusters: (envs) => [
          aws(envs.dev, 'us-east-1', { network: { vpcCidr: '10.10.0.0/16' } }),
          aws(envs.dev, 'us-east-1', { name: '2nd', network: { vpcCidr: '10.11.0.0/16' } }),
          aws(envs.prod, 'us-east-1', { network: { vpcCidr: '10.30.0.0/16' } }),
        ],
      }),
    );
    expect(Object.keys(resourcesOf(json, 'aws_vpc'))).toEqual(['cluster_2nd', 'main']);
    expect(resourcesOf(json, 'aws_eks_cluster').cluster_2nd?.name).toBe('dev-2nd');
    expect(Object.keys(json.output)).toContain('cluster_2nd_cluster_endpoint');
  });

  it('writes the same bytes every time, with nothing machine-specific and no cdktf bookkeeping', () => {
    const first = render();
    expect(render()).toEqual(first);
    for (const [path, text] of first) {
      if (!path.endsWith('/main.tf.json')) continue;
      const json = JSON.parse(text) as StackJson;
      expect(Object.keys(json)[0], path).toBe('//');
      expect(json['//']).toBe(STACK_MARKER);
      // The marker is the only "//" key: cdktf's metadata (construct paths, stack name) is stripped.
      expect(text.match(/"\/\/"/g), path).toHaveLength(1);
      for (const machine of [process.cwd(), tmpdir(), 'cdktf', 'stackName', 'uniqueId', '/home/', '/root'])
        expect(text, path).not.toContain(machine);
      expect(text, path).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    }
  });
});

describe('synthesis stays in memory', () => {
  const original = process.cwd();
  let dir = '';
  afterEach(() => {
    process.chdir(original);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates no cdktf.out (or anything else) in the working directory', () => {
    dir = mkdtempSync(join(tmpdir(), 'envmatrix-tf-pure-'));
    process.chdir(dir);
    expect([...render().keys()].filter((path) => path.endsWith('/main.tf.json'))).toHaveLength(3);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('ignores the CDKTF_* variables an App would read', () => {
    const before = render();
    process.env.CDKTF_CONTEXT_JSON = JSON.stringify({ excludeStackIdFromLogicalIds: 'false' });
    process.env.CDKTF_OUTDIR = '/nonexistent/cdktf.out';
    try {
      expect(render()).toEqual(before);
    } finally {
      delete process.env.CDKTF_CONTEXT_JSON;
      delete process.env.CDKTF_OUTDIR;
    }
  });
});

describe('unit inputs', () => {
  it('hash the whole plan, so a change to anything a stack depends on shows in index.json', () => {
    const hashes = (matrix: MatrixDefinition) =>
      [...compose(resolveFixture(matrix), { generators: [terraformGenerator] }).values()].map(
        (f) => f.inputHash,
      );
    const base = hashes(terraformFixture());
    const costCentre = hashes(terraformFixture({ terraform: { ...FIXTURE_TERRAFORM, costCentre: 'other' } }));
    expect(costCentre.every((hash, index) => hash !== base[index])).toBe(true);
  });
});
