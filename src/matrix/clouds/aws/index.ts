/**
 * AWS in the model: its settings (S3 state, endpoints, assumed roles) resolved and checked, the names
 * its stacks give resources (EKS clusters, IAM roles), EC2 instance types, and what an EKS cluster
 * needs of its entry.
 */
import { regionInfo } from '../../regions.ts';
import type { CloudInfrastructure, ClusterCheckContext, ClusterReport, SettingsReport } from '../types.ts';
import { resolveTraffic, validateTraffic } from './traffic.ts';
import { defaultEksVersion, eksAddonVersions, eksSupport, EKS_VERSIONS } from './versions.ts';
import type { MatrixDefinition, ResolvedTarget } from '../../types.ts';
import { parseCidr, type ResolvedNodes, type TerraformSettings } from '../../infrastructure.ts';
import {
  AWS_ENDPOINT_SERVICES,
  type AwsEksEnvironmentSettings,
  type ResolvedAwsSettings,
  type ResolvedEksEnvironment,
} from './settings.ts';

export const DEFAULT_STATE_KEY_PREFIX = 'envmatrix';
export const DEFAULT_INSTANCE_TYPES: readonly string[] = ['m6i.large', 'm5.large', 'm5a.large'];

/** A private subnet per zone takes 1/8 of the VPC, and the eighth slot holds the public ones. */
export const MAX_VPC_ZONES = 7;
/** EKS requires subnets in at least two zones. */
export const MIN_EKS_ZONES = 2;
/** AWS limit on IAM role names. */
export const IAM_ROLE_NAME_MAX = 64;

// ---------------------------------------------------------------------------------------------------
// Names the stacks give AWS resources (checked here, used by src/generators/terraform/aws)

/** EKS cluster name: unique per account and region, so the environment is part of it. */
export function eksClusterName(env: string, cluster: string): string {
  return `${env}-${cluster}`;
}

/**
 * The IAM roles a cluster's stack creates: the control plane's, the nodes', the flow logs', and one
 * per controller through EKS Pod Identity (external-secrets, cluster-autoscaler, AWS Load Balancer
 * Controller, EBS CSI driver). Short, so the names stay within IAM's 64 characters.
 */
export type AwsRoleKind = 'cluster' | 'nodes' | 'flow-logs' | 'eso' | 'autoscaler' | 'lbc' | 'ebs-csi';
/** The longest kind: what the name-length rule checks. */
const LONGEST_ROLE_KIND: AwsRoleKind = 'autoscaler';

/** IAM role names are global per account: environment, region and cluster make them unique. */
export function iamRoleName(env: string, region: string, cluster: string, role: AwsRoleKind): string {
  return `${env}-${region}-${cluster}-eks-${role}`;
}

// ---------------------------------------------------------------------------------------------------
// Resolution

function rolesByEnvironment(
  role: TerraformSettings['assumeRoleArn'],
  environments: readonly string[],
): Record<string, string> {
  const arnOf = (env: string): string | undefined => (typeof role === 'string' ? role : role?.[env]);
  return Object.fromEntries(
    environments.flatMap((env) => {
      const arn = arnOf(env);
      return arn === undefined ? [] : [[env, arn]];
    }),
  );
}

/** Days logs are kept when the matrix says nothing: the EKS module's 90 where it matters most. */
export const LOG_RETENTION_DAYS = { last: 90, other: 30 } as const;

/** Each environment's EKS settings: its own fields over the matrix-wide ones over the defaults. */
function resolveEks(
  settings: TerraformSettings,
  environments: readonly string[],
): Record<string, ResolvedEksEnvironment> {
  const shared: AwsEksEnvironmentSettings = settings.eks ?? {};
  const last = environments.at(-1);
  return Object.fromEntries(
    environments.map((env) => {
      const own: AwsEksEnvironmentSettings = { ...shared, ...settings.eks?.environments?.[env] };
      const isLast = env === last;
      const resolved: ResolvedEksEnvironment = {
        adminRoleArns: own.adminRoleArns ?? [],
        ...(own.ciRoleArn !== undefined && { ciRoleArn: own.ciRoleArn }),
        ...(own.argocdHubRoleArn !== undefined && { argocdHubRoleArn: own.argocdHubRoleArn }),
        publicAccessCidrs: own.publicAccessCidrs ?? [],
        logRetentionDays:
          own.logRetentionDays ?? (isLast ? LOG_RETENTION_DAYS.last : LOG_RETENTION_DAYS.other),
        metadataHopLimit: own.metadataHopLimit ?? 1,
        preventDestroy: own.preventDestroy ?? isLast,
      };
      return [env, resolved];
    }),
  );
}

