/**
 * What Argo CD and Flux would do with the example's generated/, walked without a cluster:
 *
 * - Argo CD: expand each ApplicationSet's list elements through its template (goTemplate,
 *   missingkey=error), validate every Application, check each against its AppProject, build every
 *   path it points at with `kubectl kustomize`, and check the RollingSync steps select every
 *   Application once, after its dependencies and earlier waves. Build each bootstrap folder too.
 * - Flux: build each cluster's apps/ folder, validate every Kustomization, build every path it points
 *   at, find its health-checked workload in that build, and compose the folder with a flux-system/ as
 *   `flux bootstrap` writes it, the way the kustomize-controller does when the path has no
 *   kustomization.yaml.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generators } from '../../src/generators/index.ts';
import { loadMatrix } from '../../src/matrix/load.ts';
import type { ResolvedMatrix, ResolvedTarget } from '../../src/matrix/types.ts';
import { synth } from '../../src/output/synth.ts';
import { readTree } from '../../src/output/tree.ts';
import { crdsAvailable } from '../support/crd-validate.ts';
import { validateStrict } from '../support/k8s-validate.ts';
import {
  kubectlAvailable,
  kustomizeBuild,
  parseYamlDocuments,
  type KustomizeResult,
} from '../support/kustomize.ts';
import { projectRoot } from '../support/tools.ts';
import { expandApplicationSet, type ExpandedApplication } from './argocd/expand.ts';
import type { ApplicationSetDoc, AppProjectDoc, FluxKustomizationDoc } from './argocd/render.ts';
import { bootstrappedCopy } from './flux/bootstrap.ts';

const kubectl = kubectlAvailable();
const crds = crdsAvailable();

/** Cluster-scoped kinds an app folder could plausibly hold; an AppProject must whitelist each one used. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  'PersistentVolume',
  'IngressClass',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

const GENERATED = 'generated/';

/** `generated/k8s/…` (Argo CD) or `./generated/k8s/…` (Flux) → the folder under outDir. */
function underGenerated(repoPath: string): string {
  const path = repoPath.replace(/^\.\//, '');
  if (!path.startsWith(GENERATED)) throw new Error(`${repoPath} is not under ${GENERATED}`);
  return path.slice(GENERATED.length);
}

describe.skipIf(!kubectl.available)('Argo CD and Flux consuming the example’s generated/', () => {
  let matrix: ResolvedMatrix;
  let outDir: string;
  let tree: Map<string, string>;
  /** `kubectl kustomize` of every folder a controller reads, by folder under generated/. */
  const builds = new Map<string, KustomizeResult>();

  const argoEnvs = () => [...tree.keys()].filter((p) => /^argocd\/[^/]+\/applicationset\.yaml$/.test(p));
  const fluxAppsDirs = () =>
    [...tree.keys()]
      .filter((p) => /^flux\/.+\/apps\/kustomization\.yaml$/.test(p))
      .map((p) => p.slice(0, -'/kustomization.yaml'.length));
  const objectsOf = (dir: string): K8sObject[] => {
    const build = builds.get(dir);
    if (!build) throw new Error(`${dir} was not built`);
    if (!build.ok) throw new Error(`kubectl kustomize generated/${dir} failed: ${build.stderr}`);
    return parseYamlDocuments(build.stdout) as K8sObject[];
  };
  const applications = (): { env: string; apps: ExpandedApplication[] }[] =>
    argoEnvs().map((path) => ({
      env: path.split('/')[1]!,
      apps: expandApplicationSet(parseYamlDocuments(tree.get(path)!)[0]),
    }));
  const fluxKustomizations = (appsDir: string) => objectsOf(appsDir) as unknown as FluxKustomizationDoc[];

  beforeAll(async () => {
    matrix = (await loadMatrix({ root: projectRoot })).resolved;
    outDir = join(await mkdtemp(join(tmpdir(), 'envmatrix-consumer-')), 'generated');
    await synth(matrix, { outDir });
    tree = await readTree(outDir);
    const dirs = new Set<string>();
    for (const { apps } of applications())
      for (const app of apps) dirs.add(underGenerated(app.spec.source.path));
    for (const path of argoEnvs()) dirs.add(path.slice(0, -'/applicationset.yaml'.length));
    for (const dir of fluxAppsDirs()) {
      dirs.add(dir);
      const files = [...tree].filter(([p]) => p.startsWith(`${dir}/`) && !p.endsWith('/kustomization.yaml'));
      for (const [, text] of files) {
        const kustomization = parseYamlDocuments(text)[0] as FluxKustomizationDoc;
        dirs.add(underGenerated(kustomization.spec.path));
      }
    }
    const limit = pLimit(4);
    await Promise.all(
      [...dirs].map((dir) => limit(async () => builds.set(dir, await kustomizeBuild(join(outDir, dir))))),
    );
  });

  afterAll(async () => {
    if (outDir) await rm(join(outDir, '..'), { recursive: true, force: true });
  });

  it('renders the k8s folders the controllers point at', () => {
    expect(generators.map((g) => g.name)).toContain('k8s');
    expect(argoEnvs().length).toBeGreaterThan(0);
    expect(fluxAppsDirs().length).toBeGreaterThan(0);
  });

  it('builds every folder a controller reads with kubectl kustomize', () => {
    const failed = [...builds].filter(([, b]) => !b.ok).map(([dir, b]) => `generated/${dir}: ${b.stderr}`);
    expect(failed).toEqual([]);
  });

  describe('Argo CD', () => {
    it.skipIf(!crds.available)('generates Applications that validate against the models and the CRD', () => {
      const apps = applications().flatMap((e) => e.apps);
      expect(apps.length).toBe(
        matrix.targets.filter((t) => t.engine === 'argocd').reduce((n, t) => n + t.apps.length, 0),
      );
      expect(apps.flatMap((app) => validateStrict(app))).toEqual([]);
      expect(new Set(apps.map((a) => a.metadata.name)).size).toBe(apps.length);
    });

    it('points each Application at its own app folder, from the matrix repository and env branch', () => {
      for (const { env, apps } of applications()) {
        const branch = matrix.environments.find((e) => e.name === env)!.branch;
        for (const app of apps) {
          const dir = underGenerated(app.spec.source.path);
          expect(tree.has(`${dir}/kustomization.yaml`), `${app.metadata.name}: ${dir}`).toBe(true);
          expect(dir).toMatch(
            new RegExp(`^k8s/${env}/[^/]+/[^/]+/[^/]+/${app.metadata.labels['envmatrix.io/app']}$`),
          );
          expect(app.spec.source.repoURL).toBe(matrix.repo.url);
          expect(app.spec.source.targetRevision).toBe(branch);
        }
      }
    });

    it('admits every Application, and every object it deploys, in its AppProject', () => {
      const problems: string[] = [];
      for (const { env, apps } of applications()) {
        const project = parseYamlDocuments(tree.get(`argocd/${env}/project.yaml`)!)[0] as AppProjectDoc;
        const whitelisted = new Set(
          project.spec.clusterResourceWhitelist?.map((w) => `${w.group}/${w.kind}`),
        );
        for (const app of apps) {
          const { name, namespace } = app.spec.destination;
          const where = `${app.metadata.name} → ${name}/${namespace}`;
          if (app.spec.project !== project.metadata.name)
            problems.push(`${where}: project ${app.spec.project}`);
          if (!project.spec.sourceRepos.includes(app.spec.source.repoURL)) problems.push(`${where}: repo`);
          const allowed = (ns: string) =>
            project.spec.destinations.some((d) => d.name === name && d.namespace === ns);
          if (!allowed(namespace)) problems.push(`${where}: destination not in the project`);
          for (const object of objectsOf(underGenerated(app.spec.source.path))) {
            const label = `${where}: ${object.kind} ${object.metadata.name}`;
            const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0]! : '';
            if (CLUSTER_SCOPED.has(object.kind)) {
              if (!whitelisted.has(`${group}/${object.kind}`))
                problems.push(`${label}: cluster-scoped kind not whitelisted`);
            } else if (!allowed(object.metadata.namespace ?? namespace)) {
              problems.push(`${label}: namespace ${object.metadata.namespace} not in the project`);
            }
          }
        }
      }
      expect(problems).toEqual([]);
    });

    it('selects every Application in exactly one RollingSync step, after its dependencies and earlier waves', () => {
      for (const env of matrix.environments) {
        const text = tree.get(`argocd/${env.name}/applicationset.yaml`);
        if (text === undefined) continue;
        const set = parseYamlDocuments(text)[0] as ApplicationSetDoc;
        if (env.policy.sync === 'manual') {
          expect(set.spec.strategy).toBeUndefined();
          continue;
        }
        const steps = set.spec.strategy!.rollingSync.steps;
        const labels = new Map(expandApplicationSet(set).map((a) => [a.metadata.name, a.metadata.labels]));
        /** The one step that selects the Application of `app` on `target`. */
        const stepOf = (target: ResolvedTarget, app: string): number => {
          const name = `${target.id.split('/').join('-')}-${app}`;
          const own = labels.get(name) ?? {};
          const matching = steps.flatMap((step, i) =>
            step.matchExpressions.every((m) => m.operator === 'In' && m.values.includes(own[m.key] ?? ''))
              ? [i]
              : [],
          );
          expect(matching, `steps selecting ${name}`).toHaveLength(1);
          return matching[0]!;
        };
        const targets = matrix.targets.filter((t) => t.env === env.name && t.engine === 'argocd');
        for (const target of targets) {
          for (const app of target.apps) {
            const own = stepOf(target, app.name);
            for (const dependency of app.dependsOn) expect(stepOf(target, dependency)).toBeLessThan(own);
            for (const earlier of targets.filter((t) => t.wave < target.wave))
              for (const other of earlier.apps) expect(stepOf(earlier, other.name)).toBeLessThan(own);
          }
        }
      }
    });

    it('bootstraps each environment from its own folder, within the bootstrap project', () => {
      for (const path of argoEnvs()) {
        const dir = path.slice(0, -'/applicationset.yaml'.length);
        const objects = objectsOf(dir);
        expect(objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).sort()).toEqual(
          [
            `AppProject argocd/${dir.split('/')[1]}`,
            `AppProject argocd/${dir.split('/')[1]}-bootstrap`,
            `ApplicationSet argocd/${dir.split('/')[1]}`,
            `Application argocd/${dir.split('/')[1]}-bootstrap`,
          ].sort(),
        );
        const bootstrap = objects.find((o) => o.kind === 'Application') as unknown as ExpandedApplication;
        expect(underGenerated(bootstrap.spec.source.path)).toBe(dir);
        const project = objects.find(
          (o) => o.metadata.name === bootstrap.spec.project,
        ) as unknown as AppProjectDoc;
        expect(project.spec.destinations).toContainEqual(bootstrap.spec.destination);
        const kinds = new Set(project.spec.namespaceResourceWhitelist!.map((w) => `${w.group}/${w.kind}`));
        expect(objects.filter((o) => !kinds.has(`argoproj.io/${o.kind}`))).toEqual([]);
        if (crds.available) expect(objects.flatMap((o) => validateStrict(o))).toEqual([]);
      }
    });
  });

  describe('Flux', () => {
    it.skipIf(!crds.available)('builds each cluster’s apps/ into Kustomizations that validate', () => {
      for (const dir of fluxAppsDirs()) {
        const docs = objectsOf(dir);
        expect(docs.map((d) => d.kind)).toEqual(docs.map(() => 'Kustomization'));
        expect(docs.flatMap((d) => validateStrict(d))).toEqual([]);
      }
    });

    it('applies each app folder, health-checks a workload in it, and depends on what the app depends on', () => {
      for (const dir of fluxAppsDirs()) {
        const target = matrix.targets.find((t) => `flux/${t.id}/apps` === dir)!;
        const all = fluxKustomizations(dir);
        // An app with a migration also has `<app>-base` (its folder without the workload, what the Job
        // needs) and `<app>-migrate`, which applies its migrate/ folder after the base and is awaited
        // (wait: true) before the app's own Kustomization rolls the workload/ folder out.
        const migrations = all.filter((k) => k.metadata.name.endsWith('-migrate'));
        const bases = all.filter((k) => k.metadata.name.endsWith('-base'));
        const kustomizations = all.filter((k) => !migrations.includes(k) && !bases.includes(k));
        expect(bases.map((k) => k.metadata.name)).toEqual(
          target.apps.filter((a) => a.values.migrate).map((a) => `${a.name}-base`),
        );
        for (const b of bases) {
          const app = b.metadata.name.slice(0, -'-base'.length);
          expect(underGenerated(b.spec.path)).toBe(`k8s/${target.id}/${app}`);
          expect(b.spec.dependsOn).toBeUndefined();
          expect(b.spec.wait).toBe(true);
        }
        expect(kustomizations.map((k) => k.metadata.name)).toEqual(target.apps.map((a) => a.name));
        expect(migrations.map((k) => k.metadata.name)).toEqual(
          target.apps.filter((a) => a.values.migrate).map((a) => `${a.name}-migrate`),
        );
        for (const m of migrations) {
          const app = m.metadata.name.slice(0, -'-migrate'.length);
          expect(underGenerated(m.spec.path)).toBe(`k8s/${target.id}/${app}/migrate`);
          expect(objectsOf(underGenerated(m.spec.path)).map((o) => o.kind)).toEqual(['Job', 'NetworkPolicy']);
          expect(m.spec.wait).toBe(true);
          expect((m.spec.dependsOn ?? [])[0]).toEqual({ name: `${app}-base` });
        }
        for (const k of kustomizations) {
          const app = target.apps.find((a) => a.name === k.metadata.name)!;
          const appDir = underGenerated(k.spec.path);
          expect(appDir).toBe(`k8s/${target.id}/${app.name}${app.values.migrate ? '/workload' : ''}`);
          const objects = objectsOf(appDir);
          for (const check of k.spec.healthChecks) {
            expect(
              objects.some(
                (o) =>
                  o.apiVersion === check.apiVersion &&
                  o.kind === check.kind &&
                  o.metadata.name === check.name &&
                  o.metadata.namespace === check.namespace,
              ),
              `${dir}/${k.metadata.name}: ${check.kind} ${check.namespace}/${check.name}`,
            ).toBe(true);
          }
          expect((k.spec.dependsOn ?? []).map((d) => d.name)).toEqual([
            ...app.dependsOn,
            ...(app.values.migrate ? [`${app.name}-migrate`] : []),
          ]);
        }
      }
    });

    it('finds every namespace its objects need among the cluster’s apps (Flux creates none)', () => {
      for (const dir of fluxAppsDirs()) {
        const objects = fluxKustomizations(dir).flatMap((k) => objectsOf(underGenerated(k.spec.path)));
        const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
        const missing = objects.filter(
          (o) => o.metadata.namespace !== undefined && !namespaces.has(o.metadata.namespace),
        );
        expect(missing.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([]);
      }
    });

    it('leaves no ${…} in app manifests but the cluster values postBuild substitutes', () => {
      for (const dir of fluxAppsDirs()) {
        for (const k of fluxKustomizations(dir)) {
          const text = builds.get(underGenerated(k.spec.path))!.stdout;
          const used = [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!);
          expect(used.filter((name) => !(name in k.spec.postBuild.substitute))).toEqual([]);
        }
      }
    });

    it('composes with the flux-system/ that flux bootstrap adds beside apps/', async () => {
      for (const dir of fluxAppsDirs()) {
        const target = matrix.targets.find((t) => `flux/${t.id}/apps` === dir)!;
        const branch = matrix.environments.find((e) => e.name === target.env)!.branch;
        const clusterDir = dir.slice(0, -'/apps'.length);
        const root = await bootstrappedCopy({
          clusterDir: join(outDir, clusterDir),
          url: matrix.repo.url,
          branch,
          path: `generated/${clusterDir}`,
        });
        try {
          const built = await kustomizeBuild(root);
          expect(built.stderr).toBe('');
          const objects = parseYamlDocuments(built.stdout) as K8sObject[];
          const repos = objects.filter((o) => o.kind === 'GitRepository').map((o) => o.metadata.name);
          const apps = objects.filter(
            (o) => o.kind === 'Kustomization' && o.metadata.name !== 'flux-system',
          ) as unknown as FluxKustomizationDoc[];
          expect(apps.map((k) => k.metadata.name)).toEqual(
            target.apps.flatMap((a) => [
              a.name,
              ...(a.values.migrate ? [`${a.name}-base`, `${a.name}-migrate`] : []),
            ]),
          );
          for (const k of apps) {
            expect(k.spec.sourceRef.kind).toBe('GitRepository');
            expect(repos).toContain(k.spec.sourceRef.name);
          }
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      }
    });
  });

  it('gives every cluster exactly one engine', () => {
    const argoTargets = applications()
      .flatMap((e) => e.apps)
      .map((app) => underGenerated(app.spec.source.path).split('/').slice(1, -1).join('/'));
    const fluxTargets = fluxAppsDirs().map((dir) => dir.slice('flux/'.length, -'/apps'.length));
    const withApps = matrix.targets.filter((t) => t.apps.length > 0);
    expect([...new Set(argoTargets)].sort()).toEqual(
      withApps
        .filter((t) => t.engine === 'argocd')
        .map((t) => t.id)
        .sort(),
    );
    expect(fluxTargets.sort()).toEqual(
      matrix.targets
        .filter((t) => t.engine === 'flux')
        .map((t) => t.id)
        .sort(),
    );
    expect(fluxTargets.filter((id) => argoTargets.includes(id))).toEqual([]);
  });
});
