/**
 * Rendering the k8s generator in memory and reading its YAML back, plus a three-environment matrix
 * (dev, staging, prod) shaped like the example, with its own fixed pins so snapshots only change when
 * the generator does.
 */
import { parse } from 'yaml';
import { compose, type RenderedFile } from '../../../src/generators/index.ts';
import { k8sGenerator } from '../../../src/generators/k8s/index.ts';
import type { Generator } from '../../../src/generators/types.ts';
import { aws, blueGreen, canary, defineApp, defineMatrix, gcp, rolling } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import { resolveMatrix } from '../../../src/matrix/resolve.ts';
import type {
  AppDefinition,
  MatrixDefinition,
  Pin,
  PinsByEnvironment,
  ResolvedMatrix,
} from '../../../src/matrix/types.ts';

/** The fields of Kubernetes objects the tests read. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: Record<string, unknown> & {
    replicas?: number;
    template?: PodTemplate;
    selector?: { matchLabels: Record<string, string> };
  };
  data?: Record<string, string>;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    containers: {
      name: string;
      image: string;
      imagePullPolicy: string;
      resources: unknown;
      securityContext: unknown;
      ports?: { name: string; containerPort: number }[];
      readinessProbe?: unknown;
      livenessProbe?: unknown;
      volumeMounts: unknown[];
      envFrom?: unknown[];
    }[];
    topologySpreadConstraints?: unknown[];
    serviceAccountName: string;
    volumes: unknown[];
    [key: string]: unknown;
  };
}

export interface ParsedFile extends RenderedFile {
  readonly object: K8sObject;
}

/** Every k8s file by path, with the YAML parsed; `generator` for one with other contributors. */
export function renderK8s(
  matrix: ResolvedMatrix,
  generator: Generator = k8sGenerator,
): Map<string, ParsedFile> {
  return new Map(
    [...compose(matrix, { generators: [generator] })].map(([path, file]) => [
      path,
      { ...file, object: parse(file.content) as K8sObject },
    ]),
  );
}

/** The object in `path`; throws with the paths there are when it is missing. */
export function objectAt(files: ReadonlyMap<string, ParsedFile>, path: string): K8sObject {
  const file = files.get(path);
  if (!file) throw new Error(`no file ${path}; have:\n  ${[...files.keys()].join('\n  ')}`);
  return file.object;
}

/** The files of one app folder, by file name. */
export function folder(files: ReadonlyMap<string, ParsedFile>, dir: string): Map<string, ParsedFile> {
  return new Map(
    [...files]
      .filter(([path]) => path.startsWith(`${dir}/`) && !path.slice(dir.length + 1).includes('/'))
      .map(([path, file]) => [path.slice(dir.length + 1), file]),
  );
}

export const DIGEST = `sha256:${'b'.repeat(64)}`;

export function threeEnvApps(): AppDefinition[] {
  return [
    defineApp({
      name: 'api',
      image: 'ghcr.io/acme/api',
      ports: { http: 8080, metrics: 9090 },
      resources: { cpu: '200m', memory: '256Mi' },
      probes: { readiness: '/ready', liveness: '/healthz', port: 'http' },
      scaling: { min: 2, max: 10, cpuPercent: 70 },
      strategy: canary({ steps: [5, 20, 50, 100], pause: '5m' }),
      config: { LOG_LEVEL: 'info' },
      secrets: [
        { name: 'api-db', store: 'vault', key: 'api/db', property: 'password' },
        { name: 'api-tls', store: 'vault', key: 'api/tls' },
      ],
    }),
    defineApp({
      name: 'web',
      image: 'ghcr.io/acme/web',
      ports: { http: 8080 },
      probes: { readiness: '/ready', liveness: '/healthz' },
      scaling: { min: 2, max: 8, cpuPercent: 75 },
      strategy: rolling({ maxSurge: '25%', maxUnavailable: 0 }),
      expose: true,
      dependsOn: ['api'],
      config: { API_URL: 'http://api.api.svc.cluster.local:8080' },
    }),
    defineApp({
      name: 'worker',
      image: 'ghcr.io/acme/worker',
      ports: { metrics: 9090 },
      resources: { cpu: '250m', memory: '512Mi', memoryLimit: '1Gi', cpuLimit: '1' },
      replicas: 2,
      dependsOn: ['api'],
      config: { QUEUE: 'jobs' },
    }),
  ];
}

export function threeEnvMatrix(change: Partial<MatrixDefinition> = {}): MatrixDefinition {
  const base = defineMatrix({
    repo: { url: 'https://github.com/acme/platform.git' },
    environments: {
      dev: { promotesTo: 'staging' },
      staging: { promotesTo: 'prod', policy: { minReplicas: 2, minZones: 2 } },
      prod: { policy: { minReplicas: 3, minZones: 3, requireDigest: true } },
    },
    clusters: [aws('dev', 'us-east-1'), gcp('staging', 'europe-west1'), aws('prod', 'eu-west-1')],
    apps: threeEnvApps(),
    overrides: [
      { env: 'dev', app: 'api', set: { scaling: { min: 1 } } },
      { env: 'dev', app: 'web', set: { scaling: { min: 1 } } },
      { env: 'dev', app: 'worker', set: { replicas: 1 } },
      { env: 'prod', app: 'api', set: { scaling: { min: 6, max: 30 } } },
      { env: 'prod', app: 'web', set: { scaling: { min: 3 }, strategy: blueGreen() } },
      { env: 'prod', app: 'worker', set: { replicas: 3 } },
    ],
  });
  return { ...base, ...change };
}

export function threeEnvPins(change: Record<string, Record<string, Pin>> = {}): PinsByEnvironment {
  const apps: Record<string, Record<string, Pin>> = {
    dev: { api: { tag: '1.6.0' }, web: { tag: '2.2.0' }, worker: { tag: '0.9.0' } },
    staging: { api: { tag: '1.5.0', digest: DIGEST }, web: { tag: '2.1.0' }, worker: { tag: '0.8.1' } },
    prod: {
      api: { tag: '1.4.2', digest: DIGEST },
      web: { tag: '2.0.1', digest: DIGEST },
      worker: { tag: '0.8.0', digest: DIGEST },
    },
    ...change,
  };
  return Object.fromEntries(
    Object.entries(apps).map(([env, pins]) => [
      env,
      { file: `src/environments/releases/${env}.json`, apps: pins },
    ]),
  );
}

/** The k8s files of a valid matrix (validation must pass). */
export function renderValid(definition: MatrixDefinition, pins: PinsByEnvironment): Map<string, ParsedFile> {
  return renderK8s(checkedMatrix(definition, pins).resolved);
}

/** Resolve without validating: what the generator sees when something slips past validation. */
export function resolveUnchecked(definition: MatrixDefinition, pins: PinsByEnvironment): ResolvedMatrix {
  return resolveMatrix(definition, pins);
}

/** Every validation problem as `[path] message | fix`, or [] when the matrix is valid. */
export { problemsWithFix as problemsOf } from '../../support/problems.ts';

/** An app of the three-environment matrix replaced by `change`. */
export function withApp(name: string, change: Partial<AppDefinition>): AppDefinition[] {
  return threeEnvApps().map((app) => (app.name === name ? { ...app, ...change } : app));
}
