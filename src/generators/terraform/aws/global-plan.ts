/**
 * Global traffic as plain data: per environment whose exposed apps run in two or more AWS regions, a
 * `generated/terraform/<env>/aws/global/` stack holding, per app, a Route 53 health check on each
 * regional name and the routed records of the app's global name.
 *
 * - Regional names are the Gateway hostnames the cluster's HTTPRoute carries (`hostnamePattern`),
 *   which external-dns publishes; this stack never writes them, it only points at them.
 * - The global name is the app's `expose.host` (the HTTPRoute carries it too, so every region answers
 *   for it), else `traffic.hostnamePattern`. Apps with neither get no global name.
 * - Records are CNAMEs to the regional names, not aliases: an alias may only point at a record of the
 *   same hosted zone, and the regional names may sit in another zone (a CNAME cannot sit at a zone
 *   apex, so the global name must be a subdomain).
 *
 * The stack sits under the AWS plugin (`<env>/aws/global`): the scope's second part names the cloud,
 * which `affected` and the workflow read to pick the credentials, and Route 53 is AWS.
 */
import { compareStrings } from '../../../core/compare.ts';
import { regionRoutes, type RegionRoute, type TrafficRegion } from '../../../matrix/clouds/aws/traffic.ts';
import type { ResolvedTrafficPolicy } from '../../../matrix/clouds/aws/settings.ts';
import { fillHostname, gatewayHostname } from '../../../matrix/hostnames.ts';
import type { ResolvedTerraformSettings } from '../../../matrix/infrastructure.ts';
import type { ResolvedMatrix, ResolvedTarget } from '../../../matrix/types.ts';
import { GeneratorError } from '../../errors.ts';
import { terraformStackDir } from '../../paths.ts';
import { defaultTagsFor, GENERATOR_NAME, REQUIRED_TERRAFORM_VERSION, type CloudStackPlan } from '../cloud.ts';
import {
  AWS_PROVIDER_CONSTRAINT,
  backendPlan,
  providerPlan,
  stackStateKey,
  type BackendPlan,
  type ProviderPlan,
} from './plan.ts';

/** The region word in a global stack's scope, state key and `region` tag. */
export const GLOBAL_REGION = 'global';
/**
 * Route 53 is a global service whose API lives in us-east-1 (health checks and records are created
 * there whatever the provider's region), so the global stack's provider works there.
 */
export const ROUTE53_HOME_REGION = 'us-east-1';
/** Seconds resolvers keep an answer: short, so a failover or a weight change reaches callers soon. */
export const GLOBAL_RECORD_TTL = 60;

/** One region an app's global name routes to. */
export interface RegionalEndpoint {
  readonly region: string;
  readonly wave: number;
  /** The Gateway hostname of the app in that region (external-dns keeps its record). */
  readonly hostname: string;
  readonly route: RegionRoute;
}

export interface GlobalAppPlan {
  readonly app: string;
  /** The global name, e.g. `www.acme.example`. */
  readonly name: string;
  readonly healthCheckPath: string;
  readonly routing: ResolvedTrafficPolicy['routing'];
  /** In wave order, then by region. */
  readonly endpoints: readonly RegionalEndpoint[];
}

export interface GlobalStackPlan extends CloudStackPlan {
  readonly kind: 'global';
  readonly env: string;
  readonly requiredVersion: string;
  readonly providerConstraint: string;
  readonly backend: BackendPlan;
  readonly provider: ProviderPlan;
  readonly zoneId: string;
  /** Sorted by app name. */
  readonly apps: readonly GlobalAppPlan[];
}

/** `<env>/aws/global`. */
export function globalStackScope(env: string): string {
  return `${env}/aws/${GLOBAL_REGION}`;
}

/** The global name of an app on `target`, or undefined when it gets none. */
function globalName(target: ResolvedTarget, app: string, policy: ResolvedTrafficPolicy): string | undefined {
  const expose = target.apps.find((a) => a.name === app)?.values.expose;
  if (typeof expose === 'object' && expose.host !== undefined) return expose.host;
  return policy.hostnamePattern === undefined
    ? undefined
    : fillHostname(policy.hostnamePattern, { app, env: target.env });
}

