/**
 * A synthetic fleet for benchmarks: environments × clusters × apps with realistic apps (rolling
 * Deployments and canary/blue-green Rollouts, Services, HPAs, PDBs, NetworkPolicies along dependencies,
 * ConfigMaps, ExternalSecrets), built with the same define helpers users write.
 */
import {
  aws,
  azure,
  blueGreen,
  canary,
  defineApp,
  defineMatrix,
  gcp,
  onprem,
  rolling,
} from '../src/matrix/index.ts';
import type {
  AppDefinition,
  ClusterSpec,
  MatrixDefinition,
  Pin,
  PinsByEnvironment,
} from '../src/matrix/types.ts';

export interface FleetSize {
  readonly environments: number;
  /** Clusters per environment. */
  readonly clustersPerEnvironment: number;
  readonly apps: number;
}

const ENV_NAMES = ['dev', 'staging', 'prod', 'perf', 'canary', 'dr'];
const AWS_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-southeast-1',
] as const;
const GCP_REGIONS = ['us-central1', 'europe-west1', 'europe-west4', 'asia-southeast1'] as const;
const AZURE_REGIONS = ['eastus', 'westeurope', 'northeurope', 'southeastasia'] as const;

function clustersFor(env: string, count: number): ClusterSpec[] {
  const clusters: ClusterSpec[] = [];
  for (let i = 0; i < count; i++) {
    const wave = Math.min(i, 3);
    const name = `c${Math.floor(i / 14)}`;
    switch (i % 14 < 6 ? 'aws' : i % 14 < 10 ? 'gcp' : i % 14 < 13 ? 'azure' : 'onprem') {
      case 'aws':
        clusters.push(aws(env, AWS_REGIONS[i % 14]!, { name, wave }));
        break;
      case 'gcp':
        clusters.push(gcp(env, GCP_REGIONS[(i % 14) - 6]!, { name, wave }));
        break;
      case 'azure':
        clusters.push(azure(env, AZURE_REGIONS[(i % 14) - 10]!, { name, wave }));
        break;
      default:
        clusters.push(
          onprem(env, `dc${Math.floor(i / 14) + 1}`, { engine: 'flux', wave, zones: ['a', 'b', 'c'] }),
        );
    }
  }
  return clusters;
}

function appsFor(count: number): AppDefinition[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `app-${String(i).padStart(3, '0')}`;
    const strategy =
      i % 5 === 0 ? canary({ steps: [10, 50, 100], pause: '2m' }) : i % 7 === 0 ? blueGreen() : rolling();
    return defineApp({
      name,
      image: `ghcr.io/acme/${name}`,
      ports: { http: 8080, metrics: 9090 },
      resources: { cpu: '100m', memory: '128Mi' },
      probes: { readiness: '/ready', liveness: '/healthz', port: 'http' },
      scaling: { min: 3, max: 10 },
      strategy,
      config: { LOG_LEVEL: 'info', APP_INDEX: String(i) },
      // Each app depends on the one before it, which must serve what the edge opens.
      serves: ['http'],
      ...(i % 3 === 0 && { secrets: [{ name: `${name}-db`, store: 'vault', key: `${name}/db` }] }),
      ...(i > 0 && { dependsOn: [`app-${String(i - 1).padStart(3, '0')}`] }),
      expose: i % 4 === 0,
    });
  });
}

export function syntheticMatrix(size: FleetSize): MatrixDefinition {
  const envs = ENV_NAMES.slice(0, size.environments);
  return defineMatrix({
    repo: { url: 'https://github.com/acme/fleet.git' },
    environments: Object.fromEntries(
      envs.map((env, i) => [
        env,
        { ...(envs[i + 1] && { promotesTo: envs[i + 1] }), policy: { minReplicas: 3, minZones: 3 } },
      ]),
    ),
    clusters: envs.flatMap((env) => clustersFor(env, size.clustersPerEnvironment)),
    apps: appsFor(size.apps),
  });
}

const digest = (seed: string) => `sha256:${Buffer.from(seed.padEnd(32, '0').slice(0, 32)).toString('hex')}`;

export function syntheticPins(
  size: FleetSize,
  bump?: { env: string; app: string; tag: string },
): PinsByEnvironment {
  const envs = ENV_NAMES.slice(0, size.environments);
  return Object.fromEntries(
    envs.map((env) => {
      const apps: Record<string, Pin> = {};
      for (let i = 0; i < size.apps; i++) {
        const name = `app-${String(i).padStart(3, '0')}`;
        const tag = bump && bump.env === env && bump.app === name ? bump.tag : `1.${i}.0`;
        apps[name] = { tag, digest: digest(`${name}:${tag}`) };
      }
      return [env, { file: `src/environments/releases/${env}.json`, apps }];
    }),
  );
}
