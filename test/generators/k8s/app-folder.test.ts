/**
 * App folders are composed from contributors (src/generators/app-folder.ts): composition checks the
 * contributors' objects against each other and writes them into one manifest.yaml plus the kustomization, and a
 * contributor registered from outside the k8s generator lands in every folder, kustomization and
 * NetworkPolicy without a change to the generator.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  composeAppFolder,
  type AppFolderContributor,
  type AppInput,
  type KubeObject,
} from '../../../src/generators/app-folder.ts';
import { GeneratorError } from '../../../src/generators/errors.ts';
import { MARKER, serialize, YAML_HEADER } from '../../../src/generators/serialize.ts';
import { K8S_CONTRIBUTORS } from '../../../src/generators/k8s/contributors.ts';
import {
  createK8sGenerator,
  k8sGenerator,
  K8S_GENERATOR_VERSION,
} from '../../../src/generators/k8s/index.ts';
import { appLabels, selectorLabels } from '../../../src/generators/k8s/labels.ts';
import { defineApp } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import type { ProvenanceStep } from '../../../src/matrix/types.ts';
import { crdsAvailable, validateAgainstCrd } from '../../support/crd-validate.ts';
import { kubectlAvailable, kustomizeBuild, parseYamlDocuments } from '../../support/kustomize.ts';
import {
  DIGEST,
  folder,
  objectAt,
  objectsIn,
  renderK8s,
  threeEnvApps,
  threeEnvMatrix,
  threeEnvPins,
  type K8sObject,
} from './helpers.ts';

const PROD = 'k8s/prod/aws/eu-west-1/main';
const crds = crdsAvailable();
const kubectl = kubectlAvailable();
const resolved = checkedMatrix(threeEnvMatrix(), threeEnvPins()).resolved;

/** The unit input of `app` on the prod target, as the k8s generator builds it. */
function prodInput(app: string): AppInput {
  const unit = k8sGenerator.units(resolved).find((u) => u.key === `${PROD}/${app}`);
  if (!unit) throw new Error(`no unit for ${app}`);
  return unit.input as AppInput;
}

/** A ConfigMap named `name`, in `namespace` (null: none). */
function configMap(name: string, namespace: string | null = 'api'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...(namespace !== null && { namespace }) },
    data: { owner: name },
  };
}

function contributor(name: string, objects: readonly KubeObject[]): AppFolderContributor {
  return { name, objects: () => objects };
}

function composeApi(contributors: readonly AppFolderContributor[]) {
  return composeAppFolder('k8s', { ...prodInput('api'), provenance: new Map() }, contributors);
}

function failure(run: () => unknown): GeneratorError {
  try {
    run();
  } catch (error) {
    if (error instanceof GeneratorError) return error;
    throw error;
  }
  throw new Error('composition succeeded');
}

