/**
 * The matrix model: what users write (specs) and what the resolver hands the generators (resolved).
 * Specs are partial and layered; resolved values are complete and remember which layer set them.
 */
import type { Cloud, Jurisdiction } from './regions.ts';
import type {
  ClusterNetwork,
  NodeGroupOptions,
  ResolvedNodes,
  ResolvedTerraformSettings,
  TerraformSettings,
} from './infrastructure.ts';

/** A duration such as `90s`, `5m`, `24h`, `7d`. */
export type Duration = `${number}${'s' | 'm' | 'h' | 'd'}`;

/** The delivery engine that pulls a cluster's manifests from git. */
export type Engine = 'argocd' | 'flux';

/** Where a definition was written: `src/apps/api.ts:5`, or a file for JSON sources. */
export type SourceRef = string;

// ---------------------------------------------------------------------------------------------------
// Environments

/** A recurring window in which nothing is promoted into the environment. */
export interface FreezeWindow {
  /** Cron expression for the start of each window, e.g. `0 16 * * FRI`. */
  readonly cron: string;
  /** How long each window lasts from its start. */
  readonly duration: Duration;
  /** IANA time zone the cron is read in. @default 'UTC' */
  readonly timeZone?: string;
  /** Shown to reviewers when the window blocks a promotion. */
  readonly reason?: string;
}

export interface EnvironmentPolicy {
  /** Every app runs at least this many replicas (`scaling.min`, or `replicas` when not scaling). @default 1 */
  readonly minReplicas?: number;
  /** Every cluster spans at least this many zones, and pods spread across them. @default 1 */
  readonly minZones?: number;
  /** Pins must carry an image digest, and manifests reference it. @default false */
  readonly requireDigest?: boolean;
  /** How long a release stays in the previous environment before it may enter this one. @default '0s' */
  readonly soak?: Duration;
  /** Windows in which promotions into this environment are blocked. @default [] */
  readonly freeze?: readonly FreezeWindow[];
  /** Whether the delivery engine syncs on its own (`automated`, with prune and self-heal) or waits. @default 'automated' */
  readonly sync?: 'automated' | 'manual';
  /** Add a PodDisruptionBudget to every app. @default true when minReplicas > 1 */
  readonly podDisruptionBudget?: boolean;
  /** What the ApplicationSet controller may do to Applications. @default 'sync' */
  readonly applicationsSync?: 'create-only' | 'create-update' | 'create-delete' | 'sync';
  /** How often Flux re-applies each app on this environment's Flux clusters (Kustomization interval). @default '5m' */
  readonly reconcileInterval?: Duration;
  /** Share of node capacity kept on on-demand instances (the rest is spot); 0 is all spot. @default 25 */
  readonly onDemandPercent?: number;
  /** One NAT gateway per zone (resilient) instead of one per region (cheaper). @default false */
  readonly natPerZone?: boolean;
  /**
   * Check-run conclusions besides `success` that count as healthy for this environment's health checks.
   * @default none: a `skipped` or `neutral` check proves nothing ran green
   */
  readonly healthyConclusions?: readonly ('neutral' | 'skipped')[];
  /**
   * Blue-green Rollouts switch traffic on their own once the preview is healthy (`autoPromotionEnabled`);
   * false makes them wait for `kubectl argo rollouts promote` (README § Blue-green promotion). An app's
   * `blueGreen({ autoPromote })` overrides it.
   * @default true in an environment that promotes to another, false in the last one
   */
  readonly blueGreenAutoPromote?: boolean;
}

export interface Reviewers {
  readonly users?: readonly string[];
  readonly teams?: readonly string[];
}

export interface EnvironmentSpec {
  /** The next environment in the promotion order. */
  readonly promotesTo?: string;
  readonly policy?: EnvironmentPolicy;
  /** Who reviews promotion PRs into this environment. */
  readonly reviewers?: Reviewers;
  /** Extra reviewers requested when a promotion touches something risky (RBAC, CRDs, deletions…). */
  readonly riskReviewers?: Reviewers;
  /** Git branch the delivery engines track for this environment. @default the matrix repo branch */
  readonly branch?: string;
  /** Commit status / check-run contexts that must be green before promoting out of this environment. */
  readonly healthChecks?: readonly string[];
  /** Hostname of exposed apps, e.g. `{app}.{region}.{env}.example.com`; a cluster's gateway may override it. */
  readonly hostnamePattern?: string;
}

