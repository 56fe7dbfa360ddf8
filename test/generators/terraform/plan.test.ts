/** The stack plan as plain data: which stacks exist, subnets, the on-demand/spot split, keys, tags. */
import { describe, expect, it } from 'vitest';
import { aws } from '../../../src/matrix/index.ts';
import { splitNodes, subnetLayout } from '../../../src/generators/terraform/aws/layout.ts';
import { awsStackPlans, stateKey } from '../../../src/generators/terraform/aws/plan.ts';
import {
  describeTerraformCoverage,
  terraformStacks as allStacks,
} from '../../../src/generators/terraform/plan.ts';
import type { ResolvedMatrix } from '../../../src/matrix/types.ts';
import { resolveFixture, terraformFixture } from './fixture.ts';

/** The AWS plugin's plans (typed; the neutral plan is tested in cloud-plugins.test.ts). */
const terraformStacks = (matrix: ResolvedMatrix) =>
  matrix.terraform ? awsStackPlans(matrix, matrix.terraform) : [];

const NODES = { instanceTypes: ['m6i.large', 'm5.large', 'm5a.large'], min: 6, max: 30, desired: 9 };

describe('terraformStacks', () => {
  it('plans one stack per environment and AWS region, in target order, and none for other clouds', () => {
    const stacks = terraformStacks(resolveFixture());
    expect(stacks.map((s) => [s.scope, s.dir, s.clusters.map((c) => c.target)])).toEqual([
      ['dev/aws/us-east-1', 'terraform/dev/aws/us-east-1', ['dev/aws/us-east-1/main']],
      ['prod/aws/eu-west-1', 'terraform/prod/aws/eu-west-1', ['prod/aws/eu-west-1/main']],
      ['prod/aws/us-east-1', 'terraform/prod/aws/us-east-1', ['prod/aws/us-east-1/main']],
    ]);
  });

  it('puts every AWS cluster of an environment and region into that region’s stack', () => {
    const matrix = terraformFixture({
      clusters: (envs) => [
        aws(envs.dev, 'us-east-1', { network: { vpcCidr: '10.10.0.0/16' } }),
        aws(envs.dev, 'us-east-1', { name: 'blue', network: { vpcCidr: '10.11.0.0/16' } }),
        aws(envs.prod, 'us-east-1', { network: { vpcCidr: '10.30.0.0/16' } }),
      ],
    });
    const stacks = terraformStacks(resolveFixture(matrix));
    expect(stacks.map((s) => [s.scope, s.clusters.map((c) => [c.name, c.eksName, c.vpcCidr])])).toEqual([
      [
        'dev/aws/us-east-1',
        [
          ['blue', 'dev-blue', '10.11.0.0/16'],
          ['main', 'dev-main', '10.10.0.0/16'],
        ],
      ],
      ['prod/aws/us-east-1', [['main', 'prod-main', '10.30.0.0/16']]],
    ]);
  });

  it('plans no stacks when the matrix has no terraform settings', () => {
    const withoutTerraform = { ...terraformFixture(), terraform: undefined };
    expect(allStacks(resolveFixture(withoutTerraform))).toEqual([]);
  });

  it('keys state by environment, cloud and region under the prefix, in the matrix’s bucket and region', () => {
    const [dev] = terraformStacks(resolveFixture());
    expect(dev!.backend).toEqual({
      bucket: 'acme-tfstate',
      key: 'envmatrix/dev/aws/us-east-1/terraform.tfstate',
      region: 'eu-central-1',
      endpoints: {},
      emulator: false,
    });
    expect(stateKey('platform/tf', 'prod', 'eu-west-1')).toBe(
      'platform/tf/prod/aws/eu-west-1/terraform.tfstate',
    );
  });

  it('tags every resource with environment, cloud, region, cost centre and managed-by', () => {
    const prod = terraformStacks(resolveFixture()).find((s) => s.scope === 'prod/aws/eu-west-1')!;
    expect(prod.provider.defaultTags).toEqual({
      environment: 'prod',
      cloud: 'aws',
      region: 'eu-west-1',
      'cost-centre': 'platform-1234',
      'managed-by': 'envmatrix',
    });
  });

  it('assumes the environment’s role, and gives the backend only the endpoints it calls', () => {
    const endpoint = 'http://127.0.0.1:5000';
    const matrix = terraformFixture({
      terraform: {
        state: { bucket: 'acme-tfstate', region: 'us-east-1', keyPrefix: 'platform', lockTable: 'tf-locks' },
        costCentre: 'platform',
        endpoints: {
          ec2: endpoint,
          eks: endpoint,
          iam: endpoint,
          s3: endpoint,
          sts: endpoint,
          dynamodb: endpoint,
        },
        emulator: true,
        assumeRoleArn: { prod: 'arn:aws:iam::123456789012:role/envmatrix-prod' },
      },
    });
    const [dev, prodEu] = terraformStacks(resolveFixture(matrix));
    expect(dev!.provider.assumeRole).toBeUndefined();
    expect(prodEu!.provider.assumeRole).toEqual({
      roleArn: 'arn:aws:iam::123456789012:role/envmatrix-prod',
      sessionName: 'envmatrix-prod-eu-west-1',
    });
    expect(Object.keys(prodEu!.provider.endpoints)).toEqual(['dynamodb', 'ec2', 'eks', 'iam', 's3', 'sts']);
    expect(prodEu!.backend).toEqual({
      bucket: 'acme-tfstate',
      key: 'platform/prod/aws/eu-west-1/terraform.tfstate',
      region: 'us-east-1',
      lockTable: 'tf-locks',
      endpoints: { dynamodb: endpoint, iam: endpoint, s3: endpoint, sts: endpoint },
      emulator: true,
    });
  });

  it('takes NAT per zone and the on-demand share from the environment policy', () => {
    const stacks = terraformStacks(resolveFixture());
    const dev = stacks[0]!.clusters[0]!;
    const prod = stacks[2]!.clusters[0]!;
    expect([dev.natPerZone, prod.natPerZone]).toEqual([false, true]);
    expect(dev.nodeGroups.map((g) => [g.kind, g.min, g.desired, g.max])).toEqual([['spot', 2, 2, 6]]);
    expect(prod.nodeGroups.map((g) => [g.kind, g.min, g.desired, g.max])).toEqual([
      ['on-demand', 2, 3, 9],
      ['spot', 4, 6, 21],
    ]);
    expect(prod.kubernetesVersion).toBe('1.31');
    expect(prod.roles).toEqual({
      cluster: 'prod-us-east-1-main-eks-cluster',
      nodes: 'prod-us-east-1-main-eks-nodes',
    });
  });
});

