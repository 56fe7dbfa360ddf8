/**
 * Resolution: one target per cluster, with the apps placed there and every effective value, layered
 * default → app → app overrides → environment → cloud → region → cluster → pin. Lenient on purpose:
 * broken references are skipped here and reported by validation, so all problems surface together.
 */
import { compareStrings } from '../core/compare.ts';
import { blueGreenPolicy, withBlueGreenPolicy } from './blue-green-policy.ts';
import { mergeLayer, type ProvenanceLog } from './merge.ts';
import { durationSeconds } from './duration.ts';
import { CLOUD_INFRASTRUCTURE, cloudInfrastructure } from './clouds/index.ts';
import { resolveClusterNodes, resolveTerraformSettings } from './infrastructure-resolve.ts';
import { regionInfo } from './regions.ts';
import { effectivePinEntry, pinsFilePath, pinSource } from './pins.ts';
import { clusterJurisdiction, isPlaced, selectorMatches, type TargetCoordinates } from './placement.ts';
import type {
  AppDefinition,
  AppValues,
  ClusterSpec,
  EnvironmentSpec,
  Layer,
  MatrixDefinition,
  Override,
  PinsByEnvironment,
  ProvenanceStep,
  ResolvedApp,
  ResolvedDestination,
  ResolvedEnvironment,
  ResolvedMatrix,
  ResolvedPolicy,
  ResolvedTarget,
} from './types.ts';

export const DEFAULT_CLUSTER_NAME = 'main';
/**
 * The on-demand floor when the policy names none: a spot reclaim wave cannot take every node. Only an
 * explicit `onDemandPercent: 0` runs a cluster wholly on spot.
 */
export const DEFAULT_ON_DEMAND_PERCENT = 25;
/** For clouds whose plugin has no version calendar (AWS picks from its own: clouds/aws/versions.ts). */
export const DEFAULT_KUBERNETES_VERSION = '1.30';

export interface ResolveOptions {
  /** The moment defaults that follow a calendar (Kubernetes versions) are picked at. @default now */
  readonly now?: Date;
}

/** A cluster's Kubernetes version: its own, else its cloud's default on `now`'s date. */
export function clusterKubernetesVersion(
  spec: Pick<ClusterSpec, 'cloud' | 'kubernetesVersion'>,
  now: Date,
): string {
  return (
    spec.kubernetesVersion ??
    cloudInfrastructure(spec.cloud, CLOUD_INFRASTRUCTURE)?.defaultKubernetesVersion?.(now) ??
    DEFAULT_KUBERNETES_VERSION
  );
}
const DEFAULT_ZONE_COUNT = 3;

/** Values every app starts from before its own definition. */
export const DEFAULT_APP_VALUES: Omit<AppValues, 'image'> = {
  replicas: 1,
  resources: { cpu: '100m', memory: '128Mi' },
  probes: {},
  strategy: { kind: 'rolling', maxSurge: '25%', maxUnavailable: 0 },
  config: {},
  expose: false,
  // Here, not in the generator, so `explain` names the default layer when no environment changes it.
  sloAlerts: 'page',
};

const VALUE_KEYS = [
  'replicas',
  'resources',
  'probes',
  'scaling',
  'strategy',
  'config',
  'expose',
  'serves',
  'egress',
  'metrics',
  'slo',
  'sloAlerts',
  'schedule',
  'migrate',
] as const;

export const LAYER_ORDER: readonly Layer[] = [
  'default',
  'app',
  'app override',
  'environment',
  'cloud',
  'region',
  'cluster',
  'pin',
];

export function targetId(env: string, cloud: string, region: string, cluster: string): string {
  return `${env}/${cloud}/${region}/${cluster}`;
}

export function clusterName(spec: ClusterSpec): string {
  return spec.name ?? DEFAULT_CLUSTER_NAME;
}

export function clusterZones(spec: ClusterSpec): readonly string[] {
  if (spec.zones) return spec.zones;
  const info = regionInfo(spec.cloud, spec.region);
  return info ? info.zones.slice(0, DEFAULT_ZONE_COUNT) : [spec.region];
}

/** The layer an override sits at: its most specific coordinate. */
export function overrideLayer(override: Override): Layer {
  if (override.cluster !== undefined) return 'cluster';
  if (override.region !== undefined) return 'region';
  if (override.cloud !== undefined) return 'cloud';
  if (override.env !== undefined) return 'environment';
  return 'app override';
}

/**
 * Environments in promotion order: from the first environment nobody promotes into, along
 * `promotesTo`. Environments off that chain (validation reports them) follow in definition order.
 */
export function promotionOrder(environments: Readonly<Record<string, EnvironmentSpec>>): string[] {
  const names = Object.keys(environments);
  const targets = new Set(names.map((name) => environments[name]?.promotesTo).filter(Boolean));
  const root = names.find((name) => !targets.has(name));
  const order: string[] = [];
  for (let name = root; name && !order.includes(name) && names.includes(name);) {
    order.push(name);
    name = environments[name]?.promotesTo;
  }
  return [...order, ...names.filter((name) => !order.includes(name))];
}

