/**
 * A small valid matrix for tests, built with the same helpers users write, plus its pins. Tests change
 * one thing and assert the exact problem reported.
 */
import { aws, canary, defineApp, defineMatrix, gcp, onprem } from '../../src/matrix/index.ts';
import { pinsFilePath } from '../../src/matrix/pins.ts';
import type { AppDefinition, MatrixDefinition, Pin, PinsByEnvironment } from '../../src/matrix/types.ts';

export const DIGEST = `sha256:${'a'.repeat(64)}`;

export function fixtureApps(): AppDefinition[] {
  return [
    defineApp({
      name: 'api',
      image: 'ghcr.io/acme/api',
      ports: { http: 8080 },
      // worker depends on api: an edge to an app that serves nothing is rejected.
      serves: ['http'],
      scaling: { min: 2, max: 6 },
      strategy: canary({ steps: [10, 50, 100], pause: '1m' }),
    }),
    defineApp({ name: 'worker', image: 'ghcr.io/acme/worker', replicas: 2, dependsOn: ['api'] }),
  ];
}

export function fixtureMatrix(change: Partial<MatrixDefinition> = {}): MatrixDefinition {
  const base = defineMatrix({
    repo: { url: 'https://github.com/acme/platform.git' },
    environments: {
      dev: { promotesTo: 'prod' },
      prod: { policy: { minReplicas: 2, minZones: 3, requireDigest: true } },
    },
    clusters: [
      aws('dev', 'us-east-1'),
      aws('prod', 'eu-west-1', { wave: 0 }),
      gcp('prod', 'europe-west1', { wave: 1 }),
      onprem('prod', 'dc1', { engine: 'flux', zones: ['a', 'b', 'c'], jurisdiction: 'eu', wave: 2 }),
    ],
    apps: fixtureApps(),
  });
  return { ...base, ...change };
}

/** Pins as `readPins` returns them: each environment's apps, in the file where the project keeps them. */
export function pinsByEnvironment(apps: Record<string, Record<string, Pin>>): PinsByEnvironment {
  return Object.fromEntries(
    Object.entries(apps).map(([env, pins]) => [env, { file: pinsFilePath(env), apps: pins }]),
  );
}

export function fixturePins(change: Record<string, Record<string, Pin>> = {}): PinsByEnvironment {
  return pinsByEnvironment({
    dev: { api: { tag: '1.1.0' }, worker: { tag: '0.2.0' } },
    prod: { api: { tag: '1.0.0', digest: DIGEST }, worker: { tag: '0.1.0', digest: DIGEST } },
    ...change,
  });
}

/** The fixture's pins with `waves` added to one environment (a rollout under way there). */
export function withWavePins(
  pins: PinsByEnvironment,
  env: string,
  waves: Record<string, Record<string, Pin>>,
): PinsByEnvironment {
  const envPins = pins[env] ?? { file: pinsFilePath(env), apps: {} };
  return { ...pins, [env]: { ...envPins, waves } };
}
