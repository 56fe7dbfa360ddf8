/**
 * Global traffic in the model: `terraform.traffic` layered (matrix-wide, environment, environment's
 * app), and the route each AWS region gets for a global name. The rules and the stack plan
 * (src/generators/terraform/aws/global-plan.ts) share `regionRoutes`, so what validation accepts is
 * what the stack writes.
 *
 * Route 53 semantics relied on (AWS Route 53 Developer Guide):
 * - failover: one primary and one secondary record per name and type; the secondary answers only while
 *   the primary's health check fails (routing-policy-failover.html, dns-failover-types.html);
 * - geolocation: locations by continent, country or US state, the smallest match wins, and a `*`
 *   record answers everyone else, including callers Route 53 cannot place; without it they get no
 *   answer (routing-policy-geo.html);
 * - weighted: 0–255 per record, a share of weight/sum (routing-policy-weighted.html).
 */
import type { MatrixDefinition } from '../../types.ts';
import type { SettingsReport } from '../types.ts';
import {
  TRAFFIC_ROUTINGS,
  type AwsTrafficPolicy,
  type AwsTrafficSettings,
  type FailoverRole,
  type ResolvedTrafficEnvironment,
  type ResolvedTrafficPolicy,
  type TrafficRouting,
} from './settings.ts';

export const DEFAULT_TRAFFIC_ROUTING: TrafficRouting = 'latency';
export const DEFAULT_HEALTH_CHECK_PATH = '/healthz';

/** An AWS region of an environment, with the first wave any of its clusters is in. */
export interface TrafficRegion {
  readonly region: string;
  readonly wave: number;
}

/** A Route 53 geolocation, as the record's `geolocation_routing_policy` takes it. */
export interface GeoLocation {
  readonly continent?: string;
  readonly country?: string;
  readonly subdivision?: string;
}

/** What one region's record for a global name says. */
export type RegionRoute =
  | { readonly kind: 'latency' }
  | { readonly kind: 'failover'; readonly role: FailoverRole }
  | { readonly kind: 'geolocation'; readonly locations: readonly string[] }
  | { readonly kind: 'weighted'; readonly weight: number };

/** A problem with a policy: the field it is about, what is wrong, and the fix. */
export interface TrafficProblem {
  readonly field: 'routing' | 'failover' | 'geolocation' | 'waveWeights';
  readonly message: string;
  readonly fix: string;
}

export type RegionRoutes =
  | { readonly routes: ReadonlyMap<string, RegionRoute>; readonly problem?: undefined }
  | { readonly problem: TrafficProblem; readonly routes?: undefined };

/** Route 53's continent codes (ContinentCode of GeoLocation). */
export const CONTINENTS = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA'] as const;

/** `*`, `continent:EU`, `country:DE` or `country:US-CA`; undefined when malformed. */
export function parseLocation(location: string): GeoLocation | undefined {
  if (location === '*') return { country: '*' };
  const continent = /^continent:([A-Z]{2})$/.exec(location)?.[1];
  if (continent !== undefined)
    return (CONTINENTS as readonly string[]).includes(continent) ? { continent } : undefined;
  const country = /^country:([A-Z]{2})(?:-([A-Z]{2}))?$/.exec(location);
  if (!country) return undefined;
  // Route 53 takes subdivisions of the United States only.
  if (country[2] !== undefined && country[1] !== 'US') return undefined;
  return { country: country[1]!, ...(country[2] !== undefined && { subdivision: country[2] }) };
}

/**
 * The continent Route 53 places an AWS region's own location in, from the region's prefix (Australia's
 * regions are Oceania, the Middle East and Israel Asia).
 */
export function regionContinent(region: string): string {
  if (/^ap-southeast-(2|4)$/.test(region)) return 'OC';
  const prefix = region.split('-')[0] ?? '';
  const byPrefix: Record<string, string> = {
    us: 'NA',
    ca: 'NA',
    mx: 'NA',
    sa: 'SA',
    eu: 'EU',
    af: 'AF',
    ap: 'AS',
    me: 'AS',
    il: 'AS',
  };
  return byPrefix[prefix] ?? 'NA';
}

/** Regions in wave order, then by name: the first is the default primary and the `*` region. */
function byWave(regions: readonly TrafficRegion[]): TrafficRegion[] {
  return [...regions].sort((a, b) => a.wave - b.wave || (a.region < b.region ? -1 : 1));
}

function example(regions: readonly TrafficRegion[]): string {
  const [first, second] = byWave(regions);
  return `{ '${first?.region ?? 'us-east-1'}': 'primary', '${second?.region ?? 'eu-west-1'}': 'secondary' }`;
}

