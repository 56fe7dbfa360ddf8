import { describe, expect, it } from 'vitest';
import { argocdGenerator } from '../../../src/generators/argocd/index.ts';
import { dependencyLevels } from '../../../src/generators/argocd/dependency-levels.ts';
import { GeneratorError } from '../../../src/generators/errors.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import { aws, defineApp, onprem } from '../../../src/matrix/index.ts';
import type { EnvironmentSpec, MatrixDefinition, ResolvedApp } from '../../../src/matrix/types.ts';
import { crdsAvailable } from '../../support/crd-validate.ts';
import { validateStrict } from '../../support/k8s-validate.ts';
import { fixtureMatrix, fixturePins } from '../../support/matrix-fixture.ts';
import { expandApplicationSet } from './expand.ts';
import {
  dataAt,
  renderParsed,
  type ApplicationDoc,
  type ApplicationSetDoc,
  type AppProjectDoc,
  type KustomizeFileDoc,
} from './render.ts';

const crds = crdsAvailable();

function render(change: Partial<MatrixDefinition> = {}) {
  const { resolved } = checkedMatrix(fixtureMatrix(change), fixturePins());
  return renderParsed(resolved, [argocdGenerator]);
}

/** The fixture's environments with one of them changed. */
function environments(env: 'dev' | 'prod', change: EnvironmentSpec): Record<string, EnvironmentSpec> {
  const base = fixtureMatrix().environments;
  return { ...base, [env]: { ...base[env], ...change, policy: { ...base[env]?.policy, ...change.policy } } };
}

