import { describe, expect, it } from 'vitest';
import { fluxDuration } from '../../../src/generators/flux/duration.ts';
import { fluxGenerator } from '../../../src/generators/flux/index.ts';
import { defineApp } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import type { Duration, EnvironmentSpec, MatrixDefinition } from '../../../src/matrix/types.ts';
import { crdsAvailable } from '../../support/crd-validate.ts';
import { validateStrict } from '../../support/k8s-validate.ts';
import { DIGEST, fixtureMatrix, fixturePins } from '../../support/matrix-fixture.ts';
import { problemsWithFix } from '../../support/problems.ts';
import { dataAt, renderParsed, type FluxKustomizationDoc, type KustomizeFileDoc } from '../argocd/render.ts';

const crds = crdsAvailable();
const DIR = 'flux/prod/onprem/dc1/main/apps';

function render(change: Partial<MatrixDefinition> = {}) {
  const { resolved } = checkedMatrix(fixtureMatrix(change), fixturePins());
  return renderParsed(resolved, [fluxGenerator]);
}

function prodPolicy(change: NonNullable<EnvironmentSpec['policy']>): Record<string, EnvironmentSpec> {
  const base = fixtureMatrix().environments;
  return { ...base, prod: { ...base.prod, policy: { ...base.prod?.policy, ...change } } };
}

const problems = (change: Partial<MatrixDefinition>, pins = fixturePins()): string[] =>
  problemsWithFix(fixtureMatrix(change), pins);

describe('flux generator', () => {
  it('writes apps/ with a kustomization.yaml and one Kustomization per app, for Flux clusters only', () => {
    const files = render();
    expect([...files.values()].map((f) => [f.path, f.scope, f.app])).toEqual([
      [`${DIR}/kustomization.yaml`, 'prod/onprem/dc1/main', undefined],
      [`${DIR}/api.yaml`, 'prod/onprem/dc1/main', 'api'],
      [`${DIR}/worker.yaml`, 'prod/onprem/dc1/main', 'worker'],
    ]);
    expect(dataAt<KustomizeFileDoc>(files, `${DIR}/kustomization.yaml`)).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['api.yaml', 'worker.yaml'],
    });
  });

  it('applies the app folder from the bootstrap GitRepository, pruning, with cluster values', () => {
    const api = dataAt<FluxKustomizationDoc>(render(), `${DIR}/api.yaml`);
    expect(api.metadata).toEqual({
      name: 'api',
      namespace: 'flux-system',
      labels: {
        'app.kubernetes.io/managed-by': 'envmatrix',
        'envmatrix.io/env': 'prod',
        'envmatrix.io/app': 'api',
      },
    });
    expect(api.spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'flux-system' });
    expect(api.spec.path).toBe('./generated/k8s/prod/onprem/dc1/main/api');
    expect(api.spec.prune).toBe(true);
    expect(api.spec.postBuild).toEqual({
      substitute: {
        cluster_cloud: 'onprem',
        cluster_env: 'prod',
        cluster_id: 'prod/onprem/dc1/main',
        cluster_jurisdiction: 'eu',
        cluster_kubernetes_version: '1.30',
        cluster_name: 'main',
        cluster_region: 'dc1',
        cluster_wave: '2',
        cluster_zones: 'a,b,c',
      },
    });
  });

  it('turns app dependencies into dependsOn', () => {
    const files = render();
    expect(dataAt<FluxKustomizationDoc>(files, `${DIR}/api.yaml`).spec.dependsOn).toBeUndefined();
    expect(dataAt<FluxKustomizationDoc>(files, `${DIR}/worker.yaml`).spec.dependsOn).toEqual([
      { name: 'api' },
    ]);
  });

  it('health-checks the workload: a Deployment, or a Rollout read through CEL', () => {
    const files = render();
    const api = dataAt<FluxKustomizationDoc>(files, `${DIR}/api.yaml`);
    const worker = dataAt<FluxKustomizationDoc>(files, `${DIR}/worker.yaml`);
    expect(api.spec.healthChecks).toEqual([
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'api', namespace: 'api' },
    ]);
    expect(api.spec.healthCheckExprs).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        current: "status.phase == 'Healthy'",
        failed: "status.phase == 'Degraded'",
      },
    ]);
    expect(worker.spec.healthChecks).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker', namespace: 'worker' },
    ]);
    expect(worker.spec.healthCheckExprs).toBeUndefined();
    // wait: true would make Flux ignore healthChecks.
    expect(api.spec.wait).toBeUndefined();
  });

  it('takes the interval from the environment and adds a canary’s pauses to the timeout', () => {
    const byDefault = render();
    expect(dataAt<FluxKustomizationDoc>(byDefault, `${DIR}/api.yaml`).spec).toMatchObject({
      interval: '5m',
      timeout: '7m', // 5m, plus two 1m pauses (steps 10 and 50; none after 100)
    });
    expect(dataAt<FluxKustomizationDoc>(byDefault, `${DIR}/worker.yaml`).spec).toMatchObject({
      interval: '5m',
      timeout: '5m',
    });
    const slow = render({ environments: prodPolicy({ reconcileInterval: '1d' }) });
    expect(dataAt<FluxKustomizationDoc>(slow, `${DIR}/api.yaml`).spec).toMatchObject({
      interval: '24h',
      timeout: '1442m',
    });
    const fast = render({ environments: prodPolicy({ reconcileInterval: '30s' }) });
    expect(dataAt<FluxKustomizationDoc>(fast, `${DIR}/worker.yaml`).spec).toMatchObject({
      interval: '30s',
      timeout: '5m',
    });
  });

  it('renders the same bytes every time', () => {
    const first = [...render()].map(([path, file]) => [path, file.content, file.inputHash]);
    expect([...render()].map(([path, file]) => [path, file.content, file.inputHash])).toEqual(first);
  });

  it('matches the reviewed Kustomization of the fixture’s canary app', async () => {
    await expect(render().get(`${DIR}/api.yaml`)?.content).toMatchFileSnapshot(
      './__snapshots__/onprem-api-kustomization.yaml',
    );
  });

  it.skipIf(!crds.available)('validates every Kustomization with the model and the CRD', () => {
    const files = render();
    const objects = [...files]
      .filter(([path]) => !path.endsWith('/kustomization.yaml'))
      .map(([, f]) => f.data);
    expect(objects).toHaveLength(2);
    expect(objects.flatMap((obj) => validateStrict(obj))).toEqual([]);
    const api = dataAt<FluxKustomizationDoc>(files, `${DIR}/api.yaml`);
    expect(validateStrict({ ...api, spec: { ...api.spec, healthcheck: [] } })).toEqual([
      'Kustomization flux-system/api: .spec.healthcheck: unknown field',
    ]);
  });
});

