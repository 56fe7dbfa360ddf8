/**
 * AWS's part of the infrastructure model: where state lives (S3), how the provider reaches AWS
 * (endpoints, emulator, assumed roles). Types only, so src/matrix/infrastructure.ts and types.ts can
 * name them without importing the rules (which import them back).
 */
import type { RegionOf } from '../../regions.ts';

/** AWS services the stacks and their state backend call; the keys of `terraform.endpoints`. */
export const AWS_ENDPOINT_SERVICES = [
  'dynamodb',
  'ec2',
  'eks',
  'iam',
  'kms',
  'logs',
  'route53',
  's3',
  'sts',
] as const;
export type AwsEndpointService = (typeof AWS_ENDPOINT_SERVICES)[number];

/** Where the stacks keep Terraform state: one S3 bucket, one key per stack. */
export interface TerraformStateSettings {
  /** S3 bucket holding the state of every stack (create it, with versioning, before the first apply). */
  readonly bucket: string;
  /** AWS region of the bucket. */
  readonly region: RegionOf<'aws'>;
  /** Start of every state key: `<keyPrefix>/<env>/aws/<region>/terraform.tfstate`. @default 'envmatrix' */
  readonly keyPrefix?: string;
  /**
   * A DynamoDB table (hash key `LockID`) that locks state in addition to the S3 lockfile, for setups
   * that still rely on it; drop it once every Terraform that touches the state is 1.10 or newer.
   * @default no table: locking by the S3 lockfile (`use_lockfile`) only
   */
  readonly lockTable?: string;
}

/** How an environment's EKS clusters are reached, hardened and guarded; each field may differ per environment. */
export interface AwsEksEnvironmentSettings {
  /** IAM roles of the platform admins: cluster admin through EKS access entries. @default [] */
  readonly adminRoleArns?: readonly string[];
  /** IAM role CI runs Terraform and deploys with: cluster admin through an access entry. @default none */
  readonly ciRoleArn?: string;
  /**
   * IAM role of the Argo CD hub: clusters whose engine is argocd give it cluster admin, so the hub can
   * register and sync them. @default none
   */
  readonly argocdHubRoleArn?: string;
  /**
   * CIDRs that may reach the Kubernetes API's public endpoint; the private endpoint is always on.
   * @default [] (no public endpoint)
   */
  readonly publicAccessCidrs?: readonly string[];
  /** Days CloudWatch keeps control-plane and VPC flow logs. @default 90 in the last environment, 30 elsewhere */
  readonly logRetentionDays?: number;
  /**
   * IMDSv2 hop limit on nodes: 1 keeps pods away from the node's credentials; 2 lets pods that still
   * read instance metadata reach it. @default 1
   */
  readonly metadataHopLimit?: 1 | 2;
  /**
   * `prevent_destroy` on the VPC, the EKS cluster and the secrets KMS key: a plan that would replace
   * them fails. @default true in the last environment of the promotion order (prod), false elsewhere
   */
  readonly preventDestroy?: boolean;
}

/** EKS settings: defaults for every environment, and per-environment overrides. */
export interface AwsEksSettings extends AwsEksEnvironmentSettings {
  /** Per environment name; each field replaces the matrix-wide one. @default {} */
  readonly environments?: Readonly<Record<string, AwsEksEnvironmentSettings>>;
  /**
   * Secret stores (the `store` of app secrets) backed by AWS Secrets Manager in the cluster's region:
   * external-secrets may read only the keys apps on the cluster name from these stores. @default []
   */
  readonly secretsManagerStores?: readonly string[];
}

/**
 * How Route 53 answers for an app's global name: `latency` (the healthy region nearest the caller),
 * `failover` (a primary region while healthy, then a secondary), `geolocation` (by where the caller is,
 * with a `*` record for everywhere else) or `weighted` (shares per promotion wave).
 */
export type TrafficRouting = 'latency' | 'failover' | 'geolocation' | 'weighted';
export const TRAFFIC_ROUTINGS: readonly TrafficRouting[] = ['latency', 'failover', 'geolocation', 'weighted'];

/** A region's part in failover routing. */
export type FailoverRole = 'primary' | 'secondary';

/** The fields every layer of `traffic` may set; a lower layer's field replaces the one above it. */
export interface AwsTrafficPolicy {
  /** @default 'latency' */
  readonly routing?: TrafficRouting;
  /** Path the HTTPS health check of each regional name requests. @default '/healthz' */
  readonly healthCheckPath?: string;
  /**
   * With `routing: 'failover'`: the role of each AWS region of the environment; exactly one primary and
   * one secondary (Route 53 pairs one primary record with one secondary record).
   * @default the environment's first-wave region primary and the next one secondary, when it has two
   */
  readonly failover?: Readonly<Record<string, FailoverRole>>;
  /**
   * With `routing: 'geolocation'`: the locations each region serves, as `*` (everywhere else; exactly
   * one region has it), `continent:EU` (AF, AN, AS, EU, NA, OC, SA), `country:DE` (ISO 3166 alpha-2) or
   * `country:US-CA` (a US state).
   * @default each region its continent, and `*` to the first-wave region
   */
  readonly geolocation?: Readonly<Record<string, readonly string[]>>;
  /**
   * With `routing: 'weighted'`: the weight (0–255) of the regions of wave 0, 1, …: a canary wave can
   * take a small share. @default 1 for every wave (an even split)
   */
  readonly waveWeights?: readonly number[];
  /**
   * The global name of an exposed app without `expose.host`; `{app}` and `{env}` are replaced.
   * @default none: only apps with `expose.host` get a global name
   */
  readonly hostnamePattern?: string;
}

