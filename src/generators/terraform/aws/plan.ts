/**
 * AWS's stacks as plain data: one per environment and AWS region
 * (`generated/terraform/<env>/aws/<region>/`), holding every AWS cluster of that environment in that
 * region, with its S3 state key, provider settings, and each cluster's network and node groups.
 */
import { compareStrings } from '../../../core/compare.ts';
import { eksClusterName, iamRoleName } from '../../../matrix/clouds/aws/index.ts';
import type { AwsEndpointService } from '../../../matrix/clouds/aws/settings.ts';
import type { ResolvedTerraformSettings } from '../../../matrix/infrastructure.ts';
import type { ResolvedMatrix, ResolvedTarget } from '../../../matrix/types.ts';
import { GeneratorError } from '../../errors.ts';
import { terraformStackDir } from '../../paths.ts';
import { GENERATOR_NAME, MANAGED_BY, REQUIRED_TERRAFORM_VERSION, type CloudStackPlan } from '../cloud.ts';
import { splitNodes, subnetLayout, type NodeGroupPlan, type ZoneSubnets } from './layout.ts';

/** Admits the 5.100 provider (what the offline mirror and many lock files hold) and every 6.x. */
export const AWS_PROVIDER_CONSTRAINT = '>= 5.100.0, < 7.0.0';
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
  readonly roles: { readonly cluster: string; readonly nodes: string };
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
  return `${keyPrefix}/${env}/aws/${region}/terraform.tfstate`;
}

export function defaultTags(env: string, region: string, costCentre: string): Record<string, string> {
  return { environment: env, cloud: 'aws', region, 'cost-centre': costCentre, 'managed-by': MANAGED_BY };
}

/** The stack an AWS target belongs to. */
export function awsStackScope(target: Pick<ResolvedTarget, 'env' | 'region'>): string {
  return `${target.env}/aws/${target.region}`;
}

function pick(
  endpoints: Readonly<Partial<Record<AwsEndpointService, string>>>,
  services: readonly AwsEndpointService[],
): Partial<Record<AwsEndpointService, string>> {
  return Object.fromEntries(services.filter((s) => endpoints[s] !== undefined).map((s) => [s, endpoints[s]]));
}

function clusterPlan(target: ResolvedTarget, natPerZone: boolean, onDemandPercent: number): ClusterPlan {
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
  return {
    target: target.id,
    name: target.cluster,
    eksName: eksClusterName(target.env, target.cluster),
    kubernetesVersion: target.kubernetesVersion,
    roles: {
      cluster: iamRoleName(target.env, target.region, target.cluster, 'cluster'),
      nodes: iamRoleName(target.env, target.region, target.cluster, 'nodes'),
    },
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
  const roleArn = settings.assumeRoleArns[env];
  return {
    scope: awsStackScope({ env, region }),
    dir: terraformStackDir(awsStackScope({ env, region })),
    env,
    region,
    requiredVersion: REQUIRED_TERRAFORM_VERSION,
    providerConstraint: AWS_PROVIDER_CONSTRAINT,
    backend: {
      bucket: settings.state.bucket,
      key: stateKey(settings.state.keyPrefix, env, region),
      region: settings.state.region,
      ...(settings.state.lockTable !== undefined && { lockTable: settings.state.lockTable }),
      endpoints: pick(settings.endpoints, BACKEND_SERVICES),
      emulator: settings.emulator,
    },
    provider: {
      region,
      defaultTags: defaultTags(env, region, settings.costCentre),
      endpoints: settings.endpoints,
      emulator: settings.emulator,
      ...(roleArn !== undefined && {
        assumeRole: { roleArn, sessionName: `envmatrix-${env}-${region}` },
      }),
    },
    clusters: [...targets]
      .sort((a, b) => compareStrings(a.cluster, b.cluster))
      .map((target) => clusterPlan(target, policy?.natPerZone ?? false, policy?.onDemandPercent ?? 0)),
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
