/**
 * GCP in the model: `terraform.gcp` resolved and checked, machine types, and what a GKE cluster needs
 * of its entry (a Kubernetes minor its release channel offers, a network block with room for the pod
 * range). The clock is injectable so the version rules can be tested on any date.
 */
import { parseCidr } from '../../infrastructure.ts';
import type { ResolvedNodes, TerraformSettings } from '../../infrastructure.ts';
import type { MatrixDefinition, ResolvedTarget } from '../../types.ts';
import type { CloudInfrastructure, ClusterCheckContext, ClusterReport, SettingsReport } from '../types.ts';
import { GKE_RELEASE_CHANNELS, type GkeReleaseChannel, type ResolvedGcpSettings } from './settings.ts';
import { checkGkeVersion } from './versions.ts';

export const DEFAULT_GCP_STATE_PREFIX = 'envmatrix';
export const DEFAULT_GKE_RELEASE_CHANNEL: GkeReleaseChannel = 'REGULAR';
export const DEFAULT_GCP_MACHINE_TYPES: readonly string[] = ['n2-standard-4'];
/**
 * Smallest cluster block: the pod range takes half of it and GKE gives each node a /24 of pods, so a
 * /19 leaves 16 nodes.
 */
export const GCP_MAX_BLOCK_PREFIX = 19;

/** GKE cluster name: unique per project and location, so the environment is part of it. */
export function gkeClusterName(env: string, cluster: string): string {
  return `${env}-${cluster}`;
}
/** GKE cluster names: lowercase letters, digits and "-", at most 40 characters. */
export const GKE_NAME_MAX = 40;

function perEnvironment<T extends string>(
  value: T | Readonly<Record<string, T>> | undefined,
  fallback: T | undefined,
  environments: readonly string[],
): Record<string, T> {
  return Object.fromEntries(
    environments.flatMap((env) => {
      const picked = typeof value === 'string' ? value : (value?.[env] ?? fallback);
      return picked === undefined ? [] : [[env, picked]];
    }),
  );
}

export function resolveGcpSettings(
  settings: TerraformSettings,
  environments: readonly string[],
): ResolvedGcpSettings | undefined {
  const gcp = settings.gcp;
  if (!gcp) return undefined;
  return {
    state: { bucket: gcp.state.bucket, prefix: gcp.state.prefix ?? DEFAULT_GCP_STATE_PREFIX },
    projects: perEnvironment(gcp.project, undefined, environments),
    releaseChannels: perEnvironment(gcp.releaseChannel, DEFAULT_GKE_RELEASE_CHANNEL, environments),
  };
}

const GCS_BUCKET = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** GCP label values: lowercase letters, digits, "_" and "-", at most 63. */
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;
const MACHINE_TYPE = /^[a-z][a-z0-9]*-[a-z0-9-]+$/;
const PREFIX = /^[^/](.*[^/])?$/;

function validateSettings(matrix: MatrixDefinition, settings: TerraformSettings, at: SettingsReport): void {
  const gcp = settings.gcp;
  if (!gcp) return;
  const envs = Object.keys(matrix.environments);
  if (!GCS_BUCKET.test(gcp.state.bucket) || gcp.state.bucket.includes('..')) {
    at(
      'gcp.state.bucket',
      `${JSON.stringify(gcp.state.bucket)} is not a GCS bucket name`,
      'use 3–63 lowercase letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
    );
  }
  if (gcp.state.prefix !== undefined && (!PREFIX.test(gcp.state.prefix) || gcp.state.prefix.includes('//'))) {
    at(
      'gcp.state.prefix',
      `${JSON.stringify(gcp.state.prefix)} is not a state prefix`,
      'write folder names joined by "/", without a leading or trailing "/", e.g. "platform/envmatrix"',
    );
  }
  const entries = (value: string | Readonly<Record<string, string>> | undefined, path: string) =>
    typeof value === 'string'
      ? [{ path, env: undefined, value }]
      : Object.entries(value ?? {}).map(([env, v]) => ({ path: `${path}.${env}`, env, value: v }));
  for (const { path, env, value } of [
    ...entries(gcp.project, 'gcp.project'),
    ...entries(gcp.releaseChannel, 'gcp.releaseChannel'),
  ]) {
    if (env !== undefined && !envs.includes(env))
      at(path, `names unknown environment "${env}"`, `use one of: ${envs.join(', ')}`);
    if (path.startsWith('gcp.project') && !PROJECT_ID.test(value))
      at(
        path,
        `${JSON.stringify(value)} is not a GCP project id`,
        'use 6–30 lowercase letters, digits and "-", starting with a letter',
      );
    if (path.startsWith('gcp.releaseChannel') && !(GKE_RELEASE_CHANNELS as readonly string[]).includes(value))
      at(
        path,
        `${JSON.stringify(value)} is not a GKE release channel`,
        `use one of ${GKE_RELEASE_CHANNELS.join(', ')}`,
      );
  }
  if (!LABEL_VALUE.test(settings.costCentre)) {
    at(
      'costCentre',
      `${JSON.stringify(settings.costCentre)} is not a GCP label value, which terraform.gcp needs`,
      'use at most 63 lowercase letters, digits, "_" and "-"',
    );
  }
}