/** One environment's global traffic: its hosted zone, its policy, and per-app policies. */
export interface AwsTrafficEnvironment extends AwsTrafficPolicy {
  /** Hosted zone of this environment's global names. @default the matrix-wide `traffic.zoneId` */
  readonly zoneId?: string;
  /** Per app name: fields that replace the environment's for that app. @default {} */
  readonly apps?: Readonly<Record<string, AwsTrafficPolicy>>;
}

/**
 * Global traffic: for each environment spanning two or more AWS regions, a `<env>/aws/global` stack
 * with a Route 53 health check per regional name and routed records for the global name of each app
 * exposed in two or more of those regions. Layers, each replacing the one above: these fields, then
 * `environments.<env>`, then `environments.<env>.apps.<app>`.
 */
export interface AwsTrafficSettings extends AwsTrafficPolicy {
  /**
   * Id of the Route 53 hosted zone holding the global names (Z…). An id, not a zone-name lookup: a
   * name can match a public and a private zone, and the lookup needs list permission at plan time.
   * Every environment with a global stack needs one, here or under `environments`. @default none
   */
  readonly zoneId?: string;
  /** Per environment name. @default {} */
  readonly environments?: Readonly<Record<string, AwsTrafficEnvironment>>;
}

/**
 * AWS's Terraform settings. They sit at the top level of `terraform` (the matrix had only AWS stacks
 * when they were written); another cloud's settings go under its own key.
 */
export interface AwsTerraformSettings {
  readonly state: TerraformStateSettings;
  /**
   * Endpoints replacing AWS's own, per service, for the provider and the state backend: private
   * endpoints, or an AWS-compatible API such as moto or LocalStack. List every service the stacks
   * call (ec2, eks, iam, s3, sts, and dynamodb with `state.lockTable`), or the rest reach real AWS.
   * @default AWS's public endpoints
   */
  readonly endpoints?: Readonly<Partial<Record<AwsEndpointService, string>>>;
  /**
   * The endpoints are an emulator (moto, LocalStack), not AWS: address S3 by path and skip the checks
   * only AWS answers (credentials, account id, region name, instance metadata).
   * @default false
   */
  readonly emulator?: boolean;
  /**
   * IAM role the provider assumes to manage the stacks' resources: one ARN for every environment, or
   * one per environment name (an account per environment). State is read with the caller's own
   * credentials, so the bucket can live in a separate account.
   * @default no role: the caller's credentials
   */
  readonly assumeRoleArn?: string | Readonly<Record<string, string>>;
  /** Access, hardening and destroy safety of the EKS clusters. @default see AwsEksEnvironmentSettings */
  readonly eks?: AwsEksSettings;
  /** Route 53 health checks and routed global names across regions. @default none */
  readonly traffic?: AwsTrafficSettings;
}

/** AwsEksEnvironmentSettings of one environment, defaults applied. */
export interface ResolvedEksEnvironment {
  readonly adminRoleArns: readonly string[];
  readonly ciRoleArn?: string;
  readonly argocdHubRoleArn?: string;
  readonly publicAccessCidrs: readonly string[];
  readonly logRetentionDays: number;
  readonly metadataHopLimit: 1 | 2;
  readonly preventDestroy: boolean;
}

export interface ResolvedAwsSettings {
  readonly state: {
    readonly bucket: string;
    readonly region: string;
    readonly keyPrefix: string;
    readonly lockTable?: string;
  };
  /** Sorted by service; empty for AWS's public endpoints. */
  readonly endpoints: Readonly<Partial<Record<AwsEndpointService, string>>>;
  readonly emulator: boolean;
  /** Role to assume per environment name; environments without one use the caller's credentials. */
  readonly assumeRoleArns: Readonly<Record<string, string>>;
  /** Per environment name. */
  readonly eks: Readonly<Record<string, ResolvedEksEnvironment>>;
  readonly secretsManagerStores: readonly string[];
  /** Per environment name that has a hosted zone, layers merged. */
  readonly traffic: Readonly<Record<string, ResolvedTrafficEnvironment>>;
}

/** A traffic policy, layers merged and defaults applied (region maps default in the stack plan). */
export interface ResolvedTrafficPolicy {
  readonly routing: TrafficRouting;
  readonly healthCheckPath: string;
  readonly failover?: Readonly<Record<string, FailoverRole>>;
  readonly geolocation?: Readonly<Record<string, readonly string[]>>;
  readonly waveWeights?: readonly number[];
  readonly hostnamePattern?: string;
}

export interface ResolvedTrafficEnvironment extends ResolvedTrafficPolicy {
  readonly zoneId: string;
  /** Per app named under the environment: its own fields over the environment's. */
  readonly apps: Readonly<Record<string, ResolvedTrafficPolicy>>;
}
