/**
 * The Terraform harness against the real terraform, the offline provider mirror and moto. Commands are
 * few on purpose: every one starts the aws provider at least twice (seconds each, ~0.6 GB).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  awsQueryCall,
  createBucket,
  deleteObject,
  getObject,
  listBuckets,
  listObjects,
  motoAvailable,
  useMoto,
} from './moto.ts';
import {
  cliConfigText,
  describeResult,
  findProviderMirror,
  MIRRORED_AWS_PROVIDER_VERSION,
  motoAwsProvider,
  motoS3Backend,
  plantS3Lockfile,
  runTerraform,
  terraformAvailable,
  terraformEnv,
  writeMotoBackendOverride,
} from './terraform.ts';

const terraform = terraformAvailable();
const moto = motoAvailable();
const canRun = terraform.available && moto.available;

const AWS_VERSION_CONSTRAINT = '>= 5.100.0, < 7.0.0';
const STATE_KEY = 'envmatrix/test/terraform.tfstate';
const SLOW = 180_000;

describe('cliConfigText', () => {
  it('installs providers from the mirror only, never from the registry', () => {
    expect(cliConfigText('/opt/tf-plugins')).toBe(
      [
        'provider_installation {',
        '  filesystem_mirror {',
        '    path = "/opt/tf-plugins"',
        '  }',
        '  direct {',
        '    exclude = ["registry.terraform.io/*/*"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('motoAwsProvider', () => {
  it('adds the skip flags and lists explicit endpoints only when asked', () => {
    expect(motoAwsProvider('http://127.0.0.1:1', { alias: 'euw1', region: 'eu-west-1' })).toEqual({
      alias: 'euw1',
      region: 'eu-west-1',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
      s3_use_path_style: true,
    });
    expect(motoAwsProvider('http://127.0.0.1:1', { services: ['s3', 'ec2'] })).toMatchObject({
      region: 'us-east-1',
      endpoints: [{ s3: 'http://127.0.0.1:1', ec2: 'http://127.0.0.1:1' }],
    });
  });
});

describe('motoS3Backend', () => {
  it('locks with the S3 lockfile by default and with a DynamoDB table when given one', () => {
    const lockfile = motoS3Backend('http://127.0.0.1:1', { bucket: 'state', key: 'a/terraform.tfstate' });
    expect(lockfile).toMatchObject({ use_lockfile: true, use_path_style: true, region: 'us-east-1' });
    expect(lockfile).not.toHaveProperty('dynamodb_table');
    const table = motoS3Backend('http://127.0.0.1:1', { bucket: 'state', key: 'k', dynamodbTable: 'locks' });
    expect(table).toMatchObject({ dynamodb_table: 'locks' });
    expect(table).not.toHaveProperty('use_lockfile');
  });
});

