/**
 * AWS's stacks as plain data: one per environment and AWS region
 * (`generated/terraform/<env>/aws/<region>/`), holding every AWS cluster of that environment in that
 * region, with its S3 state key, provider settings, and each cluster's network and node groups.
 */
import { compareStrings } from '../../../core/compare.ts';
import { eksClusterName, iamRoleName, type AwsRoleKind } from '../../../matrix/clouds/aws/index.ts';
import type { AwsEndpointService, ResolvedEksEnvironment } from '../../../matrix/clouds/aws/settings.ts';
import { eksAddonVersions, type EksAddon } from '../../../matrix/clouds/aws/versions.ts';
import type { ResolvedTerraformSettings } from '../../../matrix/infrastructure.ts';
import type { ResolvedMatrix, ResolvedTarget } from '../../../matrix/types.ts';
import { GeneratorError } from '../../errors.ts';
import { terraformStackDir } from '../../paths.ts';
import {
  defaultTagsFor,
  GENERATOR_NAME,
  regionalStackScope,
  REQUIRED_TERRAFORM_VERSION,
  type CloudStackPlan,
} from '../cloud.ts';
import { splitNodes, subnetLayout, type NodeGroupPlan, type ZoneSubnets } from './layout.ts';

/**
 * One major, the tested one: the stacks are validated and applied (on moto) with 5.100.0, the only
 * version in the offline mirror, and the committed lock files pin it. 6.x (what the cdktf bindings
 * were generated from) is a separate, tested step: raise this and refresh the locks (npm run tf:lock).
 */
export const AWS_PROVIDER_CONSTRAINT = '~> 5.100';
/** The EKS access policy every listed principal gets (terraform-aws-eks v21 grants the same). */
export const CLUSTER_ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';
/** Services the state backend calls, when their endpoints are replaced. */
const BACKEND_SERVICES: readonly AwsEndpointService[] = ['dynamodb', 'iam', 's3', 'sts'];

export interface BackendPlan {
  readonly bucket: string;
  /** `<keyPrefix>/<env>/aws/<region>/terraform.tfstate` */
  readonly key: string;
  readonly region: string;
  readonly lockTable?: string;
  readonly endpoints: Readonly<Partial<Record<AwsEndpointService, string>>>;
  readonly emulator: boolean;
}

export interface ProviderPlan {
  readonly region: string;
  readonly defaultTags: Readonly<Record<string, string>>;
  readonly endpoints: Readonly<Partial<Record<AwsEndpointService, string>>>;
  readonly emulator: boolean;
  readonly assumeRole?: { readonly roleArn: string; readonly sessionName: string };
}

export interface ClusterPlan {
  /** Target id, `env/aws/region/cluster`. */
  readonly target: string;
  /** The cluster entry's name; prefixes every resource and output of the cluster in the stack. */
  readonly name: string;
  readonly eksName: string;
  readonly kubernetesVersion: string;
  readonly roles: Readonly<Record<AwsRoleKind, string>>;
  /**
   * EKS support type: STANDARD, so a forgotten upgrade is an automatic upgrade at the end of standard
   * support instead of extended-support charges (EKS's own default is EXTENDED).
   */
  readonly upgradeSupport: 'STANDARD';
  /** Pinned managed add-on versions for the cluster's Kubernetes minor. */
  readonly addons: Readonly<Record<EksAddon, string>>;
  /** Access entries (authentication mode API): principal ARN by entry name, each cluster admin. */
  readonly accessEntries: readonly { readonly name: string; readonly principalArn: string }[];
  readonly publicAccessCidrs: readonly string[];
  readonly logRetentionDays: number;
  readonly metadataHopLimit: 1 | 2;
  /** `prevent_destroy` on the VPC, the cluster and its KMS key. */
  readonly preventDestroy: boolean;
  /** Secrets Manager keys apps on the cluster read (external-secrets may read only these), sorted. */
  readonly secretKeys: readonly string[];
  /** Tags on instances, volumes and network interfaces (launch template): the provider's default tags. */
  readonly instanceTags: Readonly<Record<string, string>>;
  readonly vpcCidr: string;
  readonly subnets: readonly ZoneSubnets[];
  /** One NAT gateway per zone (`policy.natPerZone`), or one for the whole VPC. */
  readonly natPerZone: boolean;
  readonly nodeGroups: readonly NodeGroupPlan[];
}

