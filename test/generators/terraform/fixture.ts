/**
 * A small matrix for the Terraform tests, independent of the example content (so its stacks change
 * only when the generator does): dev with one AWS cluster, prod with two AWS regions plus a GCP
 * cluster, no apps (stacks do not depend on them).
 */
import { checkedMatrix } from '../../../src/matrix/load.ts';
import { aws, defineMatrix, gcp } from '../../../src/matrix/index.ts';
import type { ClusterSpec, MatrixDefinition, TerraformSettings } from '../../../src/matrix/index.ts';
import type { ResolvedMatrix } from '../../../src/matrix/types.ts';

export const FIXTURE_TERRAFORM: TerraformSettings = {
  state: { bucket: 'acme-tfstate', region: 'eu-central-1' },
  costCentre: 'platform-1234',
};

export interface FixtureOptions {
  /** Environment names, e.g. unique ones for tests sharing one moto. @default { dev: 'dev', prod: 'prod' } */
  readonly envs?: { readonly dev: string; readonly prod: string };
  readonly terraform?: TerraformSettings;
  /** Replace the clusters (given the environment names). */
  readonly clusters?: (envs: { readonly dev: string; readonly prod: string }) => ClusterSpec[];
}

export function terraformFixture(options: FixtureOptions = {}): MatrixDefinition {
  const envs = options.envs ?? { dev: 'dev', prod: 'prod' };
  const { terraform = FIXTURE_TERRAFORM } = options;
  return defineMatrix({
    repo: { url: 'https://github.com/acme/platform.git' },
    terraform,
    environments: {
      [envs.dev]: { promotesTo: envs.prod },
      [envs.prod]: { policy: { minZones: 3, onDemandPercent: 30, natPerZone: true } },
    },
    clusters: options.clusters?.(envs) ?? [
      aws(envs.dev, 'us-east-1', {
        zones: ['us-east-1a', 'us-east-1b'],
        network: { vpcCidr: '10.10.0.0/16' },
      }),
      aws(envs.prod, 'us-east-1', {
        kubernetesVersion: '1.34',
        network: { vpcCidr: '10.30.0.0/16' },
        nodes: { min: 6, max: 30, desired: 9 },
      }),
      aws(envs.prod, 'eu-west-1', { network: { vpcCidr: '10.31.0.0/16' } }),
      gcp(envs.prod, 'europe-west1'),
    ],
    apps: [],
  });
}

/** The date the Terraform tests judge Kubernetes versions at (never the wall clock). */
export const FIXTURE_NOW = new Date('2026-11-30T12:00:00Z');

/** Resolve and validate at FIXTURE_NOW; throws MatrixError with every problem. */
export function resolveFixture(
  matrix: MatrixDefinition = terraformFixture(),
  now = FIXTURE_NOW,
): ResolvedMatrix {
  return checkedMatrix(matrix, {}, [], { now }).resolved;
}