describe.skipIf(!terraform.available)('terraformEnv', () => {
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('keeps ambient AWS credentials and proxies out, and blocks every host but 127.0.0.1', () => {
    vi.stubEnv('AWS_PROFILE', 'production');
    vi.stubEnv('AWS_SESSION_TOKEN', 'real-looking-token');
    vi.stubEnv('TF_WORKSPACE', 'prod');
    vi.stubEnv('https_proxy', 'http://corp-proxy:3128');
    const env = terraformEnv();
    expect(env.AWS_PROFILE).toBeUndefined();
    expect(env.AWS_SESSION_TOKEN).toBeUndefined();
    expect(env.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(env.TF_WORKSPACE).toBeUndefined();
    expect(env.https_proxy).toBeUndefined();
    expect(env).toMatchObject({
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      CHECKPOINT_DISABLE: '1',
      HTTPS_PROXY: 'http://127.0.0.1:9',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      TF_CLI_ARGS_plan: '-no-color',
    });
    expect(readFileSync(env.TF_CLI_CONFIG_FILE ?? '', 'utf8')).toBe(
      cliConfigText(findProviderMirror() ?? ''),
    );
  });

  it('adds moto credentials and AWS_ENDPOINT_URL only when given a moto endpoint', () => {
    expect(terraformEnv({ moto: 'http://127.0.0.1:5' })).toMatchObject({
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5',
    });
    expect(terraformEnv({ moto: 'http://127.0.0.1:5', endpointUrl: false }).AWS_ENDPOINT_URL).toBeUndefined();
  });
});

/** Per-command wall times, printed once so CI logs show where the seconds go. */
const timings: string[] = [];
afterAll(() => {
  if (timings.length > 0) console.info(`terraform timings: ${timings.join(', ')}`);
});

async function tf(dir: string, args: readonly string[], env: NodeJS.ProcessEnv) {
  const result = await runTerraform(dir, args, { env });
  timings.push(`${args[0] ?? ''} ${result.durationMs}ms`);
  return result;
}

describe.skipIf(!canRun)('a hand-written stack with explicit moto endpoints and an S3 backend', () => {
  let endpoint = '';
  let release: () => Promise<void> = async () => {};
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  const bucket = `envmatrix-state-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    ({ endpoint, release } = await useMoto());
    await createBucket(endpoint, bucket);
    dir = mkdtempSync(join(tmpdir(), 'envmatrix-tf-'));
    // Explicit endpoints only: without AWS_ENDPOINT_URL a service missing here would fail at the dead
    // proxy, so a passing run proves this file alone keeps terraform on moto.
    env = terraformEnv({ moto: endpoint, endpointUrl: false });
    const backend = {
      bucket,
      key: STATE_KEY,
      region: 'us-east-1',
      use_path_style: true,
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
      endpoints: { s3: endpoint, dynamodb: endpoint, sts: endpoint, iam: endpoint },
      use_lockfile: true,
    };
    const provider = {
      region: 'us-east-1',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
      s3_use_path_style: true,
      endpoints: [{ s3: endpoint, sts: endpoint, iam: endpoint, ec2: endpoint }],
    };
    // The helpers build exactly what is written out by hand here.
    expect(motoS3Backend(endpoint, { bucket, key: STATE_KEY })).toEqual(backend);
    expect(motoAwsProvider(endpoint, { services: ['s3', 'sts', 'iam', 'ec2'] })).toEqual(provider);
    const stack = {
      terraform: {
        required_providers: { aws: { source: 'hashicorp/aws', version: AWS_VERSION_CONSTRAINT } },
        backend: { s3: backend },
      },
      provider: { aws: [provider] },
      resource: {
        aws_vpc: { main: { cidr_block: '10.42.0.0/16', tags: { Name: 'envmatrix-terraform-test' } } },
      },
      output: { vpc_id: { value: '${aws_vpc.main.id}' } },
    };
    writeFileSync(join(dir, 'main.tf.json'), `${JSON.stringify(stack, null, 2)}\n`);
  });

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await release();
  });

  it(
    'initializes offline from the mirror and validates',
    async () => {
      const init = await tf(dir, ['init'], env);
      expect(init.code, describeResult(['init'], init)).toBe(0);
      expect(init.stdout).toContain('Successfully configured the backend "s3"!');
      expect(init.stdout).toContain(`Installing hashicorp/aws v${MIRRORED_AWS_PROVIDER_VERSION}...`);
      expect(init.stdout).toContain('Terraform has been successfully initialized!');
      const installed = join(
        dir,
        `.terraform/providers/registry.terraform.io/hashicorp/aws/${MIRRORED_AWS_PROVIDER_VERSION}/linux_amd64`,
      );
      expect(readlinkSync(installed)).toContain(findProviderMirror());
      expect(readFileSync(join(dir, '.terraform.lock.hcl'), 'utf8')).toContain(
        `version     = "${MIRRORED_AWS_PROVIDER_VERSION}"`,
      );

      const validate = await tf(dir, ['validate'], env);
      expect(validate.code, describeResult(['validate'], validate)).toBe(0);
      expect(validate.stdout).toContain('Success! The configuration is valid.');
    },
    SLOW,
  );

  it(
    'applies a VPC into moto and keeps the state in the moto bucket',
    async () => {
      const apply = await tf(dir, ['apply', '-auto-approve'], env);
      expect(apply.code, describeResult(['apply'], apply)).toBe(0);
      expect(apply.stdout).toContain('Apply complete! Resources: 1 added, 0 changed, 0 destroyed.');

      // The lock was released and the state written to moto, not to a local file.
      expect(await listObjects(endpoint, bucket)).toEqual([STATE_KEY]);
      const state = JSON.parse((await getObject(endpoint, bucket, STATE_KEY)) ?? '{}') as {
        outputs?: { vpc_id?: { value?: string } };
      };
      const vpcId = state.outputs?.vpc_id?.value ?? '';
      expect(vpcId).toMatch(/^vpc-/);
      const vpcs = await awsQueryCall(endpoint, 'ec2', {
        Action: 'DescribeVpcs',
        Version: '2016-11-15',
        'VpcId.1': vpcId,
      });
      expect(vpcs).toContain('<cidrBlock>10.42.0.0/16</cidrBlock>');
    },
    SLOW,
  );

  it(
    'plans no changes on a second run (-detailed-exitcode 0)',
    async () => {
      const plan = await tf(dir, ['plan', '-detailed-exitcode'], env);
      expect(plan.code, describeResult(['plan', '-detailed-exitcode'], plan)).toBe(0);
      expect(plan.stdout).toContain('No changes. Your infrastructure matches the configuration.');
    },
    SLOW,
  );

  it(
    'fails to plan while another run holds the S3 lockfile',
    async () => {
      const lock = await plantS3Lockfile(endpoint, bucket, STATE_KEY);
      try {
        const plan = await tf(dir, ['plan', '-lock-timeout=0s'], env);
        expect(plan.code, describeResult(['plan'], plan)).toBe(1);
        expect(plan.stderr).toContain('Error acquiring the state lock');
        expect(plan.stderr).toContain('PreconditionFailed');
        expect(plan.stderr).toContain(`ID:        ${lock.ID}`);
        expect(plan.stderr).toContain(`Who:       ${lock.Who}`);
        expect(plan.stderr).toContain(`Path:      ${bucket}/${STATE_KEY}`);
      } finally {
        await deleteObject(endpoint, bucket, `${STATE_KEY}.tflock`);
      }
    },
    SLOW,
  );
});

describe.skipIf(!canRun)('a production-shaped stack pointed at moto by environment and override', () => {
  let endpoint = '';
  let release: () => Promise<void> = async () => {};
  let dir = '';
  const suffix = randomBytes(4).toString('hex');
  const stateBucket = `envmatrix-state-${suffix}`;

  beforeAll(async () => {
    ({ endpoint, release } = await useMoto());
    await createBucket(endpoint, stateBucket);
    dir = mkdtempSync(join(tmpdir(), 'envmatrix-tf-prod-'));
    // What a generator emits for real AWS: no endpoints, no skip flags, a real state bucket and table.
    const stack = {
      terraform: {
        required_providers: { aws: { source: 'hashicorp/aws', version: AWS_VERSION_CONSTRAINT } },
        backend: {
          s3: {
            bucket: 'acme-prod-tfstate',
            key: 'prod/aws/us-east-1/terraform.tfstate',
            region: 'us-east-1',
            dynamodb_table: 'acme-tf-locks',
            encrypt: true,
          },
        },
      },
      provider: { aws: [{ region: 'us-east-1' }, { alias: 'euw1', region: 'eu-west-1' }] },
      resource: {
        aws_s3_bucket: {
          use1: { bucket: `envmatrix-use1-${suffix}` },
          euw1: { provider: 'aws.euw1', bucket: `envmatrix-euw1-${suffix}` },
        },
      },
    };
    writeFileSync(join(dir, 'main.tf.json'), `${JSON.stringify(stack, null, 2)}\n`);
    writeMotoBackendOverride(dir, endpoint, { bucket: stateBucket, key: STATE_KEY });
  });

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await release();
  });

  it(
    'applies both regions into moto with AWS_ENDPOINT_URL and the backend override file',
    async () => {
      const env = terraformEnv({ moto: endpoint });
      const init = await tf(dir, ['init'], env);
      expect(init.code, describeResult(['init'], init)).toBe(0);
      const apply = await tf(dir, ['apply', '-auto-approve'], env);
      expect(apply.code, describeResult(['apply'], apply)).toBe(0);
      expect(apply.stdout).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');

      expect(await listBuckets(endpoint)).toEqual(
        expect.arrayContaining([`envmatrix-use1-${suffix}`, `envmatrix-euw1-${suffix}`]),
      );
      // The override replaced the whole backend block: state in the moto bucket, no DynamoDB table used.
      expect(await listObjects(endpoint, stateBucket)).toEqual([STATE_KEY]);
    },
    SLOW,
  );
});