function resolvePolicy(spec: EnvironmentSpec): ResolvedPolicy {
  const policy = spec.policy ?? {};
  const minReplicas = policy.minReplicas ?? 1;
  return {
    minReplicas,
    minZones: policy.minZones ?? 1,
    requireDigest: policy.requireDigest ?? false,
    soakSeconds: durationSeconds(policy.soak ?? '0s') ?? 0,
    freeze: policy.freeze ?? [],
    sync: policy.sync ?? 'automated',
    podDisruptionBudget: policy.podDisruptionBudget ?? minReplicas > 1,
    applicationsSync: policy.applicationsSync ?? 'sync',
    reconcileIntervalSeconds: durationSeconds(policy.reconcileInterval ?? '5m') ?? 300,
    onDemandPercent: policy.onDemandPercent ?? DEFAULT_ON_DEMAND_PERCENT,
    natPerZone: policy.natPerZone ?? false,
    ...(policy.healthyConclusions && { healthyConclusions: policy.healthyConclusions }),
  };
}

function resolveEnvironments(matrix: MatrixDefinition): ResolvedEnvironment[] {
  const order = promotionOrder(matrix.environments);
  const from = new Map(order.map((name) => [matrix.environments[name]?.promotesTo, name]));
  return order.map((name, index) => {
    const spec = matrix.environments[name] ?? {};
    const promotesFrom = from.get(name);
    return {
      name,
      order: index,
      ...(spec.promotesTo !== undefined && { promotesTo: spec.promotesTo }),
      ...(promotesFrom !== undefined && { promotesFrom }),
      policy: resolvePolicy(spec),
      reviewers: { users: spec.reviewers?.users ?? [], teams: spec.reviewers?.teams ?? [] },
      riskReviewers: { users: spec.riskReviewers?.users ?? [], teams: spec.riskReviewers?.teams ?? [] },
      branch: spec.branch ?? matrix.repo.branch ?? 'main',
      healthChecks: spec.healthChecks ?? [],
      pinsFile: pinsFilePath(name),
    };
  });
}

function appPatch(app: AppDefinition): Record<string, unknown> {
  return Object.fromEntries(VALUE_KEYS.filter((key) => app[key] !== undefined).map((key) => [key, app[key]]));
}

function resolveApp(
  matrix: MatrixDefinition,
  app: AppDefinition,
  coords: TargetCoordinates,
  pins: PinsByEnvironment,
  log: ProvenanceLog,
  wave = 0,
): ResolvedApp {
  let values = mergeLayer({}, DEFAULT_APP_VALUES, 'default', 'envmatrix default', log);
  values = mergeLayer(values, { ...appPatch(app), image: { repository: app.image } }, 'app', app.source, log);
  const overrides = (matrix.overrides ?? [])
    .map((override, index) => ({ override, index, layer: overrideLayer(override) }))
    .filter(
      ({ override }) =>
        (override.app === undefined || override.app === app.name) && selectorMatches(override, coords),
    )
    .sort((a, b) => LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer) || a.index - b.index);
  for (const { override, index, layer } of overrides) {
    const source = `${matrix.source} (overrides[${index}])`;
    values = mergeLayer(values, override.set, layer, source, log);
  }
  const env = matrix.environments[coords.env];
  values = withBlueGreenPolicy(values, blueGreenPolicy(coords.env, env, matrix.source), log);
  const envPins = pins[coords.env];
  const entry = effectivePinEntry(envPins, wave, app.name);
  if (entry && envPins) {
    const { pin } = entry;
    values = mergeLayer(
      values,
      { image: { tag: pin.tag, ...(pin.digest && { digest: pin.digest }) } },
      'pin',
      pinSource(envPins.file, entry.wave),
      log,
    );
  }
  const resolved = values as unknown as AppValues;
  const image = resolved.image;
  const tag = image.tag ?? 'unpinned';
  const migrateImage = resolved.migrate?.image;
  const migrateDigest = entry?.pin.migrateDigest;
  return {
    name: app.name,
    namespace: app.namespace ?? app.name,
    ports: app.ports ?? {},
    dependsOn: [...(app.dependsOn ?? [])].sort(),
    secrets: app.secrets ?? [],
    values: { ...resolved, image: { ...image, tag } },
    imageRef: `${image.repository}:${tag}${image.digest ? `@${image.digest}` : ''}`,
    ...(migrateImage !== undefined && {
      migrateImageRef: `${migrateImage}:${tag}${migrateDigest ? `@${migrateDigest}` : ''}`,
    }),
  };
}

/**
 * The destinations a target sees: per name, the matching definition at the most specific layer (a later
 * one wins among equals), like overrides.
 */
