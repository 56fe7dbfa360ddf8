/**
 * Issue 14, finding 8 ("Nothing is global"): an environment whose exposed apps span AWS regions gets a
 * `<env>/aws/global` stack with a Route 53 health check per regional Gateway name and the app's global
 * name routed by latency, failover, geolocation (with a `*` record) or weights per wave, chosen in
 * layers (matrix, environment, app) and checked at load with the path and the fix.
 */
import { describe, expect, it } from 'vitest';
import { MatrixError } from '../../../src/matrix/errors.ts';
import { aws } from '../../../src/matrix/index.ts';
import type { AwsTrafficSettings } from '../../../src/matrix/clouds/aws/settings.ts';
import { globalStack, resolveTrafficFixture, trafficFixture, TRAFFIC_ZONE } from './traffic-fixture.ts';

const gateway = { name: 'public', namespace: 'gateway' };

/** Every problem the matrix reports, as `[path] message — fix`. */
function problems(traffic: AwsTrafficSettings, options: Parameters<typeof trafficFixture>[0] = {}): string[] {
  try {
    resolveTrafficFixture(trafficFixture({ ...options, traffic }));
    return [];
  } catch (error) {
    if (!(error instanceof MatrixError)) throw error;
    return error.issues.map((issue) => `[${issue.path}] ${issue.message} — ${issue.fix}`);
  }
}

function records(traffic: AwsTrafficSettings) {
  const stack = globalStack(trafficFixture({ traffic }));
  if (!stack) throw new Error('no global stack');
  return stack.resource.aws_route53_record ?? {};
}