// ---------------------------------------------------------------------------------------------------
// Clusters

/** The cluster's Gateway API Gateway, which exposed apps attach their HTTPRoutes to. */
export interface GatewaySettings {
  readonly name: string;
  readonly namespace: string;
  /**
   * Hostname of each exposed app on this cluster; `{app}`, `{env}`, `{region}`, `{cloud}` and
   * `{cluster}` are replaced. @default the environment's `hostnamePattern`
   */
  readonly hostnamePattern?: string;
}

export interface ClusterOptions {
  /** DNS-1123 label, unique within env/cloud/region. @default 'main' */
  readonly name?: string;
  /** Zones the cluster spans. @default the region's first three zones (on-prem: the region itself) */
  readonly zones?: readonly string[];
  /**
   * `major.minor`. Pin it to upgrade on purpose: a default follows the calendar.
   * @default the cloud's newest version in standard support (AWS: src/matrix/clouds/aws/versions.ts), else '1.30'
   */
  readonly kubernetesVersion?: string;
  /** @default 'argocd' */
  readonly engine?: Engine;
  /** Rollout wave within the environment; wave 0 gets a release first. @default 0 */
  readonly wave?: number;
  readonly labels?: Readonly<Record<string, string>>;
  /** Where an on-prem site is, for residency. Public-cloud regions know their own. @default 'other' */
  readonly jurisdiction?: Jurisdiction;
  /** The cluster's VPC; AWS clusters need one when the matrix has `terraform` settings. @default none */
  readonly network?: ClusterNetwork;
  /** Node capacity, split by the environment's `onDemandPercent`. @default see NodeGroupOptions */
  readonly nodes?: NodeGroupOptions;
  /** The Gateway exposed apps route through. @default none: `expose` routes are rejected here */
  readonly gateway?: GatewaySettings;
}

export interface ClusterSpec extends ClusterOptions {
  readonly env: string;
  readonly cloud: Cloud;
  readonly region: string;
  readonly source: SourceRef;
}

// ---------------------------------------------------------------------------------------------------
// Apps

export interface RollingStrategy {
  readonly kind: 'rolling';
  /** @default '25%' */
  readonly maxSurge?: string | number;
  /** @default 0 */
  readonly maxUnavailable?: string | number;
}
export interface CanaryStrategy {
  readonly kind: 'canary';
  /** Traffic weights in percent, strictly increasing, ending at 100. */
  readonly steps: readonly number[];
  /** Pause after each step short of 100%. */
  readonly pause: Duration;
}
export interface BlueGreenStrategy {
  readonly kind: 'blueGreen';
  /** Switch traffic without a human once the preview is healthy. @default the environment's policy.blueGreenAutoPromote */
  readonly autoPromote?: boolean;
  /** @default 1 */
  readonly previewReplicas?: number;
}
export type Strategy = RollingStrategy | CanaryStrategy | BlueGreenStrategy;

export interface Resources {
  readonly cpu: string;
  readonly memory: string;
  /** @default no CPU limit (throttling hurts latency more than it protects neighbours) */
  readonly cpuLimit?: string;
  /** @default equal to `memory` */
  readonly memoryLimit?: string;
}

export interface Probes {
  /** HTTP path of the readiness probe. */
  readonly readiness?: string;
  /** HTTP path of the liveness probe. */
  readonly liveness?: string;
  /** Named port the probes hit. @default the app's first port */
  readonly port?: string;
}

/**
 * A recurring window in which the app keeps at least `min` replicas (a KEDA cron trigger). Both crons
 * are five-field (`minute hour day month weekday`), read in `timeZone`.
 */
export interface ScalingWindow {
  /** When the window opens, e.g. `0 7 * * MON-FRI`. */
  readonly start: string;
  /** When it closes, e.g. `0 19 * * MON-FRI`; differs from `start`. */
  readonly end: string;
  /** Replicas kept during the window; at most `scaling.max`. */
  readonly min: number;
  /** IANA time zone the crons are read in. @default 'UTC' */
  readonly timeZone?: string;
}

