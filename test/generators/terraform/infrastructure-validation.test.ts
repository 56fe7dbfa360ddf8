/** The infrastructure rules (src/matrix/infrastructure-validation.ts), with their exact messages and fixes. */
import { describe, expect, it } from 'vitest';
import type { MatrixIssue } from '../../../src/matrix/errors.ts';
import { aws, gcp } from '../../../src/matrix/index.ts';
import type { MatrixDefinition, TerraformSettings } from '../../../src/matrix/index.ts';
import { issuesOf } from '../../support/problems.ts';
import { terraformFixture, FIXTURE_TERRAFORM } from './fixture.ts';

/** The fixture has no apps, so it has no pins. */
const issues = (matrix: MatrixDefinition): MatrixIssue[] => issuesOf(matrix, {});

/** `[path] message` and `fix`, with sources dropped (they hold line numbers of this file). */
function problems(matrix: MatrixDefinition): string[][] {
  return issues(matrix).map((issue) => [`[${issue.path}] ${issue.message}`, issue.fix]);
}

const withTerraform = (terraform: Partial<TerraformSettings>): MatrixDefinition =>
  terraformFixture({ terraform: { ...FIXTURE_TERRAFORM, ...terraform } });

describe('infrastructure validation', () => {
  it('accepts the fixture', () => {
    expect(problems(terraformFixture())).toEqual([]);
  });

  it('rejects VPC ranges that overlap within an environment, naming both clusters and a free range', () => {
    const matrix = terraformFixture({
      clusters: (envs) => [
        aws(envs.dev, 'us-east-1', { network: { vpcCidr: '10.0.0.0/16' } }),
        aws(envs.prod, 'us-east-1', { network: { vpcCidr: '10.0.0.0/16' } }),
        aws(envs.prod, 'eu-west-1', { network: { vpcCidr: '10.0.128.0/17' } }),
        aws(envs.prod, 'us-west-2', { network: { vpcCidr: '10.1.0.0/16' } }),
      ],
    });
    const found = issues(matrix);
    expect(found.map((i) => [`[${i.path}] ${i.message.replace(/\(test\/[^)]*\)/, '(…)')}`, i.fix])).toEqual([
      [
        '[clusters[2] prod/aws/eu-west-1/main] network.vpcCidr 10.0.128.0/17 overlaps 10.0.0.0/16 of prod/aws/us-east-1/main (…); the VPCs of one environment must not overlap, so they can be peered',
        'give prod/aws/eu-west-1/main a range no other prod cluster uses, e.g. 10.2.0.0/16',
      ],
    ]);
    // The source of the other cluster is named, so the reader finds both lines.
    expect(found[0]!.message).toMatch(
      / of prod\/aws\/us-east-1\/main \(test\/generators\/terraform\/infrastructure-validation\.test\.ts:\d+\);/,
    );
    expect(found[0]!.source).toMatch(
      /^test\/generators\/terraform\/infrastructure-validation\.test\.ts:\d+$/,
    );
  });

  it('checks the range itself: an IPv4 range, /16 to /22, written from its first address', () => {
    const matrix = terraformFixture({
      clusters: (envs) => [
        aws(envs.dev, 'us-east-1', { network: { vpcCidr: '10.0.0.0/8' } }),
        aws(envs.prod, 'us-east-1', { network: { vpcCidr: '10.30.5.0/16' } }),
        aws(envs.prod, 'eu-west-1', { network: { vpcCidr: '10.300.0.0/16' } }),
      ],
    });
    expect(problems(matrix)).toEqual([
      [
        '[clusters[0] dev/aws/us-east-1/main] network.vpcCidr 10.0.0.0/8 is a /8; a cluster VPC is /16 to /22',
        'use a /16 unless addresses are scarce (on EKS every pod takes a VPC address)',
      ],
      [
        '[clusters[1] prod/aws/us-east-1/main] network.vpcCidr 10.30.5.0/16 has host bits set',
        "write the range's first address: 10.30.0.0/16",
      ],
      [
        '[clusters[2] prod/aws/eu-west-1/main] network.vpcCidr "10.300.0.0/16" is not an IPv4 range',
        'write address/prefix, e.g. 10.1.0.0/16',
      ],
    ]);
  });

  it('asks every AWS cluster for a network once the matrix has terraform settings, suggesting a free range', () => {
    const matrix = terraformFixture({
      clusters: (envs) => [
        aws(envs.dev, 'us-east-1', {
          zones: ['us-east-1a', 'us-east-1b'],
          network: { vpcCidr: '10.10.0.0/16' },
        }),
        aws(envs.prod, 'us-east-1', { network: { vpcCidr: '10.0.0.0/16' } }),
        aws(envs.prod, 'eu-west-1'),
        gcp(envs.prod, 'europe-west1'),
      ],
    });
    expect(problems(matrix)).toEqual([
      [
        '[clusters[2] prod/aws/eu-west-1/main] has no network.vpcCidr, which its Terraform stack needs',
        "add network: { vpcCidr: '10.1.0.0/16' } to the cluster (any range no other prod cluster uses)",
      ],
    ]);
    const withoutTerraform = { ...matrix, terraform: undefined };
    expect(problems(withoutTerraform)).toEqual([]);
  });

  it('needs two zones for EKS', () => {
    const matrix = terraformFixture({
      clusters: (envs) => [
        aws(envs.dev, 'us-east-1', { zones: ['us-east-1a'], network: { vpcCidr: '10.10.0.0/16' } }),
        aws(envs.prod, 'us-east-1', { network: { vpcCidr: '10.30.0.0/16' } }),
      ],
    });
    expect(problems(matrix)).toEqual([
      [
        '[clusters[0] dev/aws/us-east-1/main] spans 1 zone; EKS needs subnets in at least 2',
        "list at least 2 zones of us-east-1 in the cluster's zones",
      ],
    ]);
  });

  it('checks node sizes and asks the spot group for several instance types', () => {
    const matrix = terraformFixture({
      clusters: (envs) => [
        aws(envs.dev, 'us-east-1', {
          network: { vpcCidr: '10.10.0.0/16' },
          nodes: { instanceTypes: ['m6i.large'], min: 4, max: 3 },
        }),
        aws(envs.prod, 'us-east-1', {
          network: { vpcCidr: '10.30.0.0/16' },
          nodes: { instanceTypes: ['m6i.large', 'large'], min: 2, max: 6, desired: 7 },
        }),
        aws(envs.prod, 'eu-west-1', {
          network: { vpcCidr: '10.31.0.0/16' },
          nodes: { min: 0, max: 0, desired: 0.5 },
        }),
      ],
    });
    expect(problems(matrix)).toEqual([
      ['[clusters[0] dev/aws/us-east-1/main] nodes.min 4 > nodes.max 3', 'make nodes.max at least nodes.min'],
      [
        '[clusters[0] dev/aws/us-east-1/main] nodes.instanceTypes has one type (m6i.large) for the spot group',
        'list two or more similar types, e.g. ["m6i.large", "m5.large", "m5a.large"]: one type alone runs out of spot capacity',
      ],
      [
        '[clusters[1] prod/aws/us-east-1/main] nodes.desired 7 is outside nodes.min 2 … nodes.max 6',
        'pick nodes.desired between min and max, or leave it out to start at min',
      ],
      [
        '[clusters[1] prod/aws/us-east-1/main] nodes.instanceTypes has "large", which is not an EC2 instance type',
        'write types such as m6i.large',
      ],
      [
        '[clusters[2] prod/aws/eu-west-1/main] nodes.desired 0.5 is not a whole number ≥ 0',
        'set nodes.desired to 0 or more',
      ],
    ]);
  });

  it('checks the shared settings: bucket, region, key prefix, lock table, cost centre, endpoints, roles', () => {
    const matrix = withTerraform({
      state: {
        bucket: 'Acme_State',
        region: 'mars-north-1' as 'us-east-1',
        keyPrefix: '/envmatrix/',
        lockTable: 'x',
      },
      costCentre: 'platform;drop',
      endpoints: {
        ec2: 'http://127.0.0.1:5000',
        sqs: 'http://127.0.0.1:5000',
        eks: 'localhost:5000',
      } as never,
      assumeRoleArn: { prod: 'arn:aws:iam::123:role/x', qa: 'arn:aws:iam::123456789012:role/envmatrix' },
    });
    expect(problems(matrix)).toEqual([
      [
        '[terraform.state.bucket] "Acme_State" is not an S3 bucket name',
        'use 3–63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit',
      ],
      [
        '[terraform.state.region] "mars-north-1" is not an AWS region',
        'give the AWS region the state bucket lives in (one of src/matrix/regions.ts)',
      ],
      [
        '[terraform.state.keyPrefix] "/envmatrix/" is not a key prefix',
        'write folder names joined by "/", without a leading or trailing "/", e.g. "platform/envmatrix"',
      ],
      [
        '[terraform.state.lockTable] "x" is not a DynamoDB table name',
        'use 3–255 letters, digits, "_", "." and "-", or leave lockTable out to lock by the S3 lockfile',
      ],
      [
        '[terraform.costCentre] "platform;drop" is not an AWS tag value',
        'use 1–256 letters, digits, spaces and _ . : / = + - @',
      ],
      [
        '[terraform.endpoints.sqs] unknown service "sqs"',
        'use dynamodb, ec2, eks, iam, kms, logs, route53, s3, sts: the services the stacks and their state backend call',
      ],
      [
        '[terraform.endpoints.eks] "localhost:5000" is not an http(s) URL',
        'write a URL, e.g. https://ec2.us-east-1.amazonaws.com or http://127.0.0.1:5000',
      ],
      [
        '[terraform.endpoints] no endpoint for dynamodb, iam, kms, logs, s3, sts, which the stacks call',
        'add dynamodb, iam, kms, logs, s3, sts to terraform.endpoints, or the provider reaches real AWS for them',
      ],
      [
        '[terraform.assumeRoleArn.prod] "arn:aws:iam::123:role/x" is not an IAM role ARN',
        'write arn:aws:iam::<12-digit account id>:role/<name>',
      ],
      ['[terraform.assumeRoleArn.qa] names unknown environment "qa"', 'use one of: dev, prod'],
    ]);
    expect(
      issues(matrix).every((issue) =>
        /^test\/generators\/terraform\/fixture\.ts:\d+$/.test(issue.source ?? ''),
      ),
    ).toBe(true);
  });

  it('rejects emulator mode without endpoints, and IAM role names longer than AWS allows', () => {
    const long = 'an-environment-with-a-rather-long-name';
    const matrix = terraformFixture({
      envs: { dev: 'dev', prod: long },
      terraform: { ...FIXTURE_TERRAFORM, emulator: true },
      clusters: (envs) => [
        aws(envs.dev, 'us-east-1', { network: { vpcCidr: '10.10.0.0/16' } }),
        aws(envs.prod, 'ap-southeast-2', { network: { vpcCidr: '10.30.0.0/16' } }),
      ],
    });
    expect(problems(matrix)).toEqual([
      [
        '[terraform.emulator] emulator is set, but there are no endpoints to emulate',
        'point terraform.endpoints at the emulator, or remove emulator',
      ],
      [
        `[clusters[1] ${long}/aws/ap-southeast-2/main] IAM role name ${long}-ap-southeast-2-main-eks-autoscaler has 73 characters; AWS allows 64`,
        'shorten the environment or cluster name',
      ],
    ]);
  });
});