function resolveDestinations(
  matrix: MatrixDefinition,
  coords: { env: string; cloud: string; region: string; cluster: string },
): Record<string, ResolvedDestination> {
  const matching = (matrix.destinations ?? [])
    .map((spec, index) => ({ spec, index, layer: overrideLayer({ ...spec, set: {} }) }))
    .filter(({ spec }) => selectorMatches(spec, coords))
    .sort((a, b) => LAYER_ORDER.indexOf(a.layer) - LAYER_ORDER.indexOf(b.layer) || a.index - b.index);
  const destinations: Record<string, ResolvedDestination> = {};
  for (const { spec, index, layer } of matching) {
    destinations[spec.name] = {
      name: spec.name,
      cidrs: spec.cidrs,
      ports: spec.ports,
      layer,
      source: `${matrix.source} (destinations[${index}])`,
    };
  }
  return destinations;
}

function resolveGateway(spec: ClusterSpec, env: EnvironmentSpec | undefined): ResolvedTarget['gateway'] {
  if (!spec.gateway) return undefined;
  const hostnamePattern = spec.gateway.hostnamePattern ?? env?.hostnamePattern;
  return { ...spec.gateway, ...(hostnamePattern !== undefined && { hostnamePattern }) };
}

/** Where the gateway's hostname pattern comes from: the cluster's own gateway, else its environment. */
function hostnamePatternFrom(
  matrix: MatrixDefinition,
  spec: ClusterSpec,
): ResolvedTarget['hostnamePatternFrom'] {
  if (spec.gateway?.hostnamePattern !== undefined) return { layer: 'cluster', source: spec.source };
  if (spec.gateway && matrix.environments[spec.env]?.hostnamePattern !== undefined)
    return { layer: 'environment', source: `${matrix.source} (environments.${spec.env}.hostnamePattern)` };
  return undefined;
}

/** Resolve the matrix into targets. Never throws on bad references; validation reports those. */
export function resolveMatrix(
  matrix: MatrixDefinition,
  pins: PinsByEnvironment,
  options: ResolveOptions = {},
): ResolvedMatrix {
  const now = options.now ?? new Date();
  const environments = resolveEnvironments(matrix);
  const envOrder = new Map(environments.map((env) => [env.name, env.order]));
  const provenance = new Map<string, Map<string, Map<string, readonly ProvenanceStep[]>>>();
  const seen = new Set<string>();
  const targets: ResolvedTarget[] = [];
  for (const spec of matrix.clusters) {
    if (!envOrder.has(spec.env)) continue;
    const coords = { env: spec.env, cloud: spec.cloud, region: spec.region, cluster: clusterName(spec) };
    // Jurisdiction is a coordinate too: residency and `jurisdiction` selectors read it.
    const where = { ...coords, jurisdiction: clusterJurisdiction(spec) };
    const id = targetId(coords.env, coords.cloud, coords.region, coords.cluster);
    if (seen.has(id)) continue;
    seen.add(id);
    const perApp = new Map<string, Map<string, readonly ProvenanceStep[]>>();
    const appNames = new Set<string>();
    const apps = matrix.apps
      .filter((app) => isPlaced(app, where) && !appNames.has(app.name) && appNames.add(app.name))
      .map((app) => {
        const log: ProvenanceLog = new Map();
        const resolved = resolveApp(matrix, app, where, pins, log, spec.wave ?? 0);
        perApp.set(app.name, log);
        return resolved;
      })
      .sort((a, b) => compareStrings(a.name, b.name));
    provenance.set(id, perApp);
    targets.push({
      id,
      ...coords,
      zones: clusterZones(spec),
      kubernetesVersion: clusterKubernetesVersion(spec, now),
      engine: spec.engine ?? 'argocd',
      wave: spec.wave ?? 0,
      labels: spec.labels ?? {},
      jurisdiction: where.jurisdiction,
      apps,
      ...(spec.network && { network: spec.network }),
      nodes: resolveClusterNodes(spec),
      destinations: resolveDestinations(matrix, coords),
      ...(spec.gateway && { gateway: resolveGateway(spec, matrix.environments[spec.env]) }),
      ...(hostnamePatternFrom(matrix, spec) && { hostnamePatternFrom: hostnamePatternFrom(matrix, spec) }),
    });
  }
  targets.sort(
    (a, b) =>
      (envOrder.get(a.env) ?? 0) - (envOrder.get(b.env) ?? 0) ||
      a.wave - b.wave ||
      compareStrings(a.cloud, b.cloud) ||
      compareStrings(a.region, b.region) ||
      compareStrings(a.cluster, b.cluster),
  );
  return {
    repo: { url: matrix.repo.url, branch: matrix.repo.branch ?? 'main' },
    environments,
    targets,
    provenance,
    ...(matrix.terraform && {
      terraform: resolveTerraformSettings(
        matrix.terraform,
        environments.map((env) => env.name),
      ),
    }),
    ...(matrix.monitoring && { monitoring: matrix.monitoring }),
    ...(matrix.ingress && { ingress: matrix.ingress }),
  };
}