describe('the global traffic stack', () => {
  it('has the regional stacks’ state, provider and tag conventions, in <env>/aws/global', () => {
    const stack = globalStack(trafficFixture())!;
    expect(stack.terraform.backend.s3).toEqual({
      bucket: 'acme-tfstate',
      key: 'envmatrix/prod/aws/global/terraform.tfstate',
      region: 'eu-central-1',
      encrypt: true,
      use_lockfile: true,
    });
    expect(stack.terraform.required_providers).toEqual({
      aws: { source: 'hashicorp/aws', version: '~> 5.100' },
    });
    expect(stack.provider.aws[0]).toEqual({
      region: 'us-east-1',
      default_tags: [
        {
          tags: {
            environment: 'prod',
            cloud: 'aws',
            region: 'global',
            'cost-centre': 'platform-1234',
            'managed-by': 'envmatrix',
          },
        },
      ],
    });
  });

  it('health-checks each regional Gateway name over HTTPS, on the default path or the matrix’s', () => {
    const checks = globalStack(trafficFixture())!.resource.aws_route53_health_check!;
    expect(Object.keys(checks)).toEqual(['api_us-east-1', 'api_eu-west-1', 'web_us-east-1', 'web_eu-west-1']);
    expect(checks['web_eu-west-1']).toEqual({
      type: 'HTTPS',
      fqdn: 'web.eu-west-1.prod.acme.example',
      port: 443,
      resource_path: '/healthz',
      enable_sni: true,
      failure_threshold: 3,
      request_interval: 30,
      tags: { Name: 'web web.eu-west-1.prod.acme.example' },
    });
    const custom = globalStack(
      trafficFixture({
        traffic: {
          zoneId: TRAFFIC_ZONE,
          healthCheckPath: '/ready',
          environments: { prod: { apps: { api: { healthCheckPath: '/livez' } } } },
        },
      }),
    )!.resource.aws_route53_health_check!;
    expect(custom['web_us-east-1']?.resource_path).toBe('/ready');
    expect(custom['api_us-east-1']?.resource_path).toBe('/livez');
  });

  it('routes by latency by default: one CNAME per region to its Gateway name, behind its health check', () => {
    expect(records({ zoneId: TRAFFIC_ZONE })['web_us-east-1']).toEqual({
      zone_id: TRAFFIC_ZONE,
      name: 'www.prod.acme.example',
      type: 'CNAME',
      ttl: 60,
      records: ['web.us-east-1.prod.acme.example'],
      set_identifier: 'us-east-1',
      health_check_id: '${aws_route53_health_check.web_us-east-1.id}',
      latency_routing_policy: { region: 'us-east-1' },
    });
  });

  it('routes by failover per app: the first wave primary, the next secondary, unless the matrix names them', () => {
    const byDefault = records({
      zoneId: TRAFFIC_ZONE,
      environments: { prod: { apps: { web: { routing: 'failover' } } } },
    });
    expect(byDefault['web_us-east-1']?.failover_routing_policy).toEqual({ type: 'PRIMARY' });
    expect(byDefault['web_eu-west-1']?.failover_routing_policy).toEqual({ type: 'SECONDARY' });
    // The other app keeps the environment's routing.
    expect(byDefault['api_us-east-1']?.latency_routing_policy).toEqual({ region: 'us-east-1' });
    const named = records({
      zoneId: TRAFFIC_ZONE,
      routing: 'failover',
      environments: { prod: { failover: { 'eu-west-1': 'primary', 'us-east-1': 'secondary' } } },
    });
    expect(named['api_eu-west-1']?.failover_routing_policy).toEqual({ type: 'PRIMARY' });
    expect(named['api_us-east-1']?.failover_routing_policy).toEqual({ type: 'SECONDARY' });
  });

  it('routes by geolocation with a default `*` record', () => {
    const byDefault = records({ zoneId: TRAFFIC_ZONE, routing: 'geolocation' });
    const geo = Object.fromEntries(
      Object.entries(byDefault)
        .filter(([name]) => name.startsWith('web_'))
        .map(([name, body]) => [name, [body.set_identifier, body.geolocation_routing_policy]]),
    );
    expect(geo).toEqual({
      'web_us-east-1_default': ['us-east-1-default', { country: '*' }],
      'web_us-east-1_continent-NA': ['us-east-1-continent-NA', { continent: 'NA' }],
      'web_eu-west-1_continent-EU': ['eu-west-1-continent-EU', { continent: 'EU' }],
    });
    const named = records({
      zoneId: TRAFFIC_ZONE,
      routing: 'geolocation',
      geolocation: { 'eu-west-1': ['*', 'continent:EU', 'country:US-CA'], 'us-east-1': ['continent:NA'] },
    });
    expect(named['web_eu-west-1_country-US-CA']?.geolocation_routing_policy).toEqual({
      country: 'US',
      subdivision: 'CA',
    });
    expect(named['web_eu-west-1_default']?.geolocation_routing_policy).toEqual({ country: '*' });
  });

  it('weights regions by their promotion wave', () => {
    const weighted = records({ zoneId: TRAFFIC_ZONE, routing: 'weighted', waveWeights: [10, 90] });
    expect(weighted['web_us-east-1']?.weighted_routing_policy).toEqual({ weight: 10 });
    expect(weighted['web_eu-west-1']?.weighted_routing_policy).toEqual({ weight: 90 });
    const even = records({ zoneId: TRAFFIC_ZONE, routing: 'weighted' });
    expect(even['web_eu-west-1']?.weighted_routing_policy).toEqual({ weight: 1 });
  });

  it('is written only for environments whose exposed apps span two or more AWS regions', () => {
    const oneRegion = trafficFixture({
      clusters: (env) => [aws(env, 'us-east-1', { network: { vpcCidr: '10.30.0.0/16' }, gateway })],
    });
    expect(globalStack(oneRegion)).toBeUndefined();
    expect(globalStack(trafficFixture({ traffic: undefined }))).toBeDefined();
  });
});