export interface Scaling {
  readonly min: number;
  readonly max: number;
  /** @default 70 */
  readonly cpuPercent?: number;
  /**
   * Windows with a higher floor. With any, a KEDA ScaledObject (cron and CPU triggers) scales the app
   * instead of the HPA. @default [] (a CPU HorizontalPodAutoscaler)
   */
  readonly schedules?: readonly ScalingWindow[];
}

/** A scheduled app: it runs as a CronJob (no Deployment), each run to completion. */
export interface Schedule {
  /** Five-field cron, e.g. `0 2 * * *`. */
  readonly cron: string;
  /** IANA time zone the cron is read in (CronJob `timeZone`). @default 'UTC' */
  readonly timeZone?: string;
  /** What happens when a run is due while the last one still runs. @default 'Forbid' */
  readonly concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  /** The command each run executes. @default the image's entrypoint */
  readonly command?: readonly string[];
}

/**
 * A database migration (expand and contract) that runs as a Job before the app's new version rolls out:
 * on Argo CD a Sync hook the workload's later sync wave waits for, on Flux a Kustomization it waits for.
 */
export interface Migration {
  /** The command that migrates, e.g. `['./migrate', 'up']`. */
  readonly command: readonly string[];
  /**
   * Image repository of a migration image of its own, run at the app's pinned tag and, where the pin
   * has one, by the pin's `migrateDigest` (required where the environment requires digests).
   * @default the app's image, with its digest
   */
  readonly image?: string;
}

export interface ImageValues {
  readonly repository: string;
  readonly tag: string;
  readonly digest?: string;
}

/** Pods of a namespace (optionally narrowed by labels) that an app may send to, on these TCP ports. */
export interface ClusterEgress {
  readonly namespace: string;
  /** Only pods with these labels. @default every pod of the namespace */
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
}

/**
 * Where an app's pods may send traffic besides its dependsOn edges and the cluster DNS. Lists replace
 * whole when a layer sets them, so an override states the full list for its targets.
 */
export interface Egress {
  /** Names of external destinations (MatrixSpec.destinations) the target defines. @default [] */
  readonly external?: readonly string[];
  /** In-cluster namespaces or pod selectors. @default [] */
  readonly cluster?: readonly ClusterEgress[];
}

/** Where Prometheus scrapes the app. */
export interface Metrics {
  /** Name of the app's port that serves metrics. */
  readonly port: string;
  /** @default '/metrics' */
  readonly path?: string;
  /** Scrape interval. @default '30s' */
  readonly interval?: Duration;
}

/** A latency objective: this share of requests completes within `ms`. */
export interface LatencyObjective {
  /** Share of requests, in (0, 1), e.g. 0.99. */
  readonly quantile: number;
  /** Threshold in milliseconds; the latency histogram needs a bucket at exactly this bound. */
  readonly ms: number;
}

/**
 * The series the SLO rules read. They are scraped from the app's ServiceMonitor or PodMonitor, and
 * selected by its namespace and scrape job.
 */
export interface SloSeries {
  /** Counter of requests. @default 'http_requests_total' */
  readonly requests?: string;
  /** Label matchers that pick the failed requests out of `requests`. @default 'code=~"5.."' */
  readonly errors?: string;
  /** Bucket series of the request latency histogram. @default 'http_request_duration_seconds_bucket' */
  readonly latencyBuckets?: string;
}

/**
 * Service level objectives over a 30-day budget, alerted on by multi-window, multi-burn-rate rules
 * (a PrometheusRule). Needs `metrics`: the rules read what Prometheus scrapes there.
 */
export interface Slo {
  /** Percent of requests that succeed, in (0, 100), e.g. 99.9. */
  readonly availability: number;
  /** @default none: availability only */
  readonly latency?: LatencyObjective;
  /** @default see SloSeries */
  readonly series?: SloSeries;
}

/**
 * What a burning SLO budget raises: `page` (fast burn pages, slow burn opens a ticket: the SRE workbook's
 * split), `ticket` (both open tickets), `none` (recording rules only, no alerts).
 */
export type SloAlerts = 'page' | 'ticket' | 'none';

/** An HTTP route from the cluster's Gateway to the app (Gateway API HTTPRoute). */
export interface Expose {
  /** Path prefixes routed to the app. */
  readonly paths: readonly string[];
  /** Name of the app's port the Gateway sends to. */
  readonly port: string;
  /** A global hostname, routed besides the cluster's pattern hostname. @default none */
  readonly host?: string;
}