export interface StackPlan extends CloudStackPlan {
  /** `env/aws/region`: the unit scope, so `synth --only prod/aws/us-east-1/main` renders it too. */
  readonly scope: string;
  readonly env: string;
  readonly region: string;
  readonly requiredVersion: string;
  readonly providerConstraint: string;
  readonly backend: BackendPlan;
  readonly provider: ProviderPlan;
  readonly clusters: readonly ClusterPlan[];
}

export function stateKey(keyPrefix: string, env: string, region: string): string {
  return stackStateKey(keyPrefix, regionalStackScope('aws', { env, region }));
}

/** `<keyPrefix>/<scope>/terraform.tfstate`: every AWS stack's state key, regional or global. */
export function stackStateKey(keyPrefix: string, scope: string): string {
  return `${keyPrefix}/${scope}/terraform.tfstate`;
}

/** The S3 backend of a stack whose state lives under `key`. */
export function backendPlan(settings: ResolvedTerraformSettings, key: string): BackendPlan {
  return {
    bucket: settings.state.bucket,
    key,
    region: settings.state.region,
    ...(settings.state.lockTable !== undefined && { lockTable: settings.state.lockTable }),
    endpoints: pick(settings.endpoints, BACKEND_SERVICES),
    emulator: settings.emulator,
  };
}

/** The aws provider of a stack of `env` working in `region`, tagging with `tags`. */
export function providerPlan(
  settings: ResolvedTerraformSettings,
  env: string,
  region: string,
  tags: Readonly<Record<string, string>>,
): ProviderPlan {
  const roleArn = settings.assumeRoleArns[env];
  return {
    region,
    defaultTags: tags,
    endpoints: settings.endpoints,
    emulator: settings.emulator,
    ...(roleArn !== undefined && {
      assumeRole: { roleArn, sessionName: `envmatrix-${env}-${region}` },
    }),
  };
}

export function defaultTags(env: string, region: string, costCentre: string): Record<string, string> {
  return defaultTagsFor('aws', env, region, costCentre);
}

/** The stack an AWS target belongs to. */
export function awsStackScope(target: Pick<ResolvedTarget, 'env' | 'region'>): string {
  return regionalStackScope('aws', target);
}

function pick(
  endpoints: Readonly<Partial<Record<AwsEndpointService, string>>>,
  services: readonly AwsEndpointService[],
): Partial<Record<AwsEndpointService, string>> {
  return Object.fromEntries(services.filter((s) => endpoints[s] !== undefined).map((s) => [s, endpoints[s]]));
}

/** Access entries: admins, CI, and the Argo CD hub on Argo CD clusters; each principal once. */
function accessEntries(target: ResolvedTarget, eks: ResolvedEksEnvironment): ClusterPlan['accessEntries'] {
  const entries = [
    ...eks.adminRoleArns.map((arn, index) => ({ name: `admin_${index}`, principalArn: arn })),
    ...(eks.ciRoleArn !== undefined ? [{ name: 'ci', principalArn: eks.ciRoleArn }] : []),
    ...(eks.argocdHubRoleArn !== undefined && target.engine === 'argocd'
      ? [{ name: 'argocd_hub', principalArn: eks.argocdHubRoleArn }]
      : []),
  ];
  return entries.filter(
    (entry, index) => entries.findIndex((e) => e.principalArn === entry.principalArn) === index,
  );
}

const ROLE_KINDS: readonly AwsRoleKind[] = [
  'cluster',
  'nodes',
  'flow-logs',
  'eso',
  'autoscaler',
  'lbc',
  'ebs-csi',
];