export function resolveAwsSettings(
  settings: TerraformSettings,
  environments: readonly string[],
): ResolvedAwsSettings {
  const { state } = settings;
  const endpoints = settings.endpoints ?? {};
  return {
    state: {
      bucket: state.bucket,
      region: state.region,
      keyPrefix: state.keyPrefix ?? DEFAULT_STATE_KEY_PREFIX,
      ...(state.lockTable !== undefined && { lockTable: state.lockTable }),
    },
    endpoints: Object.fromEntries(
      AWS_ENDPOINT_SERVICES.filter((service) => endpoints[service] !== undefined).map((service) => [
        service,
        endpoints[service],
      ]),
    ),
    emulator: settings.emulator ?? false,
    assumeRoleArns: rolesByEnvironment(settings.assumeRoleArn, environments),
    eks: resolveEks(settings, environments),
    secretsManagerStores: settings.eks?.secretsManagerStores ?? [],
    traffic: resolveTraffic(settings.traffic, environments),
  };
}

// ---------------------------------------------------------------------------------------------------
// Rules

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DYNAMODB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
/** What AWS allows in a tag value. */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const INSTANCE_TYPE = /^[a-z0-9-]+\.[a-z0-9-]+$/;

function isHttpUrl(value: string | undefined): boolean {
  if (value === undefined) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function validateState(settings: TerraformSettings, at: SettingsReport): void {
  const { state } = settings;
  if (!S3_BUCKET.test(state.bucket) || state.bucket.includes('..')) {
    at(
      'state.bucket',
      `${JSON.stringify(state.bucket)} is not an S3 bucket name`,
      'use 3–63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit',
    );
  }
  if (!regionInfo('aws', state.region)) {
    at(
      'state.region',
      `"${state.region}" is not an AWS region`,
      'give the AWS region the state bucket lives in (one of src/matrix/regions.ts)',
    );
  }
  if (state.keyPrefix !== undefined && (state.keyPrefix === '' || /^\/|\/$|\/\//.test(state.keyPrefix))) {
    at(
      'state.keyPrefix',
      `${JSON.stringify(state.keyPrefix)} is not a key prefix`,
      'write folder names joined by "/", without a leading or trailing "/", e.g. "platform/envmatrix"',
    );
  }
  if (state.lockTable !== undefined && !DYNAMODB_TABLE.test(state.lockTable)) {
    at(
      'state.lockTable',
      `${JSON.stringify(state.lockTable)} is not a DynamoDB table name`,
      'use 3–255 letters, digits, "_", "." and "-", or leave lockTable out to lock by the S3 lockfile',
    );
  }
}

function validateEndpoints(settings: TerraformSettings, at: SettingsReport): void {
  const endpoints: Readonly<Record<string, string | undefined>> = settings.endpoints ?? {};
  const given = Object.keys(endpoints);
  for (const service of given) {
    if (!(AWS_ENDPOINT_SERVICES as readonly string[]).includes(service)) {
      at(
        `endpoints.${service}`,
        `unknown service "${service}"`,
        `use ${AWS_ENDPOINT_SERVICES.join(', ')}: the services the stacks and their state backend call`,
      );
    } else if (!isHttpUrl(endpoints[service])) {
      at(
        `endpoints.${service}`,
        `${JSON.stringify(endpoints[service])} is not an http(s) URL`,
        'write a URL, e.g. https://ec2.us-east-1.amazonaws.com or http://127.0.0.1:5000',
      );
    }
  }
  if (given.length > 0) {
    const needed = AWS_ENDPOINT_SERVICES.filter(
      (service) =>
        (service !== 'dynamodb' || settings.state.lockTable !== undefined) &&
        (service !== 'route53' || settings.traffic !== undefined),
    );
    const missing = needed.filter((service) => endpoints[service] === undefined);
    if (missing.length > 0) {
      at(
        'endpoints',
        `no endpoint for ${missing.join(', ')}, which the stacks call`,
        `add ${missing.join(', ')} to terraform.endpoints, or the provider reaches real AWS for them`,
      );
    }
  }
  if (settings.emulator && given.length === 0) {
    at(
      'emulator',
      'emulator is set, but there are no endpoints to emulate',
      'point terraform.endpoints at the emulator, or remove emulator',
    );
  }
}

/** What CloudWatch Logs accepts as retention (PutRetentionPolicy). */
const LOG_RETENTION_VALUES = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

function validateEksFields(own: AwsEksEnvironmentSettings, path: string, at: SettingsReport): void {
  const roles: [string, string][] = [
    ...(own.adminRoleArns ?? []).map((arn, i): [string, string] => [`adminRoleArns[${i}]`, arn]),
    ...(own.ciRoleArn !== undefined ? [['ciRoleArn', own.ciRoleArn] as [string, string]] : []),
    ...(own.argocdHubRoleArn !== undefined
      ? [['argocdHubRoleArn', own.argocdHubRoleArn] as [string, string]]
      : []),
  ];
  for (const [field, arn] of roles)
    if (!ROLE_ARN.test(arn))
      at(
        `${path}${field}`,
        `${JSON.stringify(arn)} is not an IAM role ARN`,
        'write arn:aws:iam::<12-digit account id>:role/<name>',
      );
  (own.publicAccessCidrs ?? []).forEach((cidr, i) => {
    if (!parseCidr(cidr))
      at(
        `${path}publicAccessCidrs[${i}]`,
        `${JSON.stringify(cidr)} is not an IPv4 range`,
        'write address/prefix, e.g. 203.0.113.0/24',
      );
    else if (cidr.endsWith('/0'))
      at(
        `${path}publicAccessCidrs[${i}]`,
        `${cidr} opens the Kubernetes API to the whole internet`,
        'list the ranges of your offices or VPN, or leave publicAccessCidrs out (private endpoint only)',
      );
  });
  if (own.logRetentionDays !== undefined && !LOG_RETENTION_VALUES.includes(own.logRetentionDays))
    at(
      `${path}logRetentionDays`,
      `${own.logRetentionDays} is not a retention CloudWatch Logs accepts`,
      `use one of ${LOG_RETENTION_VALUES.join(', ')}`,
    );
}

function validateEksSettings(
  matrix: MatrixDefinition,
  settings: TerraformSettings,
  at: SettingsReport,
): void {
  const eks = settings.eks;
  const known = Object.keys(matrix.environments);
  if (eks) validateEksFields(eks, 'eks.', at);
  for (const [env, own] of Object.entries(eks?.environments ?? {})) {
    if (!known.includes(env))
      at(`eks.environments.${env}`, `names unknown environment "${env}"`, `use one of: ${known.join(', ')}`);
    validateEksFields(own, `eks.environments.${env}.`, at);
  }
}

function validateSettings(matrix: MatrixDefinition, settings: TerraformSettings, at: SettingsReport): void {
  validateState(settings, at);
  validateEksSettings(matrix, settings, at);
  validateTraffic(matrix, at);
  if (!TAG_VALUE.test(settings.costCentre)) {
    at(
      'costCentre',
      `${JSON.stringify(settings.costCentre)} is not an AWS tag value`,
      'use 1–256 letters, digits, spaces and _ . : / = + - @',
    );
  }
  validateEndpoints(settings, at);
  const role = settings.assumeRoleArn;
  const roles = typeof role === 'string' ? { '': role } : (role ?? {});
  for (const [env, arn] of Object.entries(roles)) {
    const path = env === '' ? 'assumeRoleArn' : `assumeRoleArn.${env}`;
    if (env !== '' && !(env in matrix.environments)) {
      at(
        path,
        `names unknown environment "${env}"`,
        `use one of: ${Object.keys(matrix.environments).join(', ')}`,
      );
    }
    if (!ROLE_ARN.test(arn)) {
      at(
        path,
        `${JSON.stringify(arn)} is not an IAM role ARN`,
        'write arn:aws:iam::<12-digit account id>:role/<name>',
      );
    }
  }
}

function validateNodes(nodes: ResolvedNodes, onDemandPercent: number, at: ClusterReport): void {
  const { instanceTypes } = nodes;
  if (instanceTypes.length === 0)
    at(
      'nodes.instanceTypes is empty',
      'list EC2 instance types, e.g. ["m6i.large", "m5.large", "m5a.large"]',
    );
  for (const type of instanceTypes.filter((t) => !INSTANCE_TYPE.test(t)))
    at(
      `nodes.instanceTypes has ${JSON.stringify(type)}, which is not an EC2 instance type`,
      'write types such as m6i.large',
    );
  if (onDemandPercent < 100 && instanceTypes.length === 1) {
    at(
      `nodes.instanceTypes has one type (${instanceTypes[0]}) for the spot group`,
      'list two or more similar types, e.g. ["m6i.large", "m5.large", "m5a.large"]: one type alone runs out of spot capacity',
    );
  }
}

/**
 * EKS refuses to create a cluster on a version past extended support, and charges extra per
 * cluster-hour inside it; a version without pinned add-ons would get none.
 */
function validateEksVersion(
  target: ResolvedTarget,
  at: ClusterReport,
  { now, warn }: ClusterCheckContext,
): void {
  const version = target.kubernetesVersion;
  const support = eksSupport(version, now);
  const newest = defaultEksVersion(now);
  const known = EKS_VERSIONS.map((entry) => entry.version).join(', ');
  if (support.status === 'unknown') {
    at(
      `kubernetesVersion ${version} is not in the EKS version table (${known})`,
      `use ${newest}, or add ${version} with its support dates to src/matrix/clouds/aws/versions.ts`,
    );
  } else if (support.status === 'ended') {
    at(
      `kubernetesVersion ${version} is past EKS extended support (ended ${support.row.endOfExtendedSupport}); EKS refuses to create a cluster on it`,
      `set kubernetesVersion to ${newest} (in standard support), upgrading one minor at a time`,
    );
  } else if (support.status === 'extended') {
    warn(
      `kubernetesVersion ${version} is in EKS extended support (standard support ended ${support.row.endOfStandardSupport}; extended ends ${support.row.endOfExtendedSupport}), which costs extra per cluster-hour`,
      `upgrade to ${newest}, one minor at a time`,
    );
  }
  if (support.status !== 'unknown' && support.status !== 'ended' && !eksAddonVersions(version)) {
    at(
      `kubernetesVersion ${version} has no pinned managed add-on versions`,
      `add a ${version} row to EKS_ADDON_VERSIONS in src/matrix/clouds/aws/versions.ts (aws eks describe-addon-versions --kubernetes-version ${version})`,
    );
  }
}

function validateStackCluster(target: ResolvedTarget, at: ClusterReport, context: ClusterCheckContext): void {
  validateEksVersion(target, at, context);
  const zones = target.zones.length;
  if (zones < MIN_EKS_ZONES) {
    at(
      `spans ${zones} zone${zones === 1 ? '' : 's'}; EKS needs subnets in at least ${MIN_EKS_ZONES}`,
      `list at least ${MIN_EKS_ZONES} zones of ${target.region} in the cluster's zones`,
    );
  } else if (zones > MAX_VPC_ZONES) {
    at(
      `spans ${zones} zones; its VPC has room for subnets in at most ${MAX_VPC_ZONES}`,
      `list at most ${MAX_VPC_ZONES} zones in the cluster's zones`,
    );
  }
  const role = iamRoleName(target.env, target.region, target.cluster, LONGEST_ROLE_KIND);
  if (role.length > IAM_ROLE_NAME_MAX) {
    at(
      `IAM role name ${role} has ${role.length} characters; AWS allows ${IAM_ROLE_NAME_MAX}`,
      'shorten the environment or cluster name',
    );
  }
}

export const awsInfrastructure: CloudInfrastructure = {
  cloud: 'aws',
  defaultInstanceTypes: DEFAULT_INSTANCE_TYPES,
  resolveSettings: resolveAwsSettings,
  validateSettings,
  validateNodes,
  validateStackCluster,
  defaultKubernetesVersion: (now) => defaultEksVersion(now),
};