/** The values of an app that layers (environment, cloud, region, cluster, pins) may change. */
export interface AppValues {
  readonly image: ImageValues;
  /** Fixed replica count, used when the app does not scale. */
  readonly replicas: number;
  readonly resources: Resources;
  readonly probes: Probes;
  /** Horizontal autoscaling; absent means fixed `replicas`. */
  readonly scaling?: Scaling;
  readonly strategy: Strategy;
  /** Non-secret configuration, mounted from a ConfigMap as environment variables. */
  readonly config: Readonly<Record<string, string>>;
  /**
   * A route from the cluster's Gateway (HTTPRoute; only the Gateway's namespace may reach the port), or
   * `true` for the older form: every port open to the ingress controller's namespace.
   */
  readonly expose: boolean | Expose;
  /**
   * Names of the app's ports that its dependants (apps whose dependsOn names it) may reach. A port not
   * listed (metrics, admin) stays closed to them. @default [] (a dependsOn edge opens nothing)
   */
  readonly serves?: readonly string[];
  /** Traffic out of the app's pods beyond dependsOn edges and DNS. @default none */
  readonly egress?: Egress;
  /**
   * Scraped by Prometheus, admitted from the monitoring namespace: a ServiceMonitor, or a PodMonitor for
   * an app whose only port is the metrics port (it gets no Service). @default none
   */
  readonly metrics?: Metrics;
  /** Objectives alerted on from the metrics (PrometheusRule). @default none */
  readonly slo?: Slo;
  /** What SLO alerts raise on this target, usually set per environment. @default 'page' */
  readonly sloAlerts?: SloAlerts;
  /** Run as a CronJob on this schedule instead of a Deployment. @default none: a long-running app */
  readonly schedule?: Schedule;
  /** A migration Job that runs before each rollout. @default none */
  readonly migrate?: Migration;
}

type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** A partial change to app values; objects merge by key, lists and strategies replace whole. */
export type ValuesPatch = DeepPartial<Omit<AppValues, 'image'>>;

/** Selects targets by any of their coordinates; an empty selector selects everything. */
export interface TargetSelector {
  readonly env?: string;
  readonly cloud?: Cloud;
  readonly region?: string;
  readonly cluster?: string;
  /** Every cluster in this jurisdiction (`eu`, `us`, `apac`, `other`). */
  readonly jurisdiction?: Jurisdiction;
}

export interface Placement {
  /** Place the app only on targets matching one of these. @default every target */
  readonly include?: readonly TargetSelector[];
  /** Never place it on targets matching one of these. */
  readonly exclude?: readonly TargetSelector[];
  /** Data residency: the app is placed only on clusters in these jurisdictions (others are left out). */
  readonly residency?: Jurisdiction | readonly Jurisdiction[];
}

/** A reference to a secret in an external store; values never enter the matrix. */
export interface SecretRef {
  /** Name of the Kubernetes Secret the ExternalSecret creates. */
  readonly name: string;
  /** The (Cluster)SecretStore to read from. */
  readonly store: string;
  /** The key in the external store. */
  readonly key: string;
  /** A property inside that key's value, when the store holds JSON. */
  readonly property?: string;
}

export interface AppSpec extends ValuesPatch {
  /** DNS-1123 label, unique across the matrix. */
  readonly name: string;
  /** Image repository without tag; the tag and digest come from the environment's pins. */
  readonly image: string;
  /** Named container ports. */
  readonly ports?: Readonly<Record<string, number>>;
  /** Namespace the app runs in. @default the app name */
  readonly namespace?: string;
  readonly placement?: Placement;
  /** Apps that must be running before this one (network access, sync order). */
  readonly dependsOn?: readonly string[];
  readonly secrets?: readonly SecretRef[];
  /**
   * Config keys reviewed as not secret, though their key or value looks like one (e.g. a public
   * `STRIPE_PUBLISHABLE_KEY`): the secret checks skip them. Kept in the app file, so review sees it.
   * @default []
   */
  readonly publicConfig?: readonly string[];
}

export interface AppDefinition extends AppSpec {
  readonly source: SourceRef;
}

export interface Override extends TargetSelector {
  /** Limit the override to one app. @default every app */
  readonly app?: string;
  readonly set: ValuesPatch;
}

