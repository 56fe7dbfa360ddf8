/**
 * AWS's part of the infrastructure model: where state lives (S3), how the provider reaches AWS
 * (endpoints, emulator, assumed roles). Types only, so src/matrix/infrastructure.ts and types.ts can
 * name them without importing the rules (which import them back).
 */
import type { RegionOf } from '../../regions.ts';

/** AWS services the stacks and their state backend call; the keys of `terraform.endpoints`. */
export const AWS_ENDPOINT_SERVICES = ['dynamodb', 'ec2', 'eks', 'iam', 's3', 'sts'] as const;
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
}
