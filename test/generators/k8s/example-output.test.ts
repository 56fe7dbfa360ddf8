/**
 * The whole example's generated/k8s, synthesized into a temp folder and judged by the real parts: every
 * object against the Kubernetes schemas (kubernetes-models) and, for Rollouts and ExternalSecrets, the
 * official CRDs; every app folder through `kubectl kustomize`, which must give back exactly the objects
 * of the folder's manifest.yaml (what Argo CD and Flux apply).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareManifestObjects, type KubeObject } from '../../../src/generators/app-folder.ts';
import { k8sGenerator } from '../../../src/generators/k8s/index.ts';
import { MARKER, YAML_HEADER } from '../../../src/generators/serialize.ts';
import { loadMatrix } from '../../../src/matrix/load.ts';
import type { ResolvedMatrix } from '../../../src/matrix/types.ts';
import { synth } from '../../../src/output/synth.ts';
import { readTree } from '../../../src/output/tree.ts';
import { crdsAvailable } from '../../support/crd-validate.ts';
import { validateStrict } from '../../support/k8s-validate.ts';
import { kubectlAvailable, kustomizeBuild, parseYamlDocuments } from '../../support/kustomize.ts';
import { projectRoot } from '../../support/tools.ts';
import type { K8sObject } from './helpers.ts';

const kubectl = kubectlAvailable();
const crds = crdsAvailable();

const APP_LABEL_KEYS = [
  'app.kubernetes.io/instance',
  'app.kubernetes.io/managed-by',
  'app.kubernetes.io/name',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/version',
  'envmatrix.io/cloud',
  'envmatrix.io/cluster',
  'envmatrix.io/env',
  'envmatrix.io/region',
];

function identity(object: K8sObject): string {
  return `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

describe('the example matrix rendered by the k8s generator', () => {
  let matrix: ResolvedMatrix;
  let outDir: string;
  /** `k8s/…/<app>/manifest.yaml#<Kind>/<name>` → parsed object, in file order. */
  const objects = new Map<string, K8sObject>();
  const kustomizations = new Map<string, { resources: string[] }>();
  /** k8s/… path → content. */
  const texts = new Map<string, string>();

  beforeAll(async () => {
    matrix = (await loadMatrix({ root: projectRoot })).resolved;
    outDir = await mkdtemp(join(tmpdir(), 'envmatrix-k8s-'));
    await synth(matrix, { outDir: join(outDir, 'generated'), generators: [k8sGenerator] });
    for (const [path, content] of await readTree(join(outDir, 'generated'))) {
      if (!path.startsWith('k8s/')) continue;
      texts.set(path, content);
      const dir = path.slice(0, path.lastIndexOf('/'));
      if (path.endsWith('/kustomization.yaml'))
        kustomizations.set(dir, parse(content) as { resources: string[] });
      else
        for (const doc of parseAllDocuments(content)) {
          const object = doc.toJSON() as K8sObject;
          objects.set(`${path}#${object.kind}/${object.metadata.name}`, object);
        }
    }
  });

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  const appDirs = (): string[] => matrix.targets.flatMap((t) => t.apps.map((a) => `k8s/${t.id}/${a.name}`));
  /** Every folder with a kustomization: the app folders, and on Flux clusters each migration's `migrate/`. */
  const folders = (): string[] =>
    matrix.targets.flatMap((t) =>
      t.apps.flatMap((a) => [
        `k8s/${t.id}/${a.name}`,
        ...(t.engine === 'flux' && a.values.migrate
          ? [`k8s/${t.id}/${a.name}/migrate`, `k8s/${t.id}/${a.name}/workload`]
          : []),
      ]),
    );
  /** The objects of one folder's own manifest.yaml (not its subfolders'). */
  const objectsOf = (dir: string): K8sObject[] =>
    [...objects].filter(([path]) => path.startsWith(`${dir}/manifest.yaml#`)).map(([, object]) => object);
  const isMigration = (object: K8sObject): boolean =>
    object.metadata.labels?.['app.kubernetes.io/component'] === 'migration';

  it('writes one folder per target and app placed there, each with a kustomization.yaml', () => {
    expect([...kustomizations.keys()].sort()).toEqual(folders().sort());
    // 7 targets × api, report and web, 6 × worker (not on-prem), plus api's migrate/ and workload/ on
    // the Flux cluster.
    expect(appDirs()).toHaveLength(27);
    expect(folders()).toHaveLength(29);
  });

  it.skipIf(!crds.available)(
    'validates every object against the Kubernetes schemas, and Rollouts and ExternalSecrets against the CRDs',
    () => {
      const problems = [...objects].flatMap(([path, object]) =>
        validateStrict(object).map((p) => `${path}: ${p}`),
      );
      expect(problems).toEqual([]);
      const kinds = new Set([...objects.values()].map((o) => `${o.apiVersion} ${o.kind}`));
      expect([...kinds].sort()).toEqual([
        'apps/v1 Deployment',
        'argoproj.io/v1alpha1 Rollout',
        'autoscaling/v2 HorizontalPodAutoscaler',
        'batch/v1 CronJob',
        'batch/v1 Job',
        'external-secrets.io/v1 ExternalSecret',
        'gateway.networking.k8s.io/v1 HTTPRoute',
        'keda.sh/v1alpha1 ScaledObject',
        'monitoring.coreos.com/v1 PodMonitor',
        'monitoring.coreos.com/v1 PrometheusRule',
        'monitoring.coreos.com/v1 ServiceMonitor',
        'networking.k8s.io/v1 NetworkPolicy',
        'policy/v1 PodDisruptionBudget',
        'v1 ConfigMap',
        'v1 Namespace',
        'v1 Service',
        'v1 ServiceAccount',
      ]);
    },
  );

  it.skipIf(!kubectl.available)(
    'builds every app folder with kubectl kustomize into exactly the objects of its files',
    async () => {
      const limit = pLimit(2);
      const results = await Promise.all(
        folders().map((dir) =>
          limit(async () => ({ dir, build: await kustomizeBuild(join(outDir, 'generated', dir)) })),
        ),
      );
      for (const { dir, build } of results) {
        expect(build.stderr, dir).toBe('');
        expect(build.ok, dir).toBe(true);
        const built = (parseYamlDocuments(build.stdout) as K8sObject[]).sort((a, b) =>
          identity(a) < identity(b) ? -1 : 1,
        );
        const own = objectsOf(dir).sort((a, b) => (identity(a) < identity(b) ? -1 : 1));
        expect(built, dir).toEqual(own);
      }
    },
  );

  it('holds two files per app folder, its kustomization.yaml listing the other, manifest.yaml', () => {
    for (const [dir, kustomization] of kustomizations) {
      const files = [...texts.keys()]
        .filter((p) => p.startsWith(`${dir}/`) && !p.slice(dir.length + 1).includes('/'))
        .map((p) => p.slice(dir.length + 1));
      expect(files.sort(), dir).toEqual(['kustomization.yaml', 'manifest.yaml']);
      expect(kustomization.resources, dir).toEqual(['manifest.yaml']);
    }
    expect(texts.size).toBe(2 * folders().length);
  });

  it('writes each manifest.yaml with the marker once and its objects in kind order, then by name', () => {
    for (const dir of folders()) {
      const text = texts.get(`${dir}/manifest.yaml`)!;
      expect(text.split(MARKER), dir).toHaveLength(2);
      expect(text.startsWith(YAML_HEADER), dir).toBe(true);
      const own = objectsOf(dir);
      // A migrate/ folder holds the Job and its NetworkPolicy, a workload/ folder the workload and its
      // autoscaler.
      expect(own.length, dir).toBeGreaterThanOrEqual(/\/(migrate|workload)$/.test(dir) ? 2 : 5);
      expect(own, dir).toEqual(
        [...own].sort((a, b) => compareManifestObjects(a as KubeObject, b as KubeObject)),
      );
    }
  });

  const MONITORING_KINDS = ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'];

  it('labels every object with the app and target labels (shared namespace objects without app name and version)', () => {
    for (const [path, object] of objects) {
      const target = matrix.targets.find((t) => path.startsWith(`k8s/${t.id}/`))!;
      const labels = object.metadata.labels ?? {};
      const shared = object.kind === 'Namespace' || object.metadata.name === 'default-deny';
      const expected = shared
        ? APP_LABEL_KEYS.filter(
            (k) =>
              !['app.kubernetes.io/instance', 'app.kubernetes.io/name', 'app.kubernetes.io/version'].includes(
                k,
              ),
          )
        : isMigration(object)
          ? [...APP_LABEL_KEYS, 'app.kubernetes.io/component'].sort()
          : // What Prometheus selects carries the example's monitoring.labels too.
            MONITORING_KINDS.includes(object.kind)
            ? [...APP_LABEL_KEYS, 'release'].sort()
            : APP_LABEL_KEYS;
      expect(
        Object.keys(labels)
          .filter((k) => !k.startsWith('pod-security.'))
          .sort(),
        path,
      ).toEqual(expected);
      expect(labels, path).toMatchObject({
        'app.kubernetes.io/managed-by': 'envmatrix',
        'app.kubernetes.io/part-of': 'platform',
        'envmatrix.io/env': target.env,
        'envmatrix.io/cloud': target.cloud,
        'envmatrix.io/region': target.region,
        'envmatrix.io/cluster': target.cluster,
      });
      if (!shared) {
        const app = target.apps.find((a) => path.startsWith(`k8s/${target.id}/${a.name}/`))!;
        // A migration's objects carry a name of their own, so the app's selectors never pick its pods.
        const name = isMigration(object) ? `${app.name}-migrate` : app.name;
        expect(labels['app.kubernetes.io/name'], path).toBe(name);
        expect(labels['app.kubernetes.io/version'], path).toBe(app.values.image.tag);
        expect(labels['app.kubernetes.io/instance'], path).toBe(`${name}-${target.id.split('/').join('-')}`);
      }
    }
  });

  it('names objects after the app, its secrets or their role, with no construct hashes anywhere', () => {
    for (const [path, object] of objects) {
      const target = matrix.targets.find((t) => path.startsWith(`k8s/${t.id}/`))!;
      const app = target.apps.find((a) => path.startsWith(`k8s/${target.id}/${a.name}/`))!;
      const allowed = [
        app.name,
        `${app.name}-config`,
        `${app.name}-preview`,
        `${app.name}-migrate`,
        'default-deny',
        app.namespace,
        ...app.secrets.map((s) => s.name),
      ];
      expect(allowed, path).toContain(object.metadata.name);
      expect(JSON.stringify(object), path).not.toContain('cdk8s');
    }
  });

  it('emits each namespace of a target once, from the alphabetically first app in it', () => {
    for (const target of matrix.targets) {
      const namespaces = [...objects]
        .filter(([path, o]) => path.startsWith(`k8s/${target.id}/`) && o.kind === 'Namespace')
        .map(([path, o]) => `${path.split('/')[5]}:${o.metadata.name}`)
        .sort();
      const expected = [...new Set(target.apps.map((a) => a.namespace))]
        .map(
          (ns) =>
            `${
              target.apps
                .filter((a) => a.namespace === ns)
                .map((a) => a.name)
                .sort()[0]
            }:${ns}`,
        )
        .sort();
      expect(namespaces, target.id).toEqual(expected);
    }
  });

  it('runs every workload as the app named after it, in the app namespace, as Deployment or Rollout by strategy', () => {
    for (const target of matrix.targets) {
      for (const app of target.apps) {
        if (app.values.schedule) {
          const cronJob = objects.get(`k8s/${target.id}/${app.name}/manifest.yaml#CronJob/${app.name}`);
          const pod = (
            cronJob?.spec?.jobTemplate as {
              spec: { template: { spec: { containers: { image: string }[] } } };
            }
          ).spec.template.spec;
          expect(pod.containers[0]?.image, `${target.id}/${app.name}`).toBe(app.imageRef);
          expect(objectsOf(`k8s/${target.id}/${app.name}`).map((o) => o.kind)).not.toContain('Deployment');
          continue;
        }
        const rollout = app.values.strategy.kind !== 'rolling';
        const kind = rollout ? 'Rollout' : 'Deployment';
        // On Flux, an app with a migration rolls its workload out from workload/ (migration-order.ts).
        const dir =
          target.engine === 'flux' && app.values.migrate
            ? `k8s/${target.id}/${app.name}/workload`
            : `k8s/${target.id}/${app.name}`;
        const workload = objects.get(`${dir}/manifest.yaml#${kind}/${app.name}`);
        expect(workload?.apiVersion, `${target.id}/${app.name}`).toBe(
          rollout ? 'argoproj.io/v1alpha1' : 'apps/v1',
        );
        expect(workload?.metadata.namespace).toBe(app.namespace);
        expect(
          objects.has(`k8s/${target.id}/${app.name}/${rollout ? 'deployment' : 'rollout'}-${app.name}.yaml`),
        ).toBe(false);
        expect(workload?.spec?.template?.spec.containers[0]?.image).toBe(app.imageRef);
      }
    }
  });
});