/**
 * An external destination (a database, a payment provider): CIDRs and TCP ports, named once per
 * environment, cloud, region or cluster. Apps name it in `egress.external`; on each target the most
 * specific definition that matches (cluster over region over cloud over environment) applies.
 */
export interface DestinationSpec extends TargetSelector {
  /** DNS-1123 label, what apps write in `egress.external`. */
  readonly name: string;
  /** IPv4 or IPv6 CIDRs, e.g. `10.30.64.0/24`. */
  readonly cidrs: readonly string[];
  /** TCP ports. */
  readonly ports: readonly number[];
}

export interface RepoSpec {
  /** The git repository Argo CD and Flux pull `generated/` from. */
  readonly url: string;
  /** @default 'main' */
  readonly branch?: string;
}

/**
 * The Prometheus (prometheus-operator) that scrapes apps with `metrics` and evaluates their SLO rules,
 * on every cluster.
 */
export interface MonitoringSpec {
  /** Namespace Prometheus runs in: its pods may reach the metrics port. @default 'monitoring' */
  readonly namespace?: string;
  /**
   * Labels on every ServiceMonitor, PodMonitor and PrometheusRule, so that Prometheus selects them.
   * kube-prometheus-stack's Prometheus selects only objects labelled `release: <its Helm release>`
   * unless its `*SelectorNilUsesHelmValues` values are false: e.g. `{ release: 'kube-prometheus-stack' }`.
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The ingress controller that `expose: true` apps are reached through, on every cluster. */
export interface IngressSpec {
  /** Namespace of the ingress controller: its pods may reach every port of `expose: true` apps. @default 'ingress-nginx' */
  readonly namespace?: string;
}

export interface MatrixSpec {
  readonly repo: RepoSpec;
  readonly environments: Readonly<Record<string, EnvironmentSpec>>;
  readonly clusters: readonly ClusterSpec[];
  readonly apps: readonly AppDefinition[];
  readonly overrides?: readonly Override[];
  /** External destinations apps may send to (`egress.external`). @default [] */
  readonly destinations?: readonly DestinationSpec[];
  /** State, tags and AWS access for the Terraform stacks. @default none: no stacks are written */
  readonly terraform?: TerraformSettings;
  /** Where Prometheus runs and how it selects the apps' monitors and rules. @default namespace 'monitoring', no labels */
  readonly monitoring?: MonitoringSpec;
  /** Where the ingress controller of `expose: true` runs. @default namespace 'ingress-nginx' */
  readonly ingress?: IngressSpec;
}

export interface MatrixDefinition extends MatrixSpec {
  readonly source: SourceRef;
}

// ---------------------------------------------------------------------------------------------------
// Release pins

export interface Pin {
  readonly tag: string;
  readonly digest?: string;
  /**
   * The digest of the app's own migration image (`migrate.image`) at this tag: where the environment
   * requires digests, the migration Job runs by it too.
   */
  readonly migrateDigest?: string;
}

/** Pins per environment, as read from `src/environments/releases/<env>.json`. */
export interface PinsByEnvironment {
  readonly [env: string]: {
    readonly file: string;
    readonly apps: Readonly<Record<string, Pin>>;
    /**
     * A rollout in progress across the environment's waves: wave number → app → pin. A target in wave N
     * runs `waves[N][app]` when set, else `apps[app]`. Promotion PRs write it wave by wave and fold it
     * back into `apps` once every wave runs the same pin. @default {}
     */
    readonly waves?: Readonly<Record<string, Readonly<Record<string, Pin>>>>;
    /** Entries of the file that were invalid and left out (`apps.api`, `waves.1.api`), already reported. */
    readonly rejected?: readonly string[];
  };
}

// ---------------------------------------------------------------------------------------------------
// Resolved

export type Layer =
  'default' | 'app' | 'app override' | 'environment' | 'cloud' | 'region' | 'cluster' | 'pin';

/** One layer's say on one value. */
export interface ProvenanceStep {
  readonly layer: Layer;
  readonly value: unknown;
  /** Where: `src/apps/api.ts:9`, `src/environments/index.ts:22 (overrides[0])`. */
  readonly source: string;
}

export interface ResolvedPolicy {
  readonly minReplicas: number;
  readonly minZones: number;
  readonly requireDigest: boolean;
  readonly soakSeconds: number;
  readonly freeze: readonly FreezeWindow[];
  readonly sync: 'automated' | 'manual';
  readonly podDisruptionBudget: boolean;
  readonly applicationsSync: 'create-only' | 'create-update' | 'create-delete' | 'sync';
  readonly reconcileIntervalSeconds: number;
  readonly onDemandPercent: number;
  readonly natPerZone: boolean;
  /** Set only when the environment accepts more than `success`. */
  readonly healthyConclusions?: readonly ('neutral' | 'skipped')[];
}

export interface ResolvedEnvironment {
  readonly name: string;
  /** Position in the promotion order, 0 for the first environment. */
  readonly order: number;
  readonly promotesTo?: string;
  readonly promotesFrom?: string;
  readonly policy: ResolvedPolicy;
  readonly reviewers: Required<Reviewers>;
  readonly riskReviewers: Required<Reviewers>;
  readonly branch: string;
  readonly healthChecks: readonly string[];
  /** Repo-relative path of this environment's pins file. */
  readonly pinsFile: string;
}

export interface ResolvedApp {
  readonly name: string;
  readonly namespace: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly dependsOn: readonly string[];
  readonly secrets: readonly SecretRef[];
  readonly values: AppValues;
  /** `repository:tag@digest` (or without the digest when the pin has none). */
  readonly imageRef: string;
  /**
   * Where the app migrates with an image of its own (`migrate.image`): `image:tag@migrateDigest`, or
   * without the digest when the pin has none. Absent otherwise: the migration runs `imageRef`.
   */
  readonly migrateImageRef?: string;
}

/** The destination a target resolves a name to. */
export interface ResolvedDestination {
  readonly name: string;
  readonly cidrs: readonly string[];
  readonly ports: readonly number[];
  /** The layer of the definition that applies (its most specific selector), for `compare` and `explain`. */
  readonly layer: Layer;
  /** `src/environments/index.ts:12 (destinations[0])`. */
  readonly source: string;
}

export interface ResolvedTarget {
  /** `env/cloud/region/cluster` */
  readonly id: string;
  readonly env: string;
  readonly cloud: Cloud;
  readonly region: string;
  readonly cluster: string;
  readonly zones: readonly string[];
  readonly kubernetesVersion: string;
  readonly engine: Engine;
  readonly wave: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly jurisdiction: Jurisdiction;
  /** Apps placed here, sorted by name. */
  readonly apps: readonly ResolvedApp[];
  /** The cluster's VPC, when the matrix gives one. */
  readonly network?: ClusterNetwork;
  readonly nodes: ResolvedNodes;
  /** The cluster's Gateway, with the hostname pattern resolved (cluster, else environment). */
  readonly gateway?: Required<GatewaySettings> | Omit<GatewaySettings, 'hostnamePattern'>;
  /**
   * Who set the gateway's hostname pattern: the cluster's gateway, or its environment. Kept beside
   * `gateway` rather than in it, so the generators' inputs (and the units' hashes) stay as they were.
   */
  readonly hostnamePatternFrom?: { readonly layer: Layer; readonly source: string };
  /** External destinations by name: the most specific definition matching the target. */
  readonly destinations: Readonly<Record<string, ResolvedDestination>>;
}

export interface ResolvedMatrix {
  readonly repo: { readonly url: string; readonly branch: string };
  /** In promotion order. */
  readonly environments: readonly ResolvedEnvironment[];
  /** Sorted by environment order, then wave, cloud, region, cluster. */
  readonly targets: readonly ResolvedTarget[];
  /** Per target id, per app, per value path: the layers that had a say, lowest first. */
  readonly provenance: ReadonlyMap<
    string,
    ReadonlyMap<string, ReadonlyMap<string, readonly ProvenanceStep[]>>
  >;
  /** Shared Terraform settings; absent when the matrix has none (then no stacks are written). */
  readonly terraform?: ResolvedTerraformSettings;
  /** As the matrix wrote it; absent when it has none (the k8s generator's defaults apply). */
  readonly monitoring?: MonitoringSpec;
  /** As the matrix wrote it; absent when it has none (the k8s generator's default applies). */
  readonly ingress?: IngressSpec;
}