describe('composing an app folder', () => {
  it('fails when two contributors render the same object, naming both, the object and the fix', () => {
    const error = failure(() =>
      composeApi([contributor('alpha', [configMap('shared')]), contributor('beta', [configMap('shared')])]),
    );
    expect(error.message).toBe(
      '[k8s] prod/aws/eu-west-1/main/api: ConfigMap api/shared is not unique: contributors "alpha" and "beta" both render it\n' +
        '    fix: rename the app or the value that names one of them, so "alpha" and "beta" render different names',
    );
  });

  it('fails when one contributor renders an object twice', () => {
    const error = failure(() => composeApi([contributor('alpha', [configMap('x'), configMap('x')])]));
    expect(error.message).toBe(
      '[k8s] prod/aws/eu-west-1/main/api: ConfigMap api/x is not unique: contributor "alpha" renders it twice\n' +
        '    fix: give each object a name of its own (e.g. rename the secret)',
    );
  });

  it('fails on an object outside the app’s namespace', () => {
    const error = failure(() => composeApi([contributor('alpha', [configMap('x', 'web')])]));
    expect(error.message).toBe(
      '[k8s] prod/aws/eu-west-1/main/api: ConfigMap web/x from contributor "alpha" is outside the app\'s namespace "api"\n' +
        '    fix: render it in metadata.namespace "api" (instance.app.namespace): an app folder holds the objects of one namespace',
    );
  });

  it('fails on a namespaced object without a namespace, and accepts a cluster-scoped one', () => {
    const error = failure(() => composeApi([contributor('alpha', [configMap('x', null)])]));
    expect(error.message).toBe(
      '[k8s] prod/aws/eu-west-1/main/api: ConfigMap x from contributor "alpha" has no metadata.namespace\n' +
        '    fix: set metadata.namespace to "api" (instance.app.namespace); only cluster-scoped kinds (ClusterRole, ClusterRoleBinding, ClusterSecretStore, CustomResourceDefinition, Namespace, PriorityClass, StorageClass) go without one',
    );
    const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'api' } };
    expect(composeApi([contributor('alpha', [namespace])]).map((f) => f.path)).toEqual([
      `${PROD}/api/kustomization.yaml`,
      `${PROD}/api/manifest.yaml`,
    ]);
  });

  it('writes every object into one manifest.yaml in kind order, then by name, whatever the contributor order', () => {
    const kinded = (kind: string, name: string) => ({ ...configMap(name), kind });
    const alpha = contributor('alpha', [
      configMap('zeta'),
      kinded('Zebra', 'a'),
      kinded('Deployment', 'api'),
      configMap('alpha'),
    ]);
    const beta = contributor('beta', [
      kinded('NetworkPolicy', 'api'),
      kinded('Secret', 'mid'),
      kinded('Aardvark', 'b'),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'api' } },
      kinded('ServiceAccount', 'api'),
      kinded('ExternalSecret', 'db'),
      kinded('Service', 'api'),
      kinded('PodDisruptionBudget', 'api'),
      kinded('HorizontalPodAutoscaler', 'api'),
    ]);
    const files = composeApi([beta, alpha]);
    expect(files).toEqual(composeApi([alpha, beta]));
    expect(files.map((f) => f.path.slice(`${PROD}/api/`.length))).toEqual([
      'kustomization.yaml',
      'manifest.yaml',
    ]);
    expect(files.every((f) => f.app === 'api')).toBe(true);
    expect(files[0]!.data).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: ['manifest.yaml'],
    });
    const objects = files[1]!.data as KubeObject[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/api',
      'ServiceAccount/api',
      'ConfigMap/alpha',
      'ConfigMap/zeta',
      'Secret/mid',
      'Service/api',
      'Deployment/api',
      'HorizontalPodAutoscaler/api',
      'PodDisruptionBudget/api',
      'NetworkPolicy/api',
      'ExternalSecret/db',
      'Aardvark/b',
      'Zebra/a',
    ]);
    expect(objects[3]).toEqual(configMap('zeta'));
  });

  it('writes the marker header once, above documents separated by ---', () => {
    const files = composeApi([contributor('alpha', [configMap('b'), configMap('a')])]);
    const text = serialize(files.find((f) => f.path.endsWith('/manifest.yaml'))!);
    expect(text.startsWith(YAML_HEADER)).toBe(true);
    expect(text.split(MARKER)).toHaveLength(2);
    expect(text.split(/^---$/m)).toHaveLength(2);
    expect(text.indexOf('name: a')).toBeLessThan(text.indexOf('name: b'));
  });

  it('hands every contributor the ingress all contributors ask for, in contributor order', () => {
    const seen: unknown[] = [];
    const asking = (name: string, namespace: string): AppFolderContributor => ({
      name,
      objects: (instance) => {
        seen.push(instance.ingress);
        return [];
      },
      ingress: () => [{ namespace, ports: [9090] }],
    });
    composeApi([asking('first', 'a'), asking('second', 'b')]);
    const expected = [
      { namespace: 'a', ports: [9090] },
      { namespace: 'b', ports: [9090] },
    ];
    expect(seen).toEqual([expected, expected]);
  });

  it('gives contributors the provenance of the app’s values, for messages naming the file to change', () => {
    const seen = new Map<string, unknown>();
    const spy: AppFolderContributor = {
      name: 'spy',
      objects: ({ target, app, provenance }) => {
        // By environment: a shared render's target has tokens for region and cluster (shared-render.ts).
        seen.set(`${target.env}/${app.name}`, provenance.get('scaling.min'));
        return [];
      },
    };
    const files = renderK8s(resolved, createK8sGenerator({ contributors: [spy] }));
    expect(objectAt(files, `${PROD}/api/kustomization.yaml`)).toMatchObject({ resources: ['manifest.yaml'] });
    expect(files.get(`${PROD}/api/manifest.yaml`)!.objects).toEqual([]);
    const steps = seen.get('prod/api') as ProvenanceStep[];
    expect(steps.map(({ layer, value }) => ({ layer, value }))).toEqual([
      { layer: 'app', value: 2 },
      { layer: 'environment', value: 6 },
    ]);
    expect(steps[0]!.source).toMatch(/^test\/generators\/k8s\/helpers\.ts:\d+$/);
    expect(steps[1]!.source).toMatch(/^test\/generators\/k8s\/helpers\.ts:\d+ \(overrides\[3\]\)$/);
  });

  it('turns a contributor’s library error into a GeneratorError naming target and app', () => {
    const broken: AppFolderContributor = {
      name: 'broken',
      objects: () => {
        throw new RangeError('replicas must be positive');
      },
    };
    expect(failure(() => composeApi([broken])).message).toBe(
      '[k8s] prod/aws/eu-west-1/main/api: replicas must be positive\n' +
        '    fix: check the values of this app (definition and overrides); `envmatrix validate` lists every problem the matrix rules know about',
    );
  });
});

