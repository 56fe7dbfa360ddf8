/**
 * One stack's Terraform JSON from its plan: the S3 backend, the aws provider, and per cluster its
 * network, compute and outputs.
 */
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import { S3Backend, TerraformOutput, type TerraformStack } from 'cdktf';
import { addCompute } from './eks.ts';
import { addIdentity } from './identity.ts';
import { logicalName } from '../names.ts';
import { addNetwork } from './network.ts';
import type { BackendPlan, ProviderPlan, StackPlan } from './plan.ts';
import { synthesizeStack } from '../synth.ts';

/** Checks only real AWS answers; an emulator (moto, LocalStack) fails or stalls them. */
const EMULATOR_SKIPS = {
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: true,
  skip_region_validation: true,
} as const;

export function addBackend(stack: TerraformStack, plan: BackendPlan): void {
  const backend = new S3Backend(stack, {
    bucket: plan.bucket,
    key: plan.key,
    region: plan.region,
    encrypt: true,
    ...(plan.lockTable !== undefined && { dynamodbTable: plan.lockTable }),
  });
  // cdktf 0.21 predates these backend arguments (Terraform 1.6–1.10), so they go in as overrides.
  backend.addOverride('use_lockfile', true);
  if (Object.keys(plan.endpoints).length > 0) backend.addOverride('endpoints', plan.endpoints);
  if (plan.emulator) {
    backend.addOverride('use_path_style', true);
    for (const [key, value] of Object.entries(EMULATOR_SKIPS)) backend.addOverride(key, value);
  }
}

export function addProvider(stack: TerraformStack, plan: ProviderPlan): void {
  new AwsProvider(stack, 'aws', {
    region: plan.region,
    defaultTags: [{ tags: { ...plan.defaultTags } }],
    ...(Object.keys(plan.endpoints).length > 0 && { endpoints: [{ ...plan.endpoints }] }),
    ...(plan.assumeRole && {
      assumeRole: [{ roleArn: plan.assumeRole.roleArn, sessionName: plan.assumeRole.sessionName }],
    }),
    ...(plan.emulator && {
      s3UsePathStyle: true,
      skipCredentialsValidation: true,
      skipRequestingAccountId: true,
      skipMetadataApiCheck: 'true',
      skipRegionValidation: true,
    }),
  });
}

/** The Terraform and provider versions a stack admits. */
export function addRequirements(
  stack: TerraformStack,
  plan: { readonly requiredVersion: string; readonly providerConstraint: string },
): void {
  // The bindings pin the provider version they were generated from (aws 6.25); the stacks admit
  // every provider they are valid for instead.
  stack.addOverride('terraform.required_version', plan.requiredVersion);
  stack.addOverride('terraform.required_providers.aws', {
    source: 'hashicorp/aws',
    version: plan.providerConstraint,
  });
}

/** The stack's `main.tf.json` content. */
export function renderStack(plan: StackPlan): Record<string, unknown> {
  return synthesizeStack(plan.scope.replaceAll('/', '-'), (stack) => {
    addBackend(stack, plan.backend);
    addProvider(stack, plan.provider);
    addRequirements(stack, plan);
    // The account id, for ARNs of what the stack does not create (Secrets Manager secrets).
    const account = new DataAwsCallerIdentity(stack, 'current');
    account.overrideLogicalId('current');
    for (const cluster of plan.clusters) {
      const network = addNetwork(stack, cluster, plan.env);
      const { cluster: eks } = addCompute(stack, cluster, network);
      const { oidcProvider } = addIdentity(stack, cluster, plan.region, eks, account);
      const output = (name: string, value: string, description: string): void => {
        new TerraformOutput(stack, logicalName(cluster.name, name), { value, description }).overrideLogicalId(
          logicalName(cluster.name, name),
        );
      };
      output('cluster_name', eks.name, `EKS cluster of ${cluster.target}`);
      output('cluster_endpoint', eks.endpoint, `Kubernetes API endpoint of ${cluster.target}`);
      // What Argo CD (or kubectl) needs to register and trust the cluster.
      output(
        'cluster_certificate_authority_data',
        eks.certificateAuthority.get(0).data,
        `Base64 CA certificate of the Kubernetes API of ${cluster.target}`,
      );
      output('cluster_version', eks.version, `Kubernetes version of ${cluster.target}`);
      output(
        'cluster_security_group_id',
        eks.vpcConfig.clusterSecurityGroupId,
        `Security group EKS created for the control plane and nodes of ${cluster.target}`,
      );
      output('oidc_issuer_url', eks.identity.get(0).oidc.get(0).issuer, `OIDC issuer of ${cluster.target}`);
      output('oidc_provider_arn', oidcProvider.arn, `IAM OIDC provider (IRSA) of ${cluster.target}`);
      output('vpc_id', network.vpc.id, `VPC of ${cluster.target}`);
    }
  });
}
