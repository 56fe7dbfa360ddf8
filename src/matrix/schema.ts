/**
 * The runtime shape of everything the define helpers accept. TypeScript only checks the matrix when
 * someone runs `tsc`; `validate` and `synth` import the files with tsx, which strips types, so a
 * misspelt field (`replica: 3`, `scalling: {…}`) would pass silently and even reach generated/. These
 * strict schemas make an unknown key a validation problem with a "did you mean".
 *
 * EXTENSION POINT: a new model field is added to its interface in types.ts AND to the schema below.
 * The `SchemaMatchesTypes` checks at the end of this file make `tsc` fail until both agree, so the field
 * cannot be forgotten in either place. Field *values* are still judged by the rule families in
 * ./validation/ (with their own messages); these schemas only decide which keys exist, so values are
 * typed loosely here (`z.unknown()`) on purpose, to avoid a second message for one wrong value.
 */
import type { z as Z } from 'zod';
import { z } from './zod.ts';
import type {
  AppSpec,
  BlueGreenStrategy,
  CanaryStrategy,
  ClusterOptions,
  EnvironmentPolicy,
  EnvironmentSpec,
  FreezeWindow,
  IngressSpec,
  LatencyObjective,
  MatrixSpec,
  MonitoringSpec,
  Override,
  Placement,
  Probes,
  RepoSpec,
  Resources,
  Reviewers,
  RollingStrategy,
  Migration,
  Scaling,
  ScalingWindow,
  Schedule,
  SecretRef,
  Slo,
  SloSeries,
  TargetSelector,
} from './types.ts';

/** What a strict object reports for a key it does not know: the keys, and the closest known one. */
export interface UnknownKeyDetail {
  readonly keys: readonly string[];
  readonly known: readonly string[];
}

/** Issue messages carry this JSON so the reporter can say "did you mean" with the object's own keys. */
export const UNKNOWN_KEY_MARK = 'envmatrix:unknown-key ';

type Shape = Record<string, Z.ZodType>;

/** A strict object whose unknown-key issue remembers which keys were allowed there. */
function strict<S extends Shape>(shape: S) {
  const known = Object.keys(shape).sort();
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? UNKNOWN_KEY_MARK + JSON.stringify({ keys: issue.keys, known } satisfies UnknownKeyDetail)
        : undefined,
  });
}

const value = z.unknown().optional();
const list = <T extends Z.ZodType>(item: T) => z.array(item).optional();

// --- apps -------------------------------------------------------------------------------------------

export const resourcesSchema = strict({ cpu: value, memory: value, cpuLimit: value, memoryLimit: value });
export const probesSchema = strict({ readiness: value, liveness: value, port: value });
export const scalingWindowSchema = strict({ start: value, end: value, min: value, timeZone: value });
export const scalingSchema = strict({
  min: value,
  max: value,
  cpuPercent: value,
  schedules: list(scalingWindowSchema),
});
export const scheduleSchema = strict({
  cron: value,
  timeZone: value,
  concurrencyPolicy: value,
  command: value,
});
export const migrationSchema = strict({ command: value, image: value });

export const rollingSchema = strict({ kind: z.literal('rolling'), maxSurge: value, maxUnavailable: value });
export const canarySchema = strict({ kind: z.literal('canary'), steps: value, pause: value });
export const blueGreenSchema = strict({
  kind: z.literal('blueGreen'),
  autoPromote: value,
  previewReplicas: value,
});
// A kind the union does not know is left to the strategy rule, which names the kinds (only unknown-key
// issues are reported from these schemas).
const strategySchema = z.discriminatedUnion('kind', [rollingSchema, canarySchema, blueGreenSchema]);

export const latencyObjectiveSchema = strict({ quantile: value, ms: value });
export const sloSeriesSchema = strict({ requests: value, errors: value, latencyBuckets: value });
export const sloSchema = strict({
  availability: value,
  latency: latencyObjectiveSchema.optional(),
  series: sloSeriesSchema.optional(),
});

/** The values layers may change: shared by apps (as their defaults) and overrides (`set`). */
const valuesShape = {
  replicas: value,
  resources: resourcesSchema.optional(),
  probes: probesSchema.optional(),
  scaling: scalingSchema.optional(),
  strategy: strategySchema.optional(),
  config: value,
  // Object-valued, but judged key by key by the workload rules (validation/workload-*.ts).
  expose: value,
  serves: value,
  egress: value,
  metrics: value,
  slo: sloSchema.optional(),
  sloAlerts: value,
  schedule: scheduleSchema.optional(),
  migrate: migrationSchema.optional(),
};
export const valuesPatchSchema = strict(valuesShape);

export const selectorShape = { env: value, cloud: value, region: value, cluster: value, jurisdiction: value };
export const targetSelectorSchema = strict(selectorShape);

export const placementSchema = strict({
  include: list(targetSelectorSchema),
  exclude: list(targetSelectorSchema),
  residency: value,
});

// Loose on purpose: validation/apps.ts reports extra fields of a secret reference with a fix that says
// where a secret value belongs (the store), which is better advice than "did you mean".
const secretRefShape = { name: value, store: value, key: value, property: value };
export const secretRefSchema = z.looseObject(secretRefShape);

export const appShape = {
  ...valuesShape,
  name: value,
  image: value,
  ports: value,
  namespace: value,
  placement: placementSchema.optional(),
  dependsOn: value,
  secrets: list(secretRefSchema),
  publicConfig: value,
};
export const appSchema = strict(appShape);
/** What `defineApp` returns: the spec and where it was written. */
export const appDefinitionSchema = strict({ ...appShape, source: value });