describe('the k8s contributors against each other', () => {
  it('name both when an app called default-deny renders the policy its namespace owner renders too', () => {
    const apps = [
      ...threeEnvApps(),
      defineApp({ name: 'default-deny', image: 'ghcr.io/acme/dd', replicas: 3, ports: { http: 8080 } }),
    ];
    const pins = threeEnvPins({
      prod: { ...threeEnvPins().prod!.apps, 'default-deny': { tag: '1.0.0', digest: DIGEST } },
    });
    const matrix = threeEnvMatrix({
      apps: apps.map((app) =>
        app.name === 'default-deny' ? { ...app, placement: { include: [{ env: 'prod' }] } } : app,
      ),
    });
    const error = failure(() => renderK8s(checkedMatrix(matrix, pins).resolved));
    expect(error.message).toBe(
      '[k8s] prod/aws/eu-west-1/main/default-deny: NetworkPolicy default-deny/default-deny is not unique: contributors "namespace" and "network-policy" both render it\n' +
        '    fix: rename the app or the value that names one of them, so "namespace" and "network-policy" render different names',
    );
  });
});

/**
 * A toy ServiceMonitor contributor for apps with a `metrics` port, written as another generator would:
 * plain objects, no cdk8s. Prometheus (pods `app.kubernetes.io/name: prometheus` in `monitoring`) must
 * reach the port, which it asks for through `ingress`.
 */
const serviceMonitor: AppFolderContributor = {
  // Not 'service-monitor': that is the generator's own contributor now; the toy stays an outsider.
  name: 'toy-monitor',
  ingress: ({ app }) =>
    app.ports.metrics === undefined
      ? []
      : [
          {
            namespace: 'monitoring',
            podLabels: { 'app.kubernetes.io/name': 'prometheus' },
            ports: [app.ports.metrics],
          },
        ],
  objects: ({ app, target, settings }) =>
    app.ports.metrics === undefined
      ? []
      : [
          {
            apiVersion: 'monitoring.coreos.com/v1',
            kind: 'ServiceMonitor',
            metadata: {
              name: app.name,
              namespace: app.namespace,
              labels: appLabels(target, { name: app.name, version: app.values.image.tag }, settings.partOf),
            },
            spec: {
              endpoints: [{ interval: '30s', port: 'metrics' }],
              selector: { matchLabels: selectorLabels(target, app.name) },
            },
          },
        ],
};

