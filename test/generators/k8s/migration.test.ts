/**
 * Migrations (issue 13, "no migration step"): `migrate: { command, image? }` renders a Job that runs
 * before the new version rolls out. On Argo CD clusters it is a PreSync hook with a hook-delete policy;
 * on Flux clusters it sits in the app folder's `migrate/` subfolder, applied by a Kustomization of its
 * own with `wait: true` (and `force: true`: a Job's template is immutable) that the app's Kustomization
 * dependsOn. Its pods have labels of their own, so the app's Service never routes to them, and a
 * NetworkPolicy of their own with the app's declared egress.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { fluxGenerator } from '../../../src/generators/flux/index.ts';
import { explain } from '../../../src/matrix/explain.ts';
import { onprem } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import type { MatrixDefinition } from '../../../src/matrix/types.ts';
import { crdsAvailable, validateAgainstCrd } from '../../support/crd-validate.ts';
import { validateStrict } from '../../support/k8s-validate.ts';
import { NetworkPolicyModel, selects, type Endpoint } from '../../support/network-policy-eval.ts';
import { dataAt, renderParsed, type FluxKustomizationDoc } from '../argocd/render.ts';
import {
  DIGEST,
  folder,
  objectAt,
  objectsIn,
  problemsOf,
  renderValid,
  threeEnvMatrix,
  threeEnvPins,
  withApp,
} from './helpers.ts';

const ARGO = 'k8s/prod/aws/eu-west-1/main';
const FLUX = 'k8s/prod/onprem/dc1/main';
const FLUX_APPS = 'flux/prod/onprem/dc1/main/apps';
const crds = crdsAvailable();

function migrating(change: Partial<MatrixDefinition> = {}): MatrixDefinition {
  const base = threeEnvMatrix();
  return threeEnvMatrix({
    clusters: [
      ...base.clusters,
      onprem('prod', 'dc1', { engine: 'flux', zones: ['room-a', 'room-b', 'room-c'], jurisdiction: 'eu' }),
    ],
    apps: withApp('api', { migrate: { command: ['./migrate', 'up'] }, egress: { external: ['postgres'] } }),
    destinations: [{ name: 'postgres', cidrs: ['10.30.64.0/24'], ports: [5432] }],
    ...change,
  });
}

describe('migrations', () => {
  const files = renderValid(migrating(), threeEnvPins());

  it('on Argo CD, a Sync hook Job in the app folder, deleted before the next sync creates it (reviewed snapshot)', async () => {
    const job = objectAt(files, `${ARGO}/api/Job/api-migrate`);
    await expect(stringify(job)).toMatchFileSnapshot('__snapshots__/job-api-migrate.yaml');
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    });
    expect(validateStrict(job)).toEqual([]);
    const pod = job.spec?.template;
    expect(pod?.spec.containers[0]).toMatchObject({
      name: 'migrate',
      command: ['./migrate', 'up'],
      image: `ghcr.io/acme/api:1.4.2@${DIGEST}`,
    });
    expect(pod?.spec.containers[0]).not.toHaveProperty('ports');
    expect(pod?.spec.containers[0]).not.toHaveProperty('readinessProbe');
    expect(job.spec?.backoffLimit).toBe(1);
    expect(pod?.spec.serviceAccountName).toBe('api');
    // Nothing of the Job outside the app folder's manifest on Argo CD clusters.
    expect([...folder(files, `${ARGO}/api`).keys()]).toEqual(['kustomization.yaml', 'manifest.yaml']);
    expect(files.has(`${ARGO}/api/migrate/manifest.yaml`)).toBe(false);
  });

  it('on Argo CD, the workload and its autoscaler wait in wave 1; config and secrets go with the migration in wave 0', () => {
    // A PreSync hook would start before the sync applies the app's ExternalSecret and ConfigMap, and on
    // the app's first sync wait for them forever.
    const waves = [...objectsIn(files, `${ARGO}/api`)].map(([address, object]) => [
      address,
      object.metadata.annotations?.['argocd.argoproj.io/sync-wave'],
    ]);
    expect(waves.filter(([, wave]) => wave !== undefined)).toEqual([
      ['Rollout/api', '1'],
      ['HorizontalPodAutoscaler/api', '1'],
    ]);
    expect(waves.map(([address]) => address)).toEqual(
      expect.arrayContaining(['ConfigMap/api-config', 'ExternalSecret/api-db', 'Job/api-migrate']),
    );
  });

  it('never lets the app Service, PDB or autoscaler count a migration pod', () => {
    const job = objectAt(files, `${ARGO}/api/Job/api-migrate`);
    const labels = job.spec?.template?.metadata.labels ?? {};
    for (const address of [`${ARGO}/api/Service/api`, `${ARGO}/api/PodDisruptionBudget/api`]) {
      const object = objectAt(files, address);
      const selector = (object.spec?.selector as { matchLabels?: Record<string, string> }).matchLabels
        ? (object.spec?.selector as { matchLabels: Record<string, string> })
        : { matchLabels: object.spec?.selector as unknown as Record<string, string> };
      expect(selects(selector, labels), address).toBe(false);
    }
  });

  it('its pods reach the database and DNS only; nothing reaches them (evaluated over the rendered objects)', () => {
    const objects = [...files].filter(([path]) => path.startsWith(`${ARGO}/`)).flatMap(([, f]) => f.objects);
    const model = new NetworkPolicyModel(objects);
    const job = objectAt(files, `${ARGO}/api/Job/api-migrate`);
    const run: Endpoint = {
      pod: 'api-migrate-x1',
      namespace: 'api',
      labels: job.spec?.template?.metadata.labels ?? {},
    };
    const web: Endpoint = {
      pod: 'web',
      namespace: 'web',
      labels: objectAt(files, `${ARGO}/web/Rollout/web`).spec?.template?.metadata.labels ?? {},
    };
    expect(model.allows({ from: run, to: { ip: '10.30.64.9' }, port: 5432 })).toBe(true);
    expect(model.allows({ from: run, to: { ip: '10.30.64.9' }, port: 5433 })).toBe(false);
    expect(
      model.allows({
        from: run,
        to: { pod: 'dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
        port: 53,
        protocol: 'UDP',
      }),
    ).toBe(true);
    expect(model.allows({ from: run, to: { ip: '1.1.1.1' }, port: 443 })).toBe(false);
    // web depends on api and reaches api's pods, not the migration's.
    expect(model.allows({ from: web, to: run, port: 8080 })).toBe(false);
  });

  it('on Flux, the Job and its policy sit in migrate/, which the app folder does not list, and build on their own', () => {
    expect([...objectsIn(files, `${FLUX}/api/migrate`).keys()]).toEqual([
      'Job/api-migrate',
      'NetworkPolicy/api-migrate',
    ]);
    expect(objectsIn(files, `${FLUX}/api`).has('Job/api-migrate')).toBe(false);
    expect(objectAt(files, `${FLUX}/api/kustomization.yaml`)).toMatchObject({ resources: ['manifest.yaml'] });
    expect(objectAt(files, `${FLUX}/api/migrate/kustomization.yaml`)).toMatchObject({
      resources: ['manifest.yaml'],
    });
    // No Argo CD hook where Argo CD does not run.
    expect(objectAt(files, `${FLUX}/api/migrate/Job/api-migrate`).metadata.annotations).toBeUndefined();
  });

  it('on Flux, a Kustomization waits for the Job (wait, force) and the app Kustomization dependsOn it', () => {
    const { resolved } = checkedMatrix(migrating(), threeEnvPins());
    const flux = renderParsed(resolved, [fluxGenerator]);
    const migrate = dataAt<FluxKustomizationDoc & { spec: { force?: boolean } }>(
      flux,
      `${FLUX_APPS}/api-migrate.yaml`,
    );
    expect(migrate.spec).toMatchObject({
      path: `./generated/${FLUX}/api/migrate`,
      wait: true,
      force: true,
      prune: true,
    });
    expect(migrate.spec).not.toHaveProperty('healthChecks');
    // What the Job needs comes first, from a Kustomization that waits on nothing: on a new cluster the
    // Job's ServiceAccount, ConfigMap and Secrets exist before it runs.
    const base = dataAt<FluxKustomizationDoc>(flux, `${FLUX_APPS}/api-base.yaml`);
    expect(base.spec).toMatchObject({ path: `./generated/${FLUX}/api`, wait: true, prune: true });
    expect(base.spec).not.toHaveProperty('dependsOn');
    expect(migrate.spec.dependsOn).toEqual([{ name: 'api-base' }]);
    const baseKinds = [...objectsIn(files, `${FLUX}/api`).keys()].map((key) => key.split('/')[0]);
    expect(baseKinds).toEqual(expect.arrayContaining(['ConfigMap', 'ExternalSecret', 'ServiceAccount']));
    expect(baseKinds).not.toContain('Rollout');
    expect(baseKinds).not.toContain('HorizontalPodAutoscaler');
    // The app's own Kustomization rolls the workload out from workload/, after the migration.
    const api = dataAt<FluxKustomizationDoc>(flux, `${FLUX_APPS}/api.yaml`);
    expect(api.spec.dependsOn).toEqual([{ name: 'api-migrate' }]);
    expect(api.spec).toMatchObject({ path: `./generated/${FLUX}/api/workload` });
    expect([...objectsIn(files, `${FLUX}/api/workload`).keys()]).toEqual([
      'Rollout/api',
      'HorizontalPodAutoscaler/api',
    ]);
    const web = dataAt<FluxKustomizationDoc>(flux, `${FLUX_APPS}/web.yaml`);
    expect(web.spec.dependsOn).toEqual([{ name: 'api' }]);
    expect(dataAt<{ resources: string[] }>(flux, `${FLUX_APPS}/kustomization.yaml`).resources).toEqual([
      'api.yaml',
      'api-base.yaml',
      'api-migrate.yaml',
      'web.yaml',
      'worker.yaml',
    ]);
    if (crds.available) {
      expect(validateAgainstCrd(migrate)).toEqual([]);
      expect(validateAgainstCrd(base)).toEqual([]);
      expect(validateAgainstCrd(api)).toEqual([]);
    }
  });

  it('runs migrate.image at the app’s tag, by the pin’s migrateDigest when it has one; explain names the layer of each value', () => {
    const migrateDigest = `sha256:${'c'.repeat(64)}`;
    const pins = threeEnvPins();
    const prodApi = pins.prod!.apps.api!;
    const other = renderValid(
      migrating({
        apps: withApp('api', { migrate: { command: ['migrate'], image: 'ghcr.io/acme/api-migrations' } }),
        overrides: [
          ...(threeEnvMatrix().overrides ?? []),
          { env: 'prod', app: 'api', set: { migrate: { command: ['migrate', '--prod'] } } },
        ],
      }),
      { ...pins, prod: { ...pins.prod!, apps: { ...pins.prod!.apps, api: { ...prodApi, migrateDigest } } } },
    );
    // Staging's pin has a digest for the app's image, none for the migration image: by tag there.
    const staging = objectAt(other, `k8s/staging/gcp/europe-west1/main/api/Job/api-migrate`);
    // Pulled every time: a tag may move, though the app's own image in staging is pinned by digest.
    expect(staging.spec?.template?.spec.containers[0]).toMatchObject({
      image: 'ghcr.io/acme/api-migrations:1.5.0',
      command: ['migrate'],
      imagePullPolicy: 'Always',
    });
    const prod = objectAt(other, `${ARGO}/api/Job/api-migrate`);
    expect(prod.spec?.template?.spec.containers[0]).toMatchObject({
      image: `ghcr.io/acme/api-migrations:1.4.2@${migrateDigest}`,
      command: ['migrate', '--prod'],
      imagePullPolicy: 'IfNotPresent',
    });
    const { resolved } = checkedMatrix(
      migrating({
        overrides: [
          ...(threeEnvMatrix().overrides ?? []),
          { env: 'prod', app: 'api', set: { migrate: { command: ['migrate', '--prod'] } } },
        ],
      }),
      threeEnvPins(),
    );
    const { chains } = explain(resolved, 'prod/aws/eu-west-1/main', 'api', 'migrate');
    expect(chains.map((c) => [c.path, c.steps.map((s) => s.layer)])).toEqual([
      ['migrate.command', ['app', 'environment']],
    ]);
  });

  it('rejects a migration without a command, or with an image that carries a tag', () => {
    expect(
      problemsOf(
        threeEnvMatrix({
          // @ts-expect-error: a command written as one string, as a JavaScript matrix could
          apps: withApp('worker', { migrate: { command: './migrate up', image: 'ghcr.io/acme/worker:1.0' } }),
        }),
        threeEnvPins(),
      ).filter((p) => p.startsWith('[dev/')),
    ).toEqual([
      '[dev/aws/us-east-1/main/worker] migrate command "./migrate up" is not a list of words | write the command as a list, e.g. ["./migrate", "up"]',
      `[dev/aws/us-east-1/main/worker] migrate image "ghcr.io/acme/worker:1.0" is not an image repository | name a repository without tag or digest, e.g. ghcr.io/acme/api-migrations; it runs at the app's pinned tag`,
    ]);
  });
});
