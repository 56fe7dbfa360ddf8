/**
 * Issue 14, finding 8 on moto: a generated global stack with failover (web) and latency (api) records
 * goes through `terraform init` with the real S3 backend, `apply`, and a second
 * `plan -detailed-exitcode` that shows no changes; Route 53 (moto) then holds the health checks and the
 * routed records as the matrix asked. Nothing is left out of the applied stack: moto 5.2.1 implements
 * every resource the global stack uses (aws_route53_health_check, aws_route53_record).
 *
 * The hosted zone is created first through the Route 53 API, as an operator would before setting
 * `traffic.zoneId`. No AWS_ENDPOINT_URL: terraform reaches moto only through the stack's endpoints.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBucket, getObject, MOTO_CREDENTIALS, motoAvailable, useMoto } from '../../support/moto.ts';
import { describeResult, runTerraform, terraformAvailable, terraformEnv } from '../../support/terraform.ts';
import { SLOW } from './moto-workspace.ts';
import { writeStack } from './stack-files.ts';
import { globalStack, trafficFixture } from './traffic-fixture.ts';

const terraform = terraformAvailable();
const moto = motoAvailable();

/** A Route 53 REST call on moto (unsigned; moto routes by the credential scope). */
async function route53(endpoint: string, method: string, path: string, body?: string): Promise<string> {
  const response = await fetch(`${endpoint}/2013-04-01/${path}`, {
    method,
    headers: {
      authorization:
        `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20250101/us-east-1/route53/aws4_request, ` +
        `SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      ...(body !== undefined && { 'content-type': 'application/xml' }),
    },
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`route53 ${method} ${path}: HTTP ${response.status} ${text}`);
  return text;
}

async function createZone(endpoint: string, name: string): Promise<string> {
  const xml = await route53(
    endpoint,
    'POST',
    'hostedzone',
    `<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>${name}</Name><CallerReference>${name}</CallerReference></CreateHostedZoneRequest>`,
  );
  const id = /<Id>\/hostedzone\/([^<]+)<\/Id>/.exec(xml)?.[1];
  if (!id) throw new Error(`no zone id in ${xml}`);
  return id;
}

describe.skipIf(!terraform.available || !moto.available)(
  'a generated global traffic stack against moto',
  () => {
    const suffix = randomBytes(3).toString('hex');
    const env = `prod-${suffix}`;
    const bucket = `envmatrix-global-${suffix}`;
    const key = `envmatrix/${env}/aws/global/terraform.tfstate`;
    let endpoint = '';
    let zoneId = '';
    let dir = '';
    let tfEnv: NodeJS.ProcessEnv = {};
    let release: () => Promise<void> = async () => {};
    const timings: string[] = [];
    const tf = async (args: readonly string[]) => {
      const result = await runTerraform(dir, args, { env: tfEnv });
      timings.push(`${args[0]} ${result.durationMs} ms`);
      return result;
    };

    beforeAll(async () => {
      ({ endpoint, release } = await useMoto());
      await createBucket(endpoint, bucket);
      zoneId = await createZone(endpoint, `${env}.acme.example`);
      const services = ['ec2', 'eks', 'iam', 'kms', 'logs', 'route53', 's3', 'sts'] as const;
      const matrix = trafficFixture({
        env,
        terraform: {
          state: { bucket, region: 'us-east-1' },
          costCentre: 'e2e',
          endpoints: Object.fromEntries(services.map((service) => [service, endpoint])),
          emulator: true,
        },
        // web fails over (active-passive), api goes to the nearest healthy region (active-active).
        traffic: { zoneId, environments: { [env]: { apps: { web: { routing: 'failover' } } } } },
      });
      dir = mkdtempSync(join(tmpdir(), 'envmatrix-tf-global-'));
      writeStack(dir, globalStack(matrix, env)!);
      tfEnv = terraformEnv({ moto: endpoint, endpointUrl: false });
    });

    afterAll(async () => {
      if (timings.length > 0) console.info(`terraform against moto (global stack): ${timings.join(', ')}`);
      if (dir) rmSync(dir, { recursive: true, force: true });
      await release();
    });

    it(
      'applies health checks and routed records, then plans no changes',
      async () => {
        for (const args of [
          ['init', '-input=false'],
          ['apply', '-auto-approve', '-input=false'],
        ]) {
          const result = await tf(args);
          expect(result.code, describeResult(args, result)).toBe(0);
        }
        const state = JSON.parse((await getObject(endpoint, bucket, key)) ?? '{}') as {
          resources: { type: string; name: string }[];
        };
        expect(state.resources.map((r) => `${r.type}.${r.name}`).sort()).toEqual([
          'aws_route53_health_check.api_eu-west-1',
          'aws_route53_health_check.api_us-east-1',
          'aws_route53_health_check.web_eu-west-1',
          'aws_route53_health_check.web_us-east-1',
          'aws_route53_record.api_eu-west-1',
          'aws_route53_record.api_us-east-1',
          'aws_route53_record.web_eu-west-1',
          'aws_route53_record.web_us-east-1',
        ]);
        const plan = ['plan', '-detailed-exitcode', '-input=false'];
        const replanned = await tf(plan);
        expect(replanned.code, describeResult(plan, replanned)).toBe(0);
        expect(replanned.stdout).toContain('No changes. Your infrastructure matches the configuration.');
      },
      SLOW * 2,
    );

    it(
      'leaves Route 53 answering the global names as the matrix asked',
      async () => {
        const xml = await route53(endpoint, 'GET', `hostedzone/${zoneId}/rrset`);
        const sets = [...xml.matchAll(/<ResourceRecordSet>([\s\S]*?)<\/ResourceRecordSet>/g)].map(
          (m) => m[1]!,
        );
        const routed = sets
          .filter((set) => set.includes('<SetIdentifier>'))
          .map((set) => {
            const field = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(set)?.[1];
            return [
              field('Name'),
              field('SetIdentifier'),
              field('Failover') ?? `latency ${field('Region')}`,
              field('Value'),
            ];
          })
          .sort((a, b) => `${a[0]}${a[1]}`.localeCompare(`${b[0]}${b[1]}`));
        expect(routed).toEqual([
          [`api.${env}.acme.example.`, 'eu-west-1', 'latency eu-west-1', `api.eu-west-1.${env}.acme.example`],
          [`api.${env}.acme.example.`, 'us-east-1', 'latency us-east-1', `api.us-east-1.${env}.acme.example`],
          [`www.${env}.acme.example.`, 'eu-west-1', 'SECONDARY', `web.eu-west-1.${env}.acme.example`],
          [`www.${env}.acme.example.`, 'us-east-1', 'PRIMARY', `web.us-east-1.${env}.acme.example`],
        ]);
        const checks = await route53(endpoint, 'GET', 'healthcheck');
        for (const region of ['us-east-1', 'eu-west-1'])
          expect(checks).toContain(
            `<FullyQualifiedDomainName>web.${region}.${env}.acme.example</FullyQualifiedDomainName>`,
          );
      },
      SLOW,
    );
  },
);