function failoverRoutes(policy: ResolvedTrafficPolicy, regions: readonly TrafficRegion[]): RegionRoutes {
  const names = regions.map((r) => r.region);
  const given = policy.failover;
  if (!given) {
    if (regions.length !== 2)
      return {
        problem: {
          field: 'routing',
          message: `failover pairs two regions, but there are ${regions.length} (${names.join(', ')})`,
          fix: `name the pair: failover: ${example(regions)}`,
        },
      };
    const [primary, secondary] = byWave(regions);
    return {
      routes: new Map<string, RegionRoute>([
        [primary!.region, { kind: 'failover', role: 'primary' }],
        [secondary!.region, { kind: 'failover', role: 'secondary' }],
      ]),
    };
  }
  const unknown = Object.keys(given).filter((region) => !names.includes(region));
  if (unknown.length > 0)
    return {
      problem: {
        field: 'failover',
        message: `names ${unknown.join(', ')}, not a region of the environment's AWS clusters (${names.join(', ')})`,
        fix: `use regions the app is exposed in: ${names.join(', ')}`,
      },
    };
  for (const role of ['primary', 'secondary'] as const) {
    const holders = Object.keys(given).filter((region) => given[region] === role);
    if (holders.length !== 1)
      return {
        problem: {
          field: 'failover',
          message: `has ${holders.length} ${role} regions${holders.length > 0 ? ` (${holders.join(', ')})` : ''}; Route 53 failover needs exactly one ${role}`,
          fix: `give exactly one region each role, e.g. failover: ${example(regions)}`,
        },
      };
  }
  return {
    routes: new Map(
      Object.entries(given).map(([region, role]): [string, RegionRoute] => [
        region,
        { kind: 'failover', role },
      ]),
    ),
  };
}

function defaultGeolocation(regions: readonly TrafficRegion[]): RegionRoutes {
  const ordered = byWave(regions);
  const locations = new Map<string, string[]>();
  for (const [index, { region }] of ordered.entries()) {
    const continent = `continent:${regionContinent(region)}`;
    const taken = [...locations.values()].some((list) => list.includes(continent));
    locations.set(region, [...(index === 0 ? ['*'] : []), ...(taken ? [] : [continent])]);
  }
  const idle = ordered.filter(({ region }) => locations.get(region)!.length === 0).map((r) => r.region);
  if (idle.length > 0)
    return {
      problem: {
        field: 'routing',
        message: `${idle.join(', ')} share${idle.length === 1 ? 's' : ''} a continent with an earlier region, so the default locations send nobody there`,
        fix: `name the locations per region, e.g. geolocation: { '${idle[0]}': ['country:DE'] }`,
      },
    };
  return geolocationRoutes(Object.fromEntries(locations), regions);
}

function geolocationRoutes(
  given: Readonly<Record<string, readonly string[]>>,
  regions: readonly TrafficRegion[],
): RegionRoutes {
  const names = regions.map((r) => r.region);
  const problem = (message: string, fix: string): RegionRoutes => ({
    problem: { field: 'geolocation', message, fix },
  });
  const unknown = Object.keys(given).filter((region) => !names.includes(region));
  if (unknown.length > 0)
    return problem(
      `names ${unknown.join(', ')}, not a region of the environment's AWS clusters (${names.join(', ')})`,
      `use regions the app is exposed in: ${names.join(', ')}`,
    );
  const seen = new Map<string, string>();
  for (const [region, locations] of Object.entries(given)) {
    if (locations.length === 0)
      return problem(`gives ${region} no locations`, `list what ${region} serves, or leave it out`);
    for (const location of locations) {
      if (!parseLocation(location))
        return problem(
          `${region} has ${JSON.stringify(location)}, which is not a location`,
          `write "*", continent:<${CONTINENTS.join('|')}>, country:<ISO 3166 alpha-2> or country:US-<state>`,
        );
      const other = seen.get(location);
      if (other !== undefined)
        return problem(
          `gives ${location} to both ${other} and ${region}; Route 53 allows one record per location`,
          `keep ${location} in one region`,
        );
      seen.set(location, region);
    }
  }
  if (!seen.has('*'))
    return problem(
      'has no "*" location: callers outside the listed locations, or whom Route 53 cannot place, get no answer',
      `add "*" to one region's locations, e.g. the first wave's (${byWave(regions)[0]?.region ?? 'us-east-1'})`,
    );
  return {
    routes: new Map(
      Object.entries(given).map(([region, locations]): [string, RegionRoute] => [
        region,
        { kind: 'geolocation', locations },
      ]),
    ),
  };
}