describe('argocd generator', () => {
  it('writes one folder per environment with Argo CD clusters, with no app on any file', () => {
    const files = render();
    expect([...files.keys()]).toEqual(
      ['dev', 'prod'].flatMap((env) =>
        ['kustomization', 'bootstrap-project', 'project', 'applicationset', 'bootstrap'].map(
          (name) => `argocd/${env}/${name}.yaml`,
        ),
      ),
    );
    expect([...files.values()].map((f) => [f.scope, f.app])).toEqual([
      ...Array.from({ length: 5 }, () => ['dev', undefined]),
      ...Array.from({ length: 5 }, () => ['prod', undefined]),
    ]);
    expect(dataAt<KustomizeFileDoc>(files, 'argocd/prod/kustomization.yaml').resources).toEqual([
      'bootstrap-project.yaml',
      'project.yaml',
      'applicationset.yaml',
      'bootstrap.yaml',
    ]);
  });

  it('writes nothing for an environment whose clusters all use Flux', () => {
    const clusters = fixtureMatrix().clusters.filter((c) => c.env !== 'prod' || c.engine === 'flux');
    expect([...render({ clusters }).keys()].filter((p) => p.startsWith('argocd/prod/'))).toEqual([]);
  });

  it('lists one element per (Argo CD cluster, app), in rollout order, pointing at the k8s folder', () => {
    const set = dataAt<ApplicationSetDoc>(render(), 'argocd/prod/applicationset.yaml');
    expect(set.spec.generators).toHaveLength(1);
    expect(set.spec.generators[0]!.list.elements).toEqual([
      {
        name: 'prod-aws-eu-west-1-main-api',
        app: 'api',
        cluster: 'prod-aws-eu-west-1-main',
        namespace: 'api',
        path: 'generated/k8s/prod/aws/eu-west-1/main/api',
        wave: '0',
        dependencyLevel: '0',
      },
      {
        name: 'prod-aws-eu-west-1-main-worker',
        app: 'worker',
        cluster: 'prod-aws-eu-west-1-main',
        namespace: 'worker',
        path: 'generated/k8s/prod/aws/eu-west-1/main/worker',
        wave: '0',
        dependencyLevel: '1',
      },
      {
        name: 'prod-gcp-europe-west1-main-api',
        app: 'api',
        cluster: 'prod-gcp-europe-west1-main',
        namespace: 'api',
        path: 'generated/k8s/prod/gcp/europe-west1/main/api',
        wave: '1',
        dependencyLevel: '0',
      },
      {
        name: 'prod-gcp-europe-west1-main-worker',
        app: 'worker',
        cluster: 'prod-gcp-europe-west1-main',
        namespace: 'worker',
        path: 'generated/k8s/prod/gcp/europe-west1/main/worker',
        wave: '1',
        dependencyLevel: '1',
      },
    ]);
    expect(set.spec.goTemplate).toBe(true);
    expect(set.spec.goTemplateOptions).toEqual(['missingkey=error']);
  });

  it('syncs wave by wave and, within a wave, in dependency order (RollingSync)', () => {
    const set = dataAt<ApplicationSetDoc>(render(), 'argocd/prod/applicationset.yaml');
    expect(set.spec.strategy?.type).toBe('RollingSync');
    const steps = set.spec.strategy!.rollingSync.steps.map((step) =>
      step.matchExpressions.map((m) => `${m.key} ${m.operator} ${m.values.join(',')}`),
    );
    expect(steps).toEqual([
      ['envmatrix.io/wave In 0', 'envmatrix.io/dependency-level In 0'],
      ['envmatrix.io/wave In 0', 'envmatrix.io/dependency-level In 1'],
      ['envmatrix.io/wave In 1', 'envmatrix.io/dependency-level In 0'],
      ['envmatrix.io/wave In 1', 'envmatrix.io/dependency-level In 1'],
    ]);
    const apps = expandApplicationSet(set);
    expect(
      apps.map((a) => [a.metadata.name, a.metadata.annotations['argocd.argoproj.io/sync-wave']]),
    ).toEqual([
      ['prod-aws-eu-west-1-main-api', '0'],
      ['prod-aws-eu-west-1-main-worker', '1'],
      ['prod-gcp-europe-west1-main-api', '0'],
      ['prod-gcp-europe-west1-main-worker', '1'],
    ]);
  });

  it('guards against mass deletion and follows the environment’s applicationsSync policy', () => {
    const files = render({
      environments: environments('prod', { policy: { applicationsSync: 'create-only' } }),
    });
    const prod = dataAt<ApplicationSetDoc>(files, 'argocd/prod/applicationset.yaml');
    const dev = dataAt<ApplicationSetDoc>(files, 'argocd/dev/applicationset.yaml');
    expect(prod.spec.syncPolicy).toEqual({
      applicationsSync: 'create-only',
      preserveResourcesOnDeletion: true,
    });
    expect(dev.spec.syncPolicy).toEqual({ applicationsSync: 'sync', preserveResourcesOnDeletion: true });
    expect(prod.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Prune=false' });
  });

  it('syncs automatically with prune and self-heal, retry and CreateNamespace when the policy is automated', () => {
    const set = dataAt<ApplicationSetDoc>(render(), 'argocd/dev/applicationset.yaml');
    expect(set.spec.template.spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true },
      syncOptions: ['CreateNamespace=true'],
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
    });
    expect(set.spec.template.metadata.annotations['argocd.argoproj.io/manifest-generate-paths']).toBe('.');
  });

  it('leaves syncing to people, and RollingSync out, when the policy is manual', () => {
    const files = render({ environments: environments('dev', { policy: { sync: 'manual' } }) });
    const set = dataAt<ApplicationSetDoc>(files, 'argocd/dev/applicationset.yaml');
    expect(set.spec.template.spec.syncPolicy).toEqual({
      syncOptions: ['CreateNamespace=true'],
      retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
    });
    expect(set.spec.strategy).toBeUndefined();
    expect(
      dataAt<ApplicationDoc>(files, 'argocd/dev/bootstrap.yaml').spec.syncPolicy.automated,
    ).toBeUndefined();
    expect(dataAt<ApplicationSetDoc>(files, 'argocd/prod/applicationset.yaml').spec.strategy?.type).toBe(
      'RollingSync',
    );
    // The labels still let an operator sync one step: argocd app sync -l envmatrix.io/wave=0,…
    expect(set.spec.template.metadata.labels).toMatchObject({
      'envmatrix.io/wave': '{{.wave}}',
      'envmatrix.io/dependency-level': '{{.dependencyLevel}}',
    });
  });

  it('tracks the environment’s branch of the matrix repository everywhere', () => {
    const files = render({
      repo: { url: 'https://git.example.com/platform.git', branch: 'trunk' },
      environments: environments('prod', { branch: 'release/prod' }),
    });
    const prodSet = dataAt<ApplicationSetDoc>(files, 'argocd/prod/applicationset.yaml');
    const devSet = dataAt<ApplicationSetDoc>(files, 'argocd/dev/applicationset.yaml');
    const bootstrap = dataAt<ApplicationDoc>(files, 'argocd/prod/bootstrap.yaml');
    expect(prodSet.spec.template.spec.source).toEqual({
      repoURL: 'https://git.example.com/platform.git',
      targetRevision: 'release/prod',
      path: '{{.path}}',
    });
    expect(devSet.spec.template.spec.source.targetRevision).toBe('trunk');
    expect(bootstrap.spec.source).toEqual({
      repoURL: 'https://git.example.com/platform.git',
      targetRevision: 'release/prod',
      path: 'generated/argocd/prod',
    });
  });

  it('allows only this repository and the environment’s clusters and namespaces', () => {
    const files = render();
    const project = dataAt<AppProjectDoc>(files, 'argocd/prod/project.yaml');
    expect(project.metadata.name).toBe('prod');
    expect(project.spec.sourceRepos).toEqual(['https://github.com/acme/platform.git']);
    expect(project.spec.destinations).toEqual([
      { name: 'prod-aws-eu-west-1-main', namespace: 'api' },
      { name: 'prod-aws-eu-west-1-main', namespace: 'worker' },
      { name: 'prod-gcp-europe-west1-main', namespace: 'api' },
      { name: 'prod-gcp-europe-west1-main', namespace: 'worker' },
    ]);
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
    const bootstrapProject = dataAt<AppProjectDoc>(files, 'argocd/prod/bootstrap-project.yaml');
    expect(bootstrapProject.spec.destinations).toEqual([
      { server: 'https://kubernetes.default.svc', namespace: 'argocd' },
    ]);
    expect(bootstrapProject.spec.clusterResourceWhitelist).toBeUndefined();
    expect(bootstrapProject.spec.namespaceResourceWhitelist).toEqual([
      { group: 'argoproj.io', kind: 'AppProject' },
      { group: 'argoproj.io', kind: 'ApplicationSet' },
      { group: 'argoproj.io', kind: 'Application' },
    ]);
    const bootstrap = dataAt<ApplicationDoc>(files, 'argocd/prod/bootstrap.yaml');
    expect(bootstrap.spec.project).toBe('prod-bootstrap');
    expect(bootstrap.spec.destination).toEqual({
      server: 'https://kubernetes.default.svc',
      namespace: 'argocd',
    });
  });

  it('refuses two clusters whose Argo CD names collide, naming both', () => {
    const clusters = [
      ...fixtureMatrix().clusters,
      onprem('prod', 'dc1-edge', { name: 'main', zones: ['a', 'b', 'c'], jurisdiction: 'eu' }),
      onprem('prod', 'dc1', { name: 'edge-main', zones: ['a', 'b', 'c'], jurisdiction: 'eu' }),
    ];
    expect(() => render({ clusters })).toThrow(GeneratorError);
    expect(() => render({ clusters })).toThrow(
      '[argocd] prod/onprem/dc1-edge/main: its Argo CD cluster name "prod-onprem-dc1-edge-main" is also the name of prod/onprem/dc1/edge-main\n' +
        '    fix: rename one of the two clusters (or on-prem sites) so their ids differ once "/" becomes "-"',
    );
  });

  it('refuses two Applications whose names collide', () => {
    const clusters = [aws('dev', 'us-east-1'), aws('dev', 'us-east-1', { name: 'main-api' })];
    const apps = [
      ...fixtureMatrix().apps,
      defineApp({
        name: 'api-worker',
        image: 'ghcr.io/acme/x',
        placement: { include: [{ env: 'dev' }] },
      }),
    ];
    const { resolved } = checkedMatrix(
      fixtureMatrix({
        clusters: [...clusters, ...fixtureMatrix().clusters.filter((c) => c.env === 'prod')],
        apps,
      }),
      fixturePins({ dev: { api: { tag: '1' }, worker: { tag: '1' }, 'api-worker': { tag: '1' } } }),
    );
    expect(() => renderParsed(resolved, [argocdGenerator])).toThrow(
      '[argocd] dev/aws/us-east-1/main-api/worker: its Application name "dev-aws-us-east-1-main-api-worker" is also the name of dev/aws/us-east-1/main/api-worker',
    );
  });

  it('renders the same bytes every time', () => {
    const first = [...render()].map(([path, file]) => [path, file.content, file.inputHash]);
    expect([...render()].map(([path, file]) => [path, file.content, file.inputHash])).toEqual(first);
  });

  it('matches the reviewed ApplicationSet for the fixture’s prod', async () => {
    await expect(render().get('argocd/prod/applicationset.yaml')?.content).toMatchFileSnapshot(
      './__snapshots__/prod-applicationset.yaml',
    );
  });

  it.skipIf(!crds.available)(
    'validates every AppProject, ApplicationSet and Application with the models and the CRDs',
    () => {
      const files = render();
      const objects = [...files]
        .filter(([path]) => !path.endsWith('/kustomization.yaml'))
        .map(([, file]) => file.data);
      const applications = ['dev', 'prod'].flatMap((env) =>
        expandApplicationSet(dataAt(files, `argocd/${env}/applicationset.yaml`)),
      );
      expect(objects).toHaveLength(8);
      expect(applications).toHaveLength(6);
      expect([...objects, ...applications].flatMap((obj) => validateStrict(obj))).toEqual([]);
      // The walk is strict: a misspelt safety field would not get through.
      const set = dataAt<ApplicationSetDoc>(files, 'argocd/prod/applicationset.yaml');
      const typo = { ...set, spec: { ...set.spec, syncPolicy: { preserveResourceOnDeletion: true } } };
      expect(validateStrict(typo)).toEqual([
        'ApplicationSet argocd/prod: .spec.syncPolicy.preserveResourceOnDeletion: unknown field',
      ]);
    },
  );
});

describe('dependencyLevels', () => {
  const app = (name: string, dependsOn: string[] = []) => ({ name, dependsOn }) as unknown as ResolvedApp;

  it('puts each app one level after its deepest dependency', () => {
    const levels = dependencyLevels([
      app('web', ['api', 'auth']),
      app('api', ['db']),
      app('db'),
      app('auth'),
      app('batch', ['db', 'web']),
    ]);
    expect(Object.fromEntries(levels)).toEqual({ web: 2, api: 1, db: 0, auth: 0, batch: 3 });
  });

  it('ignores dependencies that are not placed beside the app, and terminates on a cycle', () => {
    expect(Object.fromEntries(dependencyLevels([app('web', ['elsewhere'])]))).toEqual({ web: 0 });
    expect(Object.fromEntries(dependencyLevels([app('a', ['b']), app('b', ['a'])]))).toEqual({ a: 2, b: 1 });
  });
});
