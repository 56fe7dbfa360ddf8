/**
 * A global stack's Terraform JSON: the S3 backend and aws provider as in the regional stacks, then per
 * app a Route 53 health check on each regional name and one routed CNAME record per region (per
 * location, with geolocation) for the global name.
 *
 * Shapes follow terraform-aws-modules/terraform-aws-route53 (modules/records: one
 * `aws_route53_record` per record with `set_identifier`, `health_check_id` and one
 * `*_routing_policy` block) and the provider's aws_route53_health_check / aws_route53_record docs.
 */
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check/index.js';
import { Route53Record, type Route53RecordConfig } from '@cdktf/provider-aws/lib/route53-record/index.js';
import { TerraformOutput, type TerraformStack } from 'cdktf';
import { parseLocation } from '../../../matrix/clouds/aws/traffic.ts';
import { addResource, logicalName } from '../names.ts';
import { synthesizeStack } from '../synth.ts';
import {
  GLOBAL_RECORD_TTL,
  type GlobalAppPlan,
  type GlobalStackPlan,
  type RegionalEndpoint,
} from './global-plan.ts';
import { addBackend, addProvider, addRequirements } from './stack.ts';

/**
 * Route 53's defaults, written out: a regional name counts as down after 3 failed checks 30 s apart
 * (about 90 s), from checkers in several locations.
 */
const HEALTH_CHECK = { port: 443, failureThreshold: 3, requestInterval: 30 } as const;

/** `continent-EU`, `country-US-CA`, `default` for `*`: a location in resource names and set ids. */
function locationLabel(location: string): string {
  return location === '*' ? 'default' : location.replace(':', '-');
}

type RoutingConfig = Pick<
  Route53RecordConfig,
  | 'setIdentifier'
  | 'latencyRoutingPolicy'
  | 'failoverRoutingPolicy'
  | 'geolocationRoutingPolicy'
  | 'weightedRoutingPolicy'
>;

/** Each record the endpoint gets: its name suffix and its routing arguments. */
function recordsOf(endpoint: RegionalEndpoint): { suffix: string; routing: RoutingConfig }[] {
  const { region, route } = endpoint;
  switch (route.kind) {
    case 'latency':
      return [{ suffix: '', routing: { setIdentifier: region, latencyRoutingPolicy: { region } } }];
    case 'failover':
      return [
        {
          suffix: '',
          routing: { setIdentifier: region, failoverRoutingPolicy: { type: route.role.toUpperCase() } },
        },
      ];
    case 'weighted':
      return [
        { suffix: '', routing: { setIdentifier: region, weightedRoutingPolicy: { weight: route.weight } } },
      ];
    case 'geolocation':
      return route.locations.map((location) => ({
        suffix: `_${locationLabel(location)}`,
        routing: {
          setIdentifier: `${region}-${locationLabel(location)}`,
          // Validation and the plan accept only locations that parse.
          geolocationRoutingPolicy: { ...parseLocation(location)! },
        },
      }));
  }
}

function addApp(stack: TerraformStack, zoneId: string, app: GlobalAppPlan): void {
  const healthChecks: Record<string, string> = {};
  for (const endpoint of app.endpoints) {
    const name = logicalName(app.app, endpoint.region);
    const check = addResource(stack, Route53HealthCheck, name, {
      type: 'HTTPS',
      fqdn: endpoint.hostname,
      resourcePath: app.healthCheckPath,
      // The Gateway serves many names on one address: it picks the certificate by SNI.
      enableSni: true,
      ...HEALTH_CHECK,
      tags: { Name: `${app.app} ${endpoint.hostname}` },
    });
    healthChecks[endpoint.region] = check.id;
    for (const { suffix, routing } of recordsOf(endpoint)) {
      addResource(stack, Route53Record, `${name}${suffix}`, {
        zoneId,
        name: app.name,
        type: 'CNAME',
        ttl: GLOBAL_RECORD_TTL,
        records: [endpoint.hostname],
        // An unhealthy region's record is skipped (failover: the secondary answers).
        healthCheckId: check.id,
        ...routing,
      });
    }
  }
  const output = (key: string, value: unknown, description: string): void => {
    new TerraformOutput(stack, logicalName(app.app, key), { value, description }).overrideLogicalId(
      logicalName(app.app, key),
    );
  };
  output('global_name', app.name, `Global name of ${app.app} (${app.routing} routing)`);
  output('health_check_ids', healthChecks, `Route 53 health check of ${app.app} per region, for alarms`);
}

/** The global stack's `main.tf.json` content. */
export function renderGlobalStack(plan: GlobalStackPlan): Record<string, unknown> {
  return synthesizeStack(plan.scope.replaceAll('/', '-'), (stack) => {
    addBackend(stack, plan.backend);
    addProvider(stack, plan.provider);
    addRequirements(stack, plan);
    for (const app of plan.apps) addApp(stack, plan.zoneId, app);
  });
}