describe('a contributor registered from outside the k8s generator', () => {
  const generator = createK8sGenerator({ contributors: [...K8S_CONTRIBUTORS, serviceMonitor] });
  const files = renderK8s(resolved, generator);
  const tmp: string[] = [];

  afterAll(async () => {
    await Promise.all(tmp.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('adds its object to the folders it renders for, and to their kustomization', () => {
    expect(objectAt(files, `${PROD}/api/ServiceMonitor/api`)).toEqual({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: 'api',
        namespace: 'api',
        labels: objectAt(files, `${PROD}/api/Rollout/api`).metadata.labels,
      },
      spec: {
        endpoints: [{ interval: '30s', port: 'metrics' }],
        selector: { matchLabels: objectAt(files, `${PROD}/api/Service/api`).spec?.selector },
      },
    });
    expect([...folder(files, `${PROD}/api`).keys()]).toEqual(['kustomization.yaml', 'manifest.yaml']);
    // An unlisted kind goes after the listed ones (ExternalSecret last of them).
    expect([...objectsIn(files, `${PROD}/api`).keys()].slice(-3)).toEqual([
      'ExternalSecret/api-db',
      'ExternalSecret/api-tls',
      'ServiceMonitor/api',
    ]);
    // web has no metrics port: nothing from the toy there.
    expect([...objectsIn(files, `${PROD}/web`).keys()]).not.toContain('ServiceMonitor/web');
  });

  it('opens the traffic it asks for in the app’s NetworkPolicy, after the declared edges', () => {
    const policy = objectAt(files, `${PROD}/api/NetworkPolicy/api`);
    const ingress = policy.spec?.ingress as unknown[];
    expect(ingress.at(-1)).toEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
        },
      ],
      ports: [{ port: 9090, protocol: 'TCP' }],
    });
    // The default generator's policy is the same without that last rule.
    const plain = objectAt(renderK8s(resolved), `${PROD}/api/NetworkPolicy/api`);
    expect(plain.spec).toEqual({ ...policy.spec, ingress: ingress.slice(0, -1) });
  });

  it('changes the generator version, so the render cache never mixes the two lists', () => {
    expect(k8sGenerator.version).toBe(K8S_GENERATOR_VERSION);
    expect(generator.version).toBe(
      `${K8S_GENERATOR_VERSION}+contributors.namespace.workload.cron-job.service.autoscaling.disruption-budget.service-monitor.pod-monitor.prometheus-rule.http-route.network-policy.external-secrets.migration.toy-monitor`,
    );
  });

  it.skipIf(!crds.available)('renders a ServiceMonitor the official CRD accepts', () => {
    expect(validateAgainstCrd(objectAt(files, `${PROD}/api/ServiceMonitor/api`))).toEqual([]);
  });

  it.skipIf(!kubectl.available)(
    'builds with kubectl kustomize into exactly the folder’s objects, the toy’s included',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'envmatrix-app-folder-'));
      tmp.push(dir);
      const api = folder(files, `${PROD}/api`);
      for (const [name, file] of api) await writeFile(join(dir, name), file.content);
      const built = await kustomizeBuild(dir);
      expect(built.stderr).toBe('');
      const identities = (objects: unknown[]) =>
        objects.map((o) => `${(o as K8sObject).kind}/${(o as K8sObject).metadata.name}`).sort();
      expect(identities(parseYamlDocuments(built.stdout))).toEqual(
        identities([...api.get('manifest.yaml')!.objects]),
      );
      expect(identities(parseYamlDocuments(built.stdout))).toContain('ServiceMonitor/api');
    },
  );
});