function weightedRoutes(policy: ResolvedTrafficPolicy, regions: readonly TrafficRegion[]): RegionRoutes {
  const weights = policy.waveWeights;
  const problem = (message: string, fix: string): RegionRoutes => ({
    problem: { field: 'waveWeights', message, fix },
  });
  if (weights) {
    const bad = weights.find((w) => !Number.isInteger(w) || w < 0 || w > 255);
    if (bad !== undefined)
      return problem(`has ${bad}; a Route 53 weight is a whole number from 0 to 255`, 'use 0–255 per wave');
    const lastWave = Math.max(...regions.map((r) => r.wave));
    if (weights.length <= lastWave)
      return problem(
        `gives ${weights.length} weight${weights.length === 1 ? '' : 's'}, but the regions reach wave ${lastWave}`,
        `give one weight per wave 0–${lastWave}`,
      );
    if (regions.every((r) => weights[r.wave] === 0))
      return problem(
        'gives every region weight 0; Route 53 then splits evenly and ignores the weights',
        'give at least one wave a weight above 0',
      );
  }
  return {
    routes: new Map(
      regions.map(({ region, wave }): [string, RegionRoute] => [
        region,
        { kind: 'weighted', weight: weights?.[wave] ?? 1 },
      ]),
    ),
  };
}

/** What each region's record says under `policy`, or the first problem. */
export function regionRoutes(policy: ResolvedTrafficPolicy, regions: readonly TrafficRegion[]): RegionRoutes {
  switch (policy.routing) {
    case 'latency':
      return { routes: new Map(regions.map(({ region }) => [region, { kind: 'latency' }])) };
    case 'failover':
      return failoverRoutes(policy, regions);
    case 'geolocation':
      return policy.geolocation
        ? geolocationRoutes(policy.geolocation, regions)
        : defaultGeolocation(regions);
    case 'weighted':
      return weightedRoutes(policy, regions);
  }
}

// ---------------------------------------------------------------------------------------------------
// Resolution

/** The fields a layer may set (a layer's zoneId, environments and apps are not policy). */
const POLICY_FIELDS = [
  'routing',
  'healthCheckPath',
  'failover',
  'geolocation',
  'waveWeights',
  'hostnamePattern',
] as const satisfies readonly (keyof AwsTrafficPolicy)[];

function merge(base: ResolvedTrafficPolicy, own: AwsTrafficPolicy | undefined): ResolvedTrafficPolicy {
  const merged: Record<string, unknown> = { ...base };
  for (const key of POLICY_FIELDS) if (own?.[key] !== undefined) merged[key] = own[key];
  return merged as unknown as ResolvedTrafficPolicy;
}