describe('fluxDuration', () => {
  it('writes the units the Flux CRDs accept', () => {
    expect([300, 5400, 172_800, 45, 0.5, 3600].map(fluxDuration)).toEqual([
      '5m',
      '90m',
      '48h',
      '45s',
      '1s',
      '1h',
    ]);
  });
});

describe('delivery validation', () => {
  /** The fixture's pins with one more app pinned in dev and prod. */
  const pinsWithApp = (name: string) =>
    fixturePins({
      dev: { api: { tag: '1' }, worker: { tag: '1' }, [name]: { tag: '1' } },
      prod: {
        api: { tag: '1', digest: DIGEST },
        worker: { tag: '1', digest: DIGEST },
        [name]: { tag: '1', digest: DIGEST },
      },
    });

  it('refuses a manual environment with a Flux cluster, which cannot honour it', () => {
    expect(problems({ environments: prodPolicy({ sync: 'manual' }) })).toEqual([
      '[clusters[3] prod/onprem/dc1/main] engine flux cannot honour sync "manual" of environment "prod" (Flux applies every commit) | use engine "argocd" for this cluster, or set environments.prod.policy.sync to "automated"',
    ]);
  });

  it('refuses an app whose Kustomization name a migration of another app on the same Flux cluster takes', () => {
    const apps = [
      ...fixtureMatrix().apps.map((app) =>
        app.name === 'api' ? { ...app, migrate: { command: ['./migrate', 'up'] } } : app,
      ),
      defineApp({ name: 'api-migrate', image: 'x/y', replicas: 2 }),
    ];
    // Argo CD clusters name Applications per target and app, so only the Flux cluster clashes.
    expect(problems({ apps }, pinsWithApp('api-migrate'))).toEqual([
      '[clusters[3] prod/onprem/dc1/main] the migration of app "api" and app "api-migrate" would both be the Kustomization "api-migrate" in flux-system (one would replace the other) | rename one of the apps, or exclude one of them from prod/onprem/dc1/main in placement',
    ]);
  });

  it('refuses an app named like the bootstrap Kustomization on a Flux cluster', () => {
    const apps = [...fixtureMatrix().apps, defineApp({ name: 'flux-system', image: 'x/y', replicas: 2 })];
    expect(problems({ apps }, pinsWithApp('flux-system'))).toEqual([
      '[clusters[3] prod/onprem/dc1/main] app "flux-system" would replace the Kustomization flux bootstrap creates | rename the app, or exclude it from prod/onprem/dc1/main in placement',
    ]);
  });

  it('refuses a reconcile interval that is not a positive duration', () => {
    expect(problems({ environments: prodPolicy({ reconcileInterval: '0s' }) })).toEqual([
      '[environments.prod.policy.reconcileInterval] reconcileInterval "0s" is not a duration of at least 1s | write a number and a unit: 1m, 5m, 1h',
    ]);
    expect(problems({ environments: prodPolicy({ reconcileInterval: 'soon' as Duration }) })).toEqual([
      '[environments.prod.policy.reconcileInterval] reconcileInterval "soon" is not a duration of at least 1s | write a number and a unit: 1m, 5m, 1h',
    ]);
  });
});