describe('subnetLayout', () => {
  it('gives each zone an eighth of the VPC as its private subnet and a sixty-fourth as its public one', () => {
    expect(subnetLayout('10.30.0.0/16', ['us-east-1a', 'us-east-1b', 'us-east-1c'])).toEqual([
      { zone: 'us-east-1a', privateCidr: '10.30.0.0/19', publicCidr: '10.30.224.0/22' },
      { zone: 'us-east-1b', privateCidr: '10.30.32.0/19', publicCidr: '10.30.228.0/22' },
      { zone: 'us-east-1c', privateCidr: '10.30.64.0/19', publicCidr: '10.30.232.0/22' },
    ]);
  });

  it('fits seven zones into the smallest VPC, down to /28 public subnets', () => {
    const zones = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const layout = subnetLayout('192.168.4.0/22', zones);
    expect(layout.map((z) => z.privateCidr)).toEqual([
      '192.168.4.0/25',
      '192.168.4.128/25',
      '192.168.5.0/25',
      '192.168.5.128/25',
      '192.168.6.0/25',
      '192.168.6.128/25',
      '192.168.7.0/25',
    ]);
    expect(layout.map((z) => z.publicCidr)).toEqual([
      '192.168.7.128/28',
      '192.168.7.144/28',
      '192.168.7.160/28',
      '192.168.7.176/28',
      '192.168.7.192/28',
      '192.168.7.208/28',
      '192.168.7.224/28',
    ]);
  });
});

describe('splitNodes', () => {
  it('keeps at least the policy’s share on demand, rounding up, and the rest on spot', () => {
    expect(splitNodes(NODES, 30)).toEqual([
      {
        kind: 'on-demand',
        capacityType: 'ON_DEMAND',
        instanceTypes: ['m6i.large'],
        min: 2,
        max: 9,
        desired: 3,
      },
      {
        kind: 'spot',
        capacityType: 'SPOT',
        instanceTypes: ['m6i.large', 'm5.large', 'm5a.large'],
        min: 4,
        max: 21,
        desired: 6,
      },
    ]);
  });

  it('leaves out a group that would get no nodes at all', () => {
    expect(splitNodes(NODES, 0).map((g) => [g.kind, g.min, g.desired, g.max])).toEqual([['spot', 6, 9, 30]]);
    expect(splitNodes(NODES, 100).map((g) => [g.kind, g.min, g.desired, g.max])).toEqual([
      ['on-demand', 6, 9, 30],
    ]);
  });

  it('never gives on-demand less than its share of any of min, desired and max', () => {
    for (const percent of [1, 10, 25, 30, 33, 50, 67, 99]) {
      for (const groups of [splitNodes({ ...NODES, min: 1, desired: 2, max: 7 }, percent)]) {
        const onDemand = groups.find((g) => g.kind === 'on-demand')!;
        const spot = groups.find((g) => g.kind === 'spot');
        for (const key of ['min', 'desired', 'max'] as const) {
          const total = onDemand[key] + (spot?.[key] ?? 0);
          expect(onDemand[key] / total).toBeGreaterThanOrEqual(percent / 100);
        }
        if (spot) expect(spot.min <= spot.desired && spot.desired <= spot.max).toBe(true);
      }
    }
  });
});

describe('describeTerraformCoverage', () => {
  it('names the stack of an AWS target and says plainly why other targets have none', () => {
    const resolved = resolveFixture();
    expect(resolved.targets.map((t) => [t.id, describeTerraformCoverage(resolved, t)])).toEqual([
      ['dev/aws/us-east-1/main', 'generated/terraform/dev/aws/us-east-1'],
      ['prod/aws/eu-west-1/main', 'generated/terraform/prod/aws/eu-west-1'],
      ['prod/aws/us-east-1/main', 'generated/terraform/prod/aws/us-east-1'],
      ['prod/gcp/europe-west1/main', 'none yet (gcp: only AWS has stacks)'],
    ]);
    const withoutTerraform = { ...terraformFixture(), terraform: undefined };
    const bare = resolveFixture(withoutTerraform);
    expect(describeTerraformCoverage(bare, bare.targets[0]!)).toBe(
      'none (the matrix has no terraform settings)',
    );
  });
});