interface ClusterContext {
  readonly natPerZone: boolean;
  readonly onDemandPercent: number;
  readonly eks: ResolvedEksEnvironment;
  readonly secretsManagerStores: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

function clusterPlan(target: ResolvedTarget, context: ClusterContext): ClusterPlan {
  const { natPerZone, onDemandPercent, eks } = context;
  if (!target.network) {
    // Validation reports this with the fix; reaching it means the matrix skipped validation.
    throw new GeneratorError(
      GENERATOR_NAME,
      target.id,
      undefined,
      'the cluster has no network.vpcCidr',
      'add network: { vpcCidr: "10.N.0.0/16" } to the cluster entry and run envmatrix validate',
    );
  }
  const addons = eksAddonVersions(target.kubernetesVersion);
  if (!addons) {
    // Validation reports this with the fix; reaching it means the matrix skipped validation.
    throw new GeneratorError(
      GENERATOR_NAME,
      target.id,
      undefined,
      `Kubernetes ${target.kubernetesVersion} has no pinned add-on versions`,
      'run envmatrix validate and follow its fix',
    );
  }
  const stores = new Set(context.secretsManagerStores);
  const secretKeys = [
    ...new Set(
      target.apps.flatMap((app) => app.secrets.filter((s) => stores.has(s.store)).map((s) => s.key)),
    ),
  ].sort(compareStrings);
  return {
    target: target.id,
    name: target.cluster,
    eksName: eksClusterName(target.env, target.cluster),
    kubernetesVersion: target.kubernetesVersion,
    roles: Object.fromEntries(
      ROLE_KINDS.map((kind) => [kind, iamRoleName(target.env, target.region, target.cluster, kind)]),
    ) as Record<AwsRoleKind, string>,
    upgradeSupport: 'STANDARD',
    addons,
    accessEntries: accessEntries(target, eks),
    publicAccessCidrs: eks.publicAccessCidrs,
    logRetentionDays: eks.logRetentionDays,
    metadataHopLimit: eks.metadataHopLimit,
    preventDestroy: eks.preventDestroy,
    secretKeys,
    instanceTags: { ...context.tags, Name: `${target.env}-${target.cluster}-node` },
    vpcCidr: target.network.vpcCidr,
    subnets: subnetLayout(target.network.vpcCidr, target.zones),
    natPerZone,
    nodeGroups: splitNodes(target.nodes, onDemandPercent),
  };
}

function stackPlan(
  matrix: ResolvedMatrix,
  settings: ResolvedTerraformSettings,
  env: string,
  region: string,
  targets: readonly ResolvedTarget[],
): StackPlan {
  const environment = matrix.environments.find((e) => e.name === env);
  const policy = environment?.policy;
  const tags = defaultTags(env, region, settings.costCentre);
  const eks = settings.eks[env];
  if (!eks) throw new Error(`awsStackPlans: no resolved EKS settings for environment ${env}`);
  return {
    scope: awsStackScope({ env, region }),
    dir: terraformStackDir(awsStackScope({ env, region })),
    env,
    region,
    requiredVersion: REQUIRED_TERRAFORM_VERSION,
    providerConstraint: AWS_PROVIDER_CONSTRAINT,
    backend: backendPlan(settings, stateKey(settings.state.keyPrefix, env, region)),
    provider: providerPlan(settings, env, region, tags),
    clusters: [...targets]
      .sort((a, b) => compareStrings(a.cluster, b.cluster))
      .map((target) =>
        clusterPlan(target, {
          natPerZone: policy?.natPerZone ?? false,
          onDemandPercent: policy?.onDemandPercent ?? 0,
          eks,
          secretsManagerStores: settings.secretsManagerStores,
          tags,
        }),
      ),
  };
}

/** Every AWS stack, in target order (environment order, then wave, region). */
export function awsStackPlans(matrix: ResolvedMatrix, settings: ResolvedTerraformSettings): StackPlan[] {
  const byStack = new Map<string, ResolvedTarget[]>();
  for (const target of matrix.targets.filter((t) => t.cloud === 'aws')) {
    const key = awsStackScope(target);
    byStack.set(key, [...(byStack.get(key) ?? []), target]);
  }
  return [...byStack.values()].map((targets) =>
    stackPlan(matrix, settings, targets[0]!.env, targets[0]!.region, targets),
  );
}