/** The `traffic` layers merged per environment that has a hosted zone, apps under it. */
export function resolveTraffic(
  traffic: AwsTrafficSettings | undefined,
  environments: readonly string[],
): Record<string, ResolvedTrafficEnvironment> {
  if (!traffic) return {};
  const top = merge(
    { routing: DEFAULT_TRAFFIC_ROUTING, healthCheckPath: DEFAULT_HEALTH_CHECK_PATH },
    traffic,
  );
  return Object.fromEntries(
    environments.flatMap((env) => {
      const own = traffic.environments?.[env];
      const zoneId = own?.zoneId ?? traffic.zoneId;
      if (zoneId === undefined) return [];
      const policy = merge(top, own);
      const apps = own?.apps;
      const resolved: ResolvedTrafficEnvironment = {
        ...policy,
        zoneId,
        apps: Object.fromEntries(Object.entries(apps ?? {}).map(([app, p]) => [app, merge(policy, p)])),
      };
      return [[env, resolved]];
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Rules

/** Real ids are `Z` and up to 31 more; AWS documents only the 32-character maximum. */
const ZONE_ID = /^[A-Z0-9]{1,32}$/;
const HOST_PLACEHOLDERS = ['app', 'env'];

function checkFields(own: AwsTrafficPolicy, path: string, at: SettingsReport): void {
  if (own.routing !== undefined && !TRAFFIC_ROUTINGS.includes(own.routing))
    at(
      `${path}routing`,
      `"${String(own.routing)}" is not a routing`,
      `use one of: ${TRAFFIC_ROUTINGS.join(', ')}`,
    );
  const health = own.healthCheckPath;
  if (health !== undefined && (!health.startsWith('/') || health.length > 255 || /\s/.test(health)))
    at(
      `${path}healthCheckPath`,
      `${JSON.stringify(health)} is not a path a Route 53 health check can request`,
      'write an absolute path of at most 255 characters without spaces, e.g. /healthz',
    );
  const unknown = [...(own.hostnamePattern ?? '').matchAll(/\{(\w+)\}/g)]
    .map((m) => m[1] ?? '')
    .filter((key) => !HOST_PLACEHOLDERS.includes(key));
  if (unknown.length > 0)
    at(
      `${path}hostnamePattern`,
      `"${own.hostnamePattern}" uses unknown placeholders ${unknown.map((k) => `{${k}}`).join(', ')}`,
      'use only {app} and {env}: a global name is the same in every region',
    );
}

/** The environment's AWS regions from the cluster entries, each with its first wave. */
function awsRegionsOf(matrix: MatrixDefinition, env: string): TrafficRegion[] {
  const waves = new Map<string, number>();
  for (const spec of matrix.clusters.filter((c) => c.env === env && c.cloud === 'aws'))
    waves.set(spec.region, Math.min(waves.get(spec.region) ?? Infinity, spec.wave ?? 0));
  return [...waves].map(([region, wave]) => ({ region, wave }));
}

const MAP_FIELDS = ['failover', 'geolocation', 'waveWeights'] as const;
const MAP_ROUTING: Record<(typeof MAP_FIELDS)[number], TrafficRouting> = {
  failover: 'failover',
  geolocation: 'geolocation',
  waveWeights: 'weighted',
};

/**
 * One effective policy (an environment's, or an app's in it) against the environment's regions. A
 * problem is reported at the deepest layer that wrote the field (or the routing) it is about.
 */
function checkEffective(
  policy: ResolvedTrafficPolicy,
  layers: readonly { readonly path: string; readonly own: AwsTrafficPolicy | undefined }[],
  regions: readonly TrafficRegion[],
  at: SettingsReport,
): void {
  const where = (field: keyof AwsTrafficPolicy): string =>
    [...layers].reverse().find((layer) => layer.own?.[field] !== undefined)?.path ?? layers.at(-1)!.path;
  // An app may route differently from its environment: only the maps it writes itself must fit.
  const own = layers.at(-1)?.own;
  const judged = (field: (typeof MAP_FIELDS)[number]): boolean =>
    layers.length < 3 ? policy[field] !== undefined : own?.[field] !== undefined;
  for (const field of MAP_FIELDS)
    if (judged(field) && policy.routing !== MAP_ROUTING[field])
      at(
        `${where(field)}${field}`,
        `is set, but routing is ${policy.routing}, which does not read it`,
        `set routing: '${MAP_ROUTING[field]}', or remove ${field}`,
      );
  if (regions.length < 2) return;
  const result = regionRoutes(policy, regions);
  if (result.problem)
    at(`${where(result.problem.field)}${result.problem.field}`, result.problem.message, result.problem.fix);
}

export function validateTraffic(matrix: MatrixDefinition, at: SettingsReport): void {
  const traffic = matrix.terraform?.traffic;
  if (!traffic) return;
  const envs = Object.keys(matrix.environments);
  const appNames = matrix.apps.map((app) => app.name);
  const zone = (path: string, id: string | undefined): void => {
    if (id !== undefined && !ZONE_ID.test(id))
      at(
        path,
        `${JSON.stringify(id)} is not a Route 53 hosted zone id`,
        'copy the id (Z…) of the hosted zone',
      );
  };
  zone('traffic.zoneId', traffic.zoneId);
  checkFields(traffic, 'traffic.', at);
  for (const [env, own] of Object.entries(traffic.environments ?? {})) {
    if (!envs.includes(env))
      at(
        `traffic.environments.${env}`,
        `names unknown environment "${env}"`,
        `use one of: ${envs.join(', ')}`,
      );
    zone(`traffic.environments.${env}.zoneId`, own.zoneId);
    checkFields(own, `traffic.environments.${env}.`, at);
    for (const [app, policy] of Object.entries(own.apps ?? {})) {
      if (!appNames.includes(app))
        at(
          `traffic.environments.${env}.apps.${app}`,
          `names unknown app "${app}"`,
          `use one of: ${appNames.join(', ')}`,
        );
      checkFields(policy, `traffic.environments.${env}.apps.${app}.`, at);
    }
  }
  const resolved = resolveTraffic(traffic, envs);
  for (const env of envs) {
    const regions = awsRegionsOf(matrix, env);
    const policy = resolved[env];
    if (!policy) {
      if (regions.length >= 2)
        at(
          'traffic.zoneId',
          `environment ${env} spans ${regions.length} AWS regions (${regions.map((r) => r.region).join(', ')}) but has no hosted zone for its global names`,
          `set traffic.zoneId, or traffic.environments.${env}.zoneId`,
        );
      continue;
    }
    const own = traffic.environments?.[env];
    const envLayers = [
      { path: 'traffic.', own: traffic },
      { path: `traffic.environments.${env}.`, own },
    ];
    checkEffective(policy, envLayers, regions, at);
    // An app that changes no routing field has the environment's policy, checked just above.
    const routesOwn = (app: string): boolean =>
      (['routing', ...MAP_FIELDS] as const).some((field) => own?.apps?.[app]?.[field] !== undefined);
    const checked = Object.entries(policy.apps).filter(([app]) => appNames.includes(app) && routesOwn(app));
    for (const [app, appPolicy] of checked)
      checkEffective(
        appPolicy,
        [...envLayers, { path: `traffic.environments.${env}.apps.${app}.`, own: own?.apps?.[app] }],
        regions,
        at,
      );
  }
}