/** The Gateway hostname of an app on a target, filled in as its HTTPRoute has it. */
function regionalHostname(target: ResolvedTarget, app: string): string | undefined {
  const gateway = target.gateway;
  if (!gateway || !('hostnamePattern' in gateway)) return undefined;
  return gatewayHostname(gateway.hostnamePattern, app, target);
}

/**
 * The app's first exposed target per AWS region (clusters sorted by name; a second cluster in the same
 * region is served through the first one's name).
 */
function exposedTargets(targets: readonly ResolvedTarget[], app: string): ResolvedTarget[] {
  const byRegion = new Map<string, ResolvedTarget>();
  for (const target of targets) {
    const instance = target.apps.find((a) => a.name === app);
    if (!instance || typeof instance.values.expose !== 'object' || !regionalHostname(target, app)) continue;
    const seen = byRegion.get(target.region);
    if (!seen || compareStrings(target.cluster, seen.cluster) < 0) byRegion.set(target.region, target);
  }
  return [...byRegion.values()].sort((a, b) => a.wave - b.wave || compareStrings(a.region, b.region));
}

function appPlan(
  env: string,
  app: string,
  targets: readonly ResolvedTarget[],
  policy: ResolvedTrafficPolicy,
): GlobalAppPlan | undefined {
  const exposed = exposedTargets(targets, app);
  const name = exposed[0] && globalName(exposed[0], app, policy);
  if (exposed.length < 2 || name === undefined) return undefined;
  const regions: TrafficRegion[] = exposed.map((t) => ({ region: t.region, wave: t.wave }));
  const result = regionRoutes(policy, regions);
  if (result.problem) {
    // Validation checks the environment's regions; an app placed in fewer of them can still miss.
    throw new GeneratorError(
      GENERATOR_NAME,
      globalStackScope(env),
      undefined,
      `the global name ${name} of ${app} routes over ${regions.map((r) => r.region).join(', ')}: ${result.problem.field} ${result.problem.message}`,
      `${result.problem.fix}, under terraform.traffic.environments.${env}.apps.${app}`,
    );
  }
  return {
    app,
    name,
    healthCheckPath: policy.healthCheckPath,
    routing: policy.routing,
    endpoints: exposed.flatMap((target) => {
      const route = result.routes.get(target.region);
      // Failover and geolocation may leave a region out on purpose.
      return route
        ? [{ region: target.region, wave: target.wave, hostname: regionalHostname(target, app)!, route }]
        : [];
    }),
  };
}

/** Every global stack: one per environment with a hosted zone and an app routed over two or more regions. */
export function globalStackPlans(
  matrix: ResolvedMatrix,
  settings: ResolvedTerraformSettings,
): GlobalStackPlan[] {
  return matrix.environments.flatMap(({ name: env }) => {
    const traffic = settings.traffic[env];
    if (!traffic) return [];
    const targets = matrix.targets.filter((t) => t.env === env && t.cloud === 'aws');
    const appNames = [...new Set(targets.flatMap((t) => t.apps.map((a) => a.name)))].sort(compareStrings);
    const apps = appNames.flatMap((app) => appPlan(env, app, targets, traffic.apps[app] ?? traffic) ?? []);
    if (apps.length === 0) return [];
    const scope = globalStackScope(env);
    const provider = providerPlan(
      settings,
      env,
      ROUTE53_HOME_REGION,
      defaultTagsFor('aws', env, GLOBAL_REGION, settings.costCentre),
    );
    return [
      {
        kind: 'global',
        scope,
        dir: terraformStackDir(scope),
        env,
        requiredVersion: REQUIRED_TERRAFORM_VERSION,
        providerConstraint: AWS_PROVIDER_CONSTRAINT,
        backend: backendPlan(settings, stackStateKey(settings.state.keyPrefix, scope)),
        provider: provider.assumeRole
          ? {
              ...provider,
              assumeRole: { ...provider.assumeRole, sessionName: `envmatrix-${env}-${GLOBAL_REGION}` },
            }
          : provider,
        zoneId: traffic.zoneId,
        apps,
      },
    ];
  });
}