function validateNodes(nodes: ResolvedNodes, _onDemandPercent: number, at: ClusterReport): void {
  if (nodes.instanceTypes.length === 0)
    at('nodes.instanceTypes is empty', 'list a Compute Engine machine type, e.g. ["n2-standard-4"]');
  for (const type of nodes.instanceTypes.filter((t) => !MACHINE_TYPE.test(t)))
    at(
      `nodes.instanceTypes has ${JSON.stringify(type)}, which is not a Compute Engine machine type`,
      'write types such as n2-standard-4',
    );
  if (nodes.instanceTypes.length > 1)
    at(
      `nodes.instanceTypes lists ${nodes.instanceTypes.length} types; a GKE node pool has one machine type`,
      `keep one type, e.g. ["${nodes.instanceTypes[0]}"]`,
    );
}

/** The GCP rules of a cluster that gets a stack; `today` judges the version table. */
export function gcpStackClusterRules(
  today: () => Date,
): (target: ResolvedTarget, at: ClusterReport, context: ClusterCheckContext) => void {
  return (target, at, { settings }) => {
    const resolved = resolveGcpSettings(settings, [target.env]);
    if (resolved && resolved.projects[target.env] === undefined) {
      at(
        `has no GCP project: terraform.gcp.project names none for ${target.env}`,
        `add ${target.env} to terraform.gcp.project, or give one project id for every environment`,
      );
    }
    const channel = resolved?.releaseChannels[target.env] ?? DEFAULT_GKE_RELEASE_CHANNEL;
    const version = checkGkeVersion(target.kubernetesVersion, channel, today());
    if (!version.ok) at(version.message, version.fix);
    const block = target.network ? parseCidr(target.network.vpcCidr) : undefined;
    if (block && block.prefix > GCP_MAX_BLOCK_PREFIX) {
      at(
        `network.vpcCidr ${target.network!.vpcCidr} is a /${block.prefix}; a GKE cluster's block is /16 to /${GCP_MAX_BLOCK_PREFIX} (half of it is the pod range, a /24 per node)`,
        `use a /16, or at least a /${GCP_MAX_BLOCK_PREFIX}`,
      );
    }
    const name = gkeClusterName(target.env, target.cluster);
    if (name.length > GKE_NAME_MAX) {
      at(
        `GKE cluster name ${name} has ${name.length} characters; GKE allows ${GKE_NAME_MAX}`,
        'shorten the environment or cluster name',
      );
    }
  };
}

/** The GCP plugin, judging versions against `today` (tests pass a fixed date). */
export function gcpInfrastructureAt(today: () => Date): CloudInfrastructure {
  return {
    cloud: 'gcp',
    defaultInstanceTypes: DEFAULT_GCP_MACHINE_TYPES,
    resolveSettings: (settings, environments) => {
      const gcp = resolveGcpSettings(settings, environments);
      return gcp ? { gcp } : {};
    },
    validateSettings,
    validateNodes,
    validateStackCluster: gcpStackClusterRules(today),
    stacksEnabled: (settings) => settings.gcp !== undefined,
  };
}

export const gcpInfrastructure: CloudInfrastructure = gcpInfrastructureAt(() => new Date());
