/**
 * The helpers users write the matrix with. They only record what was written and where; checking and
 * layering happen in validate.ts and resolve.ts, so every problem is reported at once.
 */
import type { Cloud, PublicCloud, RegionOf } from './regions.ts';
import { callerSource } from './source-location.ts';
import type {
  AppDefinition,
  AppSpec,
  BlueGreenStrategy,
  CanaryStrategy,
  ClusterOptions,
  ClusterSpec,
  MatrixDefinition,
  MatrixSpec,
  RollingStrategy,
} from './types.ts';

/** The whole matrix: repository, environments, clusters, apps and overrides. */
export function defineMatrix(spec: MatrixSpec): MatrixDefinition {
  return { ...spec, source: callerSource() };
}

/** An app: its image, ports, defaults for every value, placement and dependencies. */
export function defineApp(spec: AppSpec): AppDefinition {
  return { ...spec, source: callerSource() };
}

function cluster<C extends Cloud>(cloud: C) {
  return (env: string, region: RegionOf<C>, options: ClusterOptions = {}): ClusterSpec => ({
    ...options,
    env,
    cloud,
    region,
    source: callerSource(),
  });
}

/** A cluster on AWS; `region` must be an AWS region. */
export const aws = cluster<'aws'>('aws');
/** A cluster on Google Cloud; `region` must be a GCP region. */
export const gcp = cluster<'gcp'>('gcp');
/** A cluster on Azure; `region` must be an Azure region. */
export const azure = cluster<'azure'>('azure');
/** A cluster in your own data centre; `region` names the site. */
export const onprem = cluster<'onprem'>('onprem');

export type { PublicCloud };

/** Rolling update of a Deployment. */
export function rolling(options: Omit<RollingStrategy, 'kind'> = {}): RollingStrategy {
  return { kind: 'rolling', ...options };
}

/** Progressive traffic shift through an Argo Rollouts canary: weights in percent, a pause after each. */
export function canary(options: Omit<CanaryStrategy, 'kind'>): CanaryStrategy {
  return { kind: 'canary', ...options };
}

/** Argo Rollouts blue-green: a preview Service, then a switch of the active one. */
export function blueGreen(options: Omit<BlueGreenStrategy, 'kind'> = {}): BlueGreenStrategy {
  return { kind: 'blueGreen', ...options };
}