// --- clusters ---------------------------------------------------------------------------------------

export const clusterOptionsShape = {
  name: value,
  zones: value,
  kubernetesVersion: value,
  engine: value,
  wave: value,
  labels: value,
  jurisdiction: value,
  // Owned by the infrastructure model (infrastructure.ts), which checks its own fields.
  network: value,
  nodes: value,
  gateway: value,
};
export const clusterOptionsSchema = strict(clusterOptionsShape);
/** What `aws(…)`, `gcp(…)`, `azure(…)` and `onprem(…)` return. */
export const clusterSpecSchema = strict({
  ...clusterOptionsShape,
  env: value,
  cloud: value,
  region: value,
  source: value,
});

// --- environments -----------------------------------------------------------------------------------

export const freezeWindowSchema = strict({ cron: value, duration: value, timeZone: value, reason: value });
export const policySchema = strict({
  minReplicas: value,
  minZones: value,
  requireDigest: value,
  soak: value,
  freeze: list(freezeWindowSchema),
  sync: value,
  podDisruptionBudget: value,
  applicationsSync: value,
  reconcileInterval: value,
  onDemandPercent: value,
  natPerZone: value,
  healthyConclusions: value,
  blueGreenAutoPromote: value,
});
export const reviewersSchema = strict({ users: value, teams: value });
export const environmentSchema = strict({
  promotesTo: value,
  policy: policySchema.optional(),
  reviewers: reviewersSchema.optional(),
  riskReviewers: reviewersSchema.optional(),
  branch: value,
  healthChecks: value,
  hostnamePattern: value,
});

// --- the matrix -------------------------------------------------------------------------------------

export const overrideSchema = strict({ ...selectorShape, app: value, set: valuesPatchSchema.optional() });
export const repoSchema = strict({ url: value, branch: value });
// Checked by the cluster-services rules (validation/cluster-services.ts), which name the offending label.
export const monitoringSchema = strict({ namespace: value, labels: value });
export const ingressSchema = strict({ namespace: value });

const matrixShape = {
  repo: repoSchema.optional(),
  environments: z.record(z.string(), environmentSchema).optional(),
  // Clusters and apps are checked one by one, so each problem names the helper call that made it.
  clusters: value,
  apps: value,
  overrides: list(overrideSchema),
  destinations: value,
  // Owned by the infrastructure model (infrastructure.ts), which checks its own fields.
  terraform: value,
  monitoring: monitoringSchema.optional(),
  ingress: ingressSchema.optional(),
};
export const matrixSchema = strict(matrixShape);
/** What `defineMatrix` returns. */
export const matrixDefinitionSchema = strict({ ...matrixShape, source: value });

// --- the schemas and the types name the same keys ---------------------------------------------------

/** Both directions: a key in the type but not the schema, or in the schema but not the type, fails. */
type SameKeys<T, S> = [Exclude<keyof T, keyof S>, Exclude<keyof S, keyof T>] extends [never, never]
  ? true
  : { readonly typeOnly: Exclude<keyof T, keyof S>; readonly schemaOnly: Exclude<keyof S, keyof T> };
type Expect<T extends true> = T;
type Keys<S extends Z.ZodType> = Z.input<S>;

/** `tsc` fails here, naming the key, when types.ts and this file disagree. */
export type SchemaMatchesTypes = [
  Expect<SameKeys<AppSpec, Keys<typeof appSchema>>>,
  Expect<SameKeys<Resources, Keys<typeof resourcesSchema>>>,
  Expect<SameKeys<Probes, Keys<typeof probesSchema>>>,
  Expect<SameKeys<Scaling, Keys<typeof scalingSchema>>>,
  Expect<SameKeys<Slo, Keys<typeof sloSchema>>>,
  Expect<SameKeys<LatencyObjective, Keys<typeof latencyObjectiveSchema>>>,
  Expect<SameKeys<SloSeries, Keys<typeof sloSeriesSchema>>>,
  Expect<SameKeys<ScalingWindow, Keys<typeof scalingWindowSchema>>>,
  Expect<SameKeys<Schedule, Keys<typeof scheduleSchema>>>,
  Expect<SameKeys<Migration, Keys<typeof migrationSchema>>>,
  Expect<SameKeys<RollingStrategy, Keys<typeof rollingSchema>>>,
  Expect<SameKeys<CanaryStrategy, Keys<typeof canarySchema>>>,
  Expect<SameKeys<BlueGreenStrategy, Keys<typeof blueGreenSchema>>>,
  Expect<SameKeys<Placement, Keys<typeof placementSchema>>>,
  Expect<SameKeys<TargetSelector, Keys<typeof targetSelectorSchema>>>,
  Expect<SameKeys<SecretRef, typeof secretRefShape>>,
  Expect<SameKeys<ClusterOptions, Keys<typeof clusterOptionsSchema>>>,
  Expect<SameKeys<EnvironmentSpec, Keys<typeof environmentSchema>>>,
  Expect<SameKeys<EnvironmentPolicy, Keys<typeof policySchema>>>,
  Expect<SameKeys<FreezeWindow, Keys<typeof freezeWindowSchema>>>,
  Expect<SameKeys<Reviewers, Keys<typeof reviewersSchema>>>,
  Expect<SameKeys<Override, Keys<typeof overrideSchema>>>,
  Expect<SameKeys<RepoSpec, Keys<typeof repoSchema>>>,
  Expect<SameKeys<MonitoringSpec, Keys<typeof monitoringSchema>>>,
  Expect<SameKeys<IngressSpec, Keys<typeof ingressSchema>>>,
  Expect<SameKeys<MatrixSpec, Keys<typeof matrixSchema>>>,
];
