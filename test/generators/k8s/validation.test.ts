/**
 * The matrix rules for what apps ask of Kubernetes (src/matrix/workload-validation.ts): each problem
 * with its exact path, message and fix, and the layer that set the offending value as its source.
 */
import { describe, expect, it } from 'vitest';
import { MatrixError } from '../../../src/matrix/errors.ts';
import { blueGreen, canary, rolling } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import type { AppDefinition, MatrixDefinition, Override } from '../../../src/matrix/types.ts';
import { problemsOf, threeEnvMatrix, threeEnvPins, withApp } from './helpers.ts';

function problems(change: Partial<MatrixDefinition>): string[] {
  return problemsOf(threeEnvMatrix(change), threeEnvPins());
}

function appProblems(name: string, change: Partial<AppDefinition>): string[] {
  return problems({ apps: withApp(name, change) });
}

/** Problems from one extra override, placed after the fixture's own. */
function overrideProblems(override: Override): string[] {
  const overrides = [...(threeEnvMatrix().overrides ?? []), override];
  return problems({ overrides });
}

describe('workload validation', () => {
  it('accepts the fixture', () => {
    expect(problems({})).toEqual([]);
  });

  it('wants IANA service names for ports', () => {
    expect(
      appProblems('worker', {
        ports: { Metrics: 9090, '1234': 9091, 'a-very-long-port-name': 9092, 'a--b': 9093 },
      }),
    ).toEqual(
      // Integer-like keys come first in any JavaScript object.
      ['1234', 'Metrics', 'a-very-long-port-name', 'a--b'].map(
        (name) =>
          `[apps.worker.ports] port name "${name}" is not an IANA service name | use at most 15 lowercase letters, digits and single "-", with at least one letter, e.g. http or grpc-web`,
      ),
    );
  });

  it('wants port numbers from 1 to 65535', () => {
    expect(appProblems('worker', { ports: { metrics: 0, admin: 70000, debug: 80.5 } })).toEqual(
      ['metrics" has number 0', 'admin" has number 70000', 'debug" has number 80.5'].map(
        (what) =>
          `[apps.worker.ports] port "${what}, not a port from 1 to 65535 | give a whole number from 1 to 65535`,
      ),
    );
  });

  it('reports a port name clash once per app', () => {
    expect(appProblems('api', { ports: { http: 8080, metrics: 9090, web: 8080 } })).toEqual([
      '[apps.api.ports] port names "http" and "web" clash: both name port 8080 | a container port has one name: keep "http" or "web", or give one of them another number',
    ]);
  });

  it('wants an app with ports to have a name a Service can take', () => {
    const apps = withApp('worker', { name: '9worker', dependsOn: [] });
    const pins = threeEnvPins(
      Object.fromEntries(
        ['dev', 'staging', 'prod'].map((env) => [
          env,
          { ...threeEnvPins()[env]!.apps, '9worker': { tag: '1', digest: `sha256:${'c'.repeat(64)}` } },
        ]),
      ),
    );
    expect(problemsOf(threeEnvMatrix({ apps }), pins).filter((p) => p.includes('Service'))).toEqual([
      '[apps.9worker.ports] app "9worker" has ports, so it gets a Service of its name, and Service names must start with a letter | rename the app so it starts with a letter',
    ]);
  });

  it('checks secret references: duplicates, store names, keys and properties', () => {
    expect(
      appProblems('api', {
        secrets: [
          { name: 'db', store: 'vault', key: 'api/db' },
          { name: 'db', store: 'Vault_Store', key: '' },
          { name: 'tls', store: 'vault', key: 'api/tls', property: 'a/b' },
        ],
      }),
    ).toEqual([
      '[apps.api.secrets] secret "db" is listed twice | give each secret reference its own name; one ExternalSecret syncs one Secret',
      '[apps.api.secrets] secret "db" names store "Vault_Store", which is not a ClusterSecretStore name | name the store in lowercase letters, digits, "-" and "."',
      '[apps.api.secrets] secret "db" has no key | give the key of the secret in the external store',
      '[apps.api.secrets] secret "tls" property "a/b" cannot be a key of a Kubernetes Secret | use letters, digits, "-", "_" and "." in property',
    ]);
  });

  it('wants scaling with both min and max, and points at the override that left one out', () => {
    const override: Override = { env: 'prod', app: 'worker', set: { scaling: { min: 3 } } };
    expect(overrideProblems(override)).toEqual([
      '[prod/aws/eu-west-1/main/worker] scaling has no max (scaling is {"min":3}) | give scaling both min and max; an override that sets only scaling.min should name the apps that scale with app: "…"',
    ]);
    const definition = threeEnvMatrix({ overrides: [...(threeEnvMatrix().overrides ?? []), override] });
    try {
      checkedMatrix(definition, threeEnvPins());
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MatrixError);
      expect((error as MatrixError).issues[0]?.source).toBe(`${definition.source} (overrides[6])`);
    }
  });

  it('wants a whole CPU target of at least 1%', () => {
    expect(appProblems('web', { scaling: { min: 3, max: 8, cpuPercent: 0.5 } })).toEqual(
      ['dev/aws/us-east-1/main', 'staging/gcp/europe-west1/main', 'prod/aws/eu-west-1/main'].map(
        (target) =>
          `[${target}/web] scaling.cpuPercent 0.5 is not a whole number ≥ 1 | give a CPU target such as 70`,
      ),
    );
  });

  it('wants rolling surge and unavailability as counts or percentages, not both zero', () => {
    const strategy = (maxSurge: string | number, maxUnavailable: string | number): Override => ({
      env: 'staging',
      app: 'web',
      set: { strategy: rolling({ maxSurge, maxUnavailable }) },
    });
    expect(overrideProblems(strategy('25', '150%'))).toEqual([
      '[staging/gcp/europe-west1/main/web] rolling maxSurge "25" is neither a whole number ≥ 0 nor a percentage | write a count such as 1 or a percentage such as "25%" for maxSurge',
      '[staging/gcp/europe-west1/main/web] rolling maxUnavailable "150%" is neither a whole number ≥ 0 nor a percentage | write a count such as 1 or a percentage such as "25%" for maxUnavailable',
    ]);
    expect(overrideProblems(strategy('0%', 0))).toEqual([
      '[staging/gcp/europe-west1/main/web] rolling maxSurge and maxUnavailable are both 0, so a rollout could never replace a pod | allow a surge (maxSurge: "25%") or an unavailable pod (maxUnavailable: 1)',
    ]);
    expect(overrideProblems(strategy(0, '10%'))).toEqual([]);
  });

  it('wants blue-green with at least one preview replica', () => {
    expect(
      overrideProblems({ env: 'prod', app: 'worker', set: { strategy: blueGreen({ previewReplicas: 0 }) } }),
    ).toEqual([
      '[prod/aws/eu-west-1/main/worker] blue-green previewReplicas 0 is not a whole number ≥ 1 | run at least 1 preview replica',
    ]);
  });

  it('wants ports for probes and for exposure', () => {
    expect(appProblems('worker', { ports: {}, probes: { liveness: '/healthz' }, expose: true })).toEqual(
      ['dev/aws/us-east-1/main', 'staging/gcp/europe-west1/main', 'prod/aws/eu-west-1/main'].flatMap(
        (target) => [
          `[${target}/worker] has HTTP probes but no ports for them to hit | give the app ports, or remove probes.readiness and probes.liveness`,
          `[${target}/worker] is exposed but has no ports to expose | give the app ports, or set expose: false`,
        ],
      ),
    );
  });

  it.each([
    ['a private key', '-----BEGIN RSA PRIVATE KEY-----\nMIIE'],
    ['an AWS access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['a JSON Web Token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
    ['a URL with a password', 'postgres://app:hunter2@db:5432/app'],
    ['a GitHub token', `ghp_${'x'.repeat(36)}`],
    ['a password or token assignment', 'host=db password=hunter2'],
  ])('rejects a config value that looks like %s, whatever its key', (what, value) => {
    expect(overrideProblems({ env: 'dev', app: 'worker', set: { config: { EXTRA: value } } })).toEqual([
      `[dev/aws/us-east-1/main/worker] config value of "EXTRA" looks like ${what} | move it to secrets as a reference {name, store, key}; secret values never go in the matrix`,
    ]);
  });

  it('keeps ordinary config values', () => {
    expect(
      overrideProblems({
        env: 'dev',
        app: 'worker',
        set: {
          config: {
            URL: 'http://api.api.svc.cluster.local:8080',
            FLAGS: '--password-file=/var/run/secrets/db/password',
          },
        },
      }),
    ).toEqual([]);
  });

  it('keeps a canary strategy as is (its steps are checked by validate.ts)', () => {
    expect(
      overrideProblems({
        env: 'dev',
        app: 'web',
        set: { strategy: canary({ steps: [10, 100], pause: '30s' }) },
      }),
    ).toEqual([]);
  });
});