describe('traffic settings at load', () => {
  const source = 'test/generators/terraform/traffic-fixture.ts';

  it('checks failover has exactly one primary and one secondary, at the layer that wrote it', () => {
    expect(
      problems({
        zoneId: TRAFFIC_ZONE,
        environments: {
          prod: {
            apps: {
              web: { routing: 'failover', failover: { 'us-east-1': 'primary', 'eu-west-1': 'primary' } },
            },
          },
        },
      }),
    ).toEqual([
      `[terraform.traffic.environments.prod.apps.web.failover] has 2 primary regions (us-east-1, eu-west-1); Route 53 failover needs exactly one primary — give exactly one region each role, e.g. failover: { 'us-east-1': 'primary', 'eu-west-1': 'secondary' }`,
    ]);
    expect(
      problems({
        zoneId: TRAFFIC_ZONE,
        routing: 'failover',
        environments: { prod: { failover: { 'us-west-2': 'primary', 'eu-west-1': 'secondary' } } },
      }),
    ).toEqual([
      `[terraform.traffic.environments.prod.failover] names us-west-2, not a region of the environment's AWS clusters (us-east-1, eu-west-1) — use regions the app is exposed in: us-east-1, eu-west-1`,
    ]);
  });

  it('asks for the failover pair when there are more than two regions', () => {
    const three = (env: string) => [
      aws(env, 'us-east-1', { wave: 0, network: { vpcCidr: '10.30.0.0/16' }, gateway }),
      aws(env, 'eu-west-1', { wave: 1, network: { vpcCidr: '10.31.0.0/16' }, gateway }),
      aws(env, 'ap-southeast-2', { wave: 1, network: { vpcCidr: '10.32.0.0/16' }, gateway }),
    ];
    expect(problems({ zoneId: TRAFFIC_ZONE, routing: 'failover' }, { clusters: three })).toEqual([
      `[terraform.traffic.routing] failover pairs two regions, but there are 3 (us-east-1, eu-west-1, ap-southeast-2) — name the pair: failover: { 'us-east-1': 'primary', 'ap-southeast-2': 'secondary' }`,
    ]);
  });

  it('checks geolocation locations and insists on a `*` record', () => {
    expect(
      problems({
        zoneId: TRAFFIC_ZONE,
        routing: 'geolocation',
        geolocation: { 'us-east-1': ['continent:NA'], 'eu-west-1': ['continent:EU'] },
      }),
    ).toEqual([
      `[terraform.traffic.geolocation] has no "*" location: callers outside the listed locations, or whom Route 53 cannot place, get no answer — add "*" to one region's locations, e.g. the first wave's (us-east-1)`,
    ]);
    expect(
      problems({
        zoneId: TRAFFIC_ZONE,
        routing: 'geolocation',
        geolocation: { 'us-east-1': ['*', 'continent:XX'], 'eu-west-1': ['continent:EU'] },
      }),
    ).toEqual([
      `[terraform.traffic.geolocation] us-east-1 has "continent:XX", which is not a location — write "*", continent:<AF|AN|AS|EU|NA|OC|SA>, country:<ISO 3166 alpha-2> or country:US-<state>`,
    ]);
  });

  it('rejects a region map the routing does not read, a bad zone id, path, weight and unknown names', () => {
    expect(
      problems({
        zoneId: 'zone-1',
        healthCheckPath: 'healthz',
        failover: { 'us-east-1': 'primary', 'eu-west-1': 'secondary' },
        environments: {
          staging: {},
          prod: { routing: 'weighted', waveWeights: [300, 1], apps: { shop: { routing: 'latency' } } },
        },
      }),
    ).toEqual([
      '[terraform.traffic.zoneId] "zone-1" is not a Route 53 hosted zone id — copy the id (Z…) of the hosted zone',
      '[terraform.traffic.healthCheckPath] "healthz" is not a path a Route 53 health check can request — write an absolute path of at most 255 characters without spaces, e.g. /healthz',
      '[terraform.traffic.environments.staging] names unknown environment "staging" — use one of: prod',
      '[terraform.traffic.environments.prod.apps.shop] names unknown app "shop" — use one of: web, api',
      "[terraform.traffic.failover] is set, but routing is weighted, which does not read it — set routing: 'failover', or remove failover",
      '[terraform.traffic.environments.prod.waveWeights] has 300; a Route 53 weight is a whole number from 0 to 255 — use 0–255 per wave',
    ]);
  });

  it('needs a hosted zone for an environment spanning regions, and names the matrix file', () => {
    const error = (() => {
      try {
        resolveTrafficFixture(trafficFixture({ traffic: { routing: 'latency' } }));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MatrixError);
    expect(
      (error as MatrixError).issues.map((issue) => ({
        ...issue,
        source: issue.source?.replace(/:\d+$/, ''),
      })),
    ).toEqual([
      {
        path: 'terraform.traffic.zoneId',
        message:
          'environment prod spans 2 AWS regions (us-east-1, eu-west-1) but has no hosted zone for its global names',
        source,
        fix: 'set traffic.zoneId, or traffic.environments.prod.zoneId',
      },
    ]);
  });
});
