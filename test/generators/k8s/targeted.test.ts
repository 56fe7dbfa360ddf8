/**
 * Targeted assertions on what the k8s generator derives from the matrix: disruption budgets, zone
 * spread, autoscaling without fixed replicas, network-policy edges, canary and blue-green Rollouts,
 * digest pinning, secrets, namespaces, the generator contract and deterministic bytes.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compose } from '../../../src/generators/index.ts';
import type { AppInput } from '../../../src/generators/k8s/context.ts';
import {
  createK8sGenerator,
  k8sGenerator,
  K8S_GENERATOR_VERSION,
} from '../../../src/generators/k8s/index.ts';
import { blueGreen, canary, defineApp } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import type { EnvironmentPolicy, MatrixDefinition } from '../../../src/matrix/types.ts';
import { validateKubernetesObject } from '../../support/k8s-validate.ts';
import { projectRoot } from '../../support/tools.ts';
import {
  DIGEST,
  objectAt,
  objectsIn,
  renderValid,
  threeEnvApps,
  threeEnvMatrix,
  threeEnvPins,
  withApp,
  type PodTemplate,
} from './helpers.ts';

const PROD = 'k8s/prod/aws/eu-west-1/main';
const STAGING = 'k8s/staging/gcp/europe-west1/main';
const DEV = 'k8s/dev/aws/us-east-1/main';

function render(change: Partial<MatrixDefinition> = {}) {
  return renderValid(threeEnvMatrix(change), threeEnvPins());
}

function withPolicy(env: 'dev' | 'staging' | 'prod', policy: EnvironmentPolicy): Partial<MatrixDefinition> {
  const environments = threeEnvMatrix().environments;
  return {
    environments: {
      ...environments,
      [env]: { ...environments[env], policy: { ...environments[env]?.policy, ...policy } },
    },
  };
}

function pinsFor(env: string) {
  return threeEnvPins()[env]!.apps;
}

function templateOf(files: ReturnType<typeof render>, path: string): PodTemplate {
  const template = objectAt(files, path).spec?.template;
  if (!template) throw new Error(`${path} has no pod template`);
  return template;
}

describe('PodDisruptionBudget', () => {
  it('is rendered where the policy asks for one: by default when minReplicas > 1', () => {
    const files = render();
    expect(objectAt(files, `${PROD}/worker/PodDisruptionBudget/worker`).spec).toEqual({
      maxUnavailable: 1,
      selector: {
        matchLabels: {
          'app.kubernetes.io/instance': 'worker-prod-aws-eu-west-1-main',
          'app.kubernetes.io/name': 'worker',
        },
      },
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
    expect([...objectsIn(files, `${DEV}/worker`).keys()]).not.toContain('PodDisruptionBudget/worker');
  });

  it('follows an explicit podDisruptionBudget either way', () => {
    const on = render(withPolicy('dev', { podDisruptionBudget: true }));
    expect(objectAt(on, `${DEV}/api/PodDisruptionBudget/api`).metadata.namespace).toBe('api');
    const off = render(withPolicy('prod', { podDisruptionBudget: false }));
    expect([...off.keys()].filter((p) => p.startsWith(PROD) && p.includes('poddisruptionbudget'))).toEqual(
      [],
    );
  });
});

describe('spreading across zones', () => {
  const zoneAndHost = (app: string, target: string, hashLabel: string) =>
    ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey, i) => ({
      labelSelector: {
        matchLabels: { 'app.kubernetes.io/instance': `${app}-${target}`, 'app.kubernetes.io/name': app },
      },
      matchLabelKeys: [hashLabel],
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: i === 0 ? 'DoNotSchedule' : 'ScheduleAnyway',
    }));

  it('adds zone (required) and host (preferred) constraints where the policy wants several zones', () => {
    const files = render();
    expect(templateOf(files, `${STAGING}/worker/Deployment/worker`).spec.topologySpreadConstraints).toEqual(
      zoneAndHost('worker', 'staging-gcp-europe-west1-main', 'pod-template-hash'),
    );
    expect(templateOf(files, `${PROD}/api/Rollout/api`).spec.topologySpreadConstraints).toEqual(
      zoneAndHost('api', 'prod-aws-eu-west-1-main', 'rollouts-pod-template-hash'),
    );
  });

  it('adds none where one zone is enough, and never cdk8s-plus anti-affinity', () => {
    const files = render();
    const dev = templateOf(files, `${DEV}/worker/Deployment/worker`).spec;
    expect(dev.topologySpreadConstraints).toBeUndefined();
    expect(dev.affinity).toBeUndefined();
    expect(templateOf(files, `${PROD}/worker/Deployment/worker`).spec.affinity).toBeUndefined();
  });
});

describe('autoscaling', () => {
  it('renders an HPA over the Deployment and leaves replicas unset when the app scales', () => {
    const files = render();
    expect(objectAt(files, `${STAGING}/web/Deployment/web`).spec?.replicas).toBeUndefined();
    const hpa = objectAt(files, `${STAGING}/web/HorizontalPodAutoscaler/web`).spec!;
    expect([hpa.minReplicas, hpa.maxReplicas, hpa.scaleTargetRef, hpa.metrics]).toEqual([
      2,
      8,
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } },
        },
      ],
    ]);
  });

  it('scales a Rollout the same way, with min and max from the resolved values', () => {
    const files = render();
    expect(objectAt(files, `${PROD}/api/Rollout/api`).spec?.replicas).toBeUndefined();
    const hpa = objectAt(files, `${PROD}/api/HorizontalPodAutoscaler/api`).spec!;
    expect([hpa.minReplicas, hpa.maxReplicas, hpa.scaleTargetRef]).toEqual([
      6,
      30,
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'api' },
    ]);
  });

  it('keeps fixed replicas and renders no HPA for an app without scaling', () => {
    const files = render();
    expect(objectAt(files, `${PROD}/worker/Deployment/worker`).spec?.replicas).toBe(3);
    expect(objectAt(files, `${DEV}/worker/Deployment/worker`).spec?.replicas).toBe(1);
    expect([...files.keys()].filter((p) => p.includes('horizontalpodautoscaler-worker'))).toEqual([]);
  });
});

describe('NetworkPolicy', () => {
  const files = render();
  const policy = (app: string) => objectAt(files, `${PROD}/${app}/NetworkPolicy/${app}`).spec!;
  const pods = (app: string) => ({
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': app } },
    podSelector: {
      matchLabels: {
        'app.kubernetes.io/instance': `${app}-prod-aws-eu-west-1-main`,
        'app.kubernetes.io/name': app,
      },
    },
  });
  const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: 'TCP' }));
  const dns = {
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ],
    ports: [
      { port: 53, protocol: 'UDP' },
      { port: 53, protocol: 'TCP' },
    ],
  };

  it('denies everything in each namespace by default', () => {
    expect(objectAt(files, `${PROD}/api/NetworkPolicy/default-deny`).spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress', 'Ingress'],
    });
  });

  it('lets a dependency admit its dependents on the ports it serves, and nothing else', () => {
    expect(policy('api').ingress).toEqual([
      { from: [pods('web')], ports: tcp(8080) },
      { from: [pods('worker')], ports: tcp(8080) },
    ]);
    expect(policy('api').egress).toEqual([dns]);
    expect(policy('api').policyTypes).toEqual(['Egress', 'Ingress']);
  });

  it('lets a dependent send to its dependencies’ served ports and to the cluster DNS', () => {
    expect(policy('worker').egress).toEqual([{ to: [pods('api')], ports: tcp(8080) }, dns]);
    expect(policy('worker').ingress).toBeUndefined();
  });

  it('admits the ingress controller’s namespace for exposed apps only, on their ports', () => {
    expect(policy('web').ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
            podSelector: {},
          },
        ],
        ports: tcp(8080),
      },
    ]);
    const traefik = checkedMatrix(threeEnvMatrix(), threeEnvPins()).resolved;
    const rendered = compose(traefik, { generators: [createK8sGenerator({ ingressNamespace: 'traefik' })] });
    expect(rendered.get(`${PROD}/web/manifest.yaml`)?.content).toContain(
      'kubernetes.io/metadata.name: traefik',
    );
  });

  it('opens no egress to a dependency without ports (an order-only dependency)', () => {
    const apps = [
      ...threeEnvApps().filter((a) => a.name !== 'worker'),
      defineApp({ name: 'worker', image: 'ghcr.io/acme/worker', replicas: 3, dependsOn: ['api'] }),
      defineApp({ name: 'cron', image: 'ghcr.io/acme/cron', replicas: 3, dependsOn: ['worker'] }),
    ];
    const cron = { tag: '1.0.0', digest: DIGEST };
    const pins = threeEnvPins(
      Object.fromEntries(['dev', 'staging', 'prod'].map((env) => [env, { ...pinsFor(env), cron }])),
    );
    const out = renderValid(threeEnvMatrix({ apps }), pins);
    expect(objectAt(out, `${PROD}/cron/NetworkPolicy/cron`).spec!.egress).toEqual([dns]);
    expect(objectAt(out, `${PROD}/worker/NetworkPolicy/worker`).spec!.ingress).toBeUndefined();
  });
});

describe('release strategies', () => {
  it('renders a canary as Rollout steps: setWeight per weight, a pause after each short of 100%', () => {
    const files = render();
    expect(objectAt(files, `${PROD}/api/Rollout/api`).spec!.strategy).toEqual({
      canary: {
        steps: [
          { setWeight: 5 },
          { pause: { duration: '5m' } },
          { setWeight: 20 },
          { pause: { duration: '5m' } },
          { setWeight: 50 },
          { pause: { duration: '5m' } },
          { setWeight: 100 },
        ],
      },
    });
  });

  it('writes day-long pauses in hours, which Argo Rollouts can parse', () => {
    const files = renderValid(
      threeEnvMatrix({ apps: withApp('api', { strategy: canary({ steps: [50, 100], pause: '1d' }) }) }),
      threeEnvPins(),
    );
    expect(objectAt(files, `${DEV}/api/Rollout/api`).spec!.strategy).toEqual({
      canary: { steps: [{ setWeight: 50 }, { pause: { duration: '24h' } }, { setWeight: 100 }] },
    });
  });

  it('renders blue-green as a Rollout switching an active and a preview Service', () => {
    const files = render();
    expect(objectAt(files, `${PROD}/web/Rollout/web`).spec!.strategy).toEqual({
      blueGreen: {
        activeService: 'web',
        previewService: 'web-preview',
        autoPromotionEnabled: false,
        previewReplicaCount: 1,
      },
    });
    for (const name of ['web', 'web-preview']) {
      const service = objectAt(files, `${PROD}/web/Service/${name}`);
      expect(service.spec!.selector).toEqual({
        'app.kubernetes.io/instance': 'web-prod-aws-eu-west-1-main',
        'app.kubernetes.io/name': 'web',
      });
      expect(service.spec!.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080 }]);
    }
    expect([...objectsIn(files, `${STAGING}/web`).keys()]).not.toContain('Service/web-preview');
  });

  it('gives a portless blue-green app headless, portless active and preview Services', () => {
    const apps = withApp('worker', { ports: {} });
    const overrides = [
      ...(threeEnvMatrix().overrides ?? []),
      { env: 'prod', app: 'worker', set: { strategy: blueGreen() } },
    ];
    const files = renderValid(threeEnvMatrix({ apps, overrides }), threeEnvPins());
    for (const name of ['worker', 'worker-preview']) {
      expect(validateKubernetesObject(objectAt(files, `${PROD}/worker/Service/${name}`))).toEqual([]);
      expect(objectAt(files, `${PROD}/worker/Service/${name}`).spec).toEqual({
        clusterIP: 'None',
        selector: {
          'app.kubernetes.io/instance': 'worker-prod-aws-eu-west-1-main',
          'app.kubernetes.io/name': 'worker',
        },
      });
    }
    expect([...objectsIn(files, `${DEV}/worker`).keys()].filter((f) => f.startsWith('Service/'))).toEqual([]);
  });

  it('uses the matrix’s rolling settings for Deployments', () => {
    const files = render();
    expect(objectAt(files, `${STAGING}/web/Deployment/web`).spec!.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 },
    });
  });
});

describe('images', () => {
  it('references the pinned digest when the pin has one, and pulls only when missing then', () => {
    const files = render();
    const prod = templateOf(files, `${PROD}/api/Rollout/api`).spec.containers[0]!;
    expect([prod.image, prod.imagePullPolicy]).toEqual([`ghcr.io/acme/api:1.4.2@${DIGEST}`, 'IfNotPresent']);
    const dev = templateOf(files, `${DEV}/api/Rollout/api`).spec.containers[0]!;
    expect([dev.image, dev.imagePullPolicy]).toEqual(['ghcr.io/acme/api:1.6.0', 'Always']);
  });
});

describe('the pod', () => {
  const files = render();
  const pod = templateOf(files, `${PROD}/worker/Deployment/worker`);
  const container = pod.spec.containers[0]!;

  it('has requests and limits as written: memory limit defaulting to the request, CPU limit only when set', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
    expect(templateOf(files, `${PROD}/web/Rollout/web`).spec.containers[0]!.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '128Mi' },
    });
  });

  it('runs hardened, under its own ServiceAccount, without a token', () => {
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect([pod.spec.serviceAccountName, pod.spec.automountServiceAccountToken]).toEqual(['worker', false]);
    expect(objectAt(files, `${PROD}/worker/ServiceAccount/worker`)).toMatchObject({
      metadata: { name: 'worker', namespace: 'worker' },
      automountServiceAccountToken: false,
    });
  });

  it('probes the named probe port over HTTP', () => {
    const api = templateOf(files, `${PROD}/api/Rollout/api`).spec.containers[0]!;
    expect([api.readinessProbe, api.livenessProbe]).toEqual([
      { failureThreshold: 3, httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' } },
      { failureThreshold: 3, httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' } },
    ]);
    expect(container.readinessProbe).toBeUndefined();
  });

  it('reads config from the ConfigMap, and rolls when the config changes', () => {
    expect(container.envFrom).toEqual([{ configMapRef: { name: 'worker-config' } }]);
    expect(objectAt(files, `${PROD}/worker/ConfigMap/worker-config`).data).toEqual({ QUEUE: 'jobs' });
    const changed = renderValid(
      threeEnvMatrix({ apps: withApp('worker', { config: { QUEUE: 'other' } }) }),
      threeEnvPins(),
    );
    const hash = (f: typeof files) =>
      templateOf(f, `${PROD}/worker/Deployment/worker`).metadata.annotations['envmatrix.io/config-hash'];
    expect(hash(files)).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(changed)).not.toBe(hash(files));
  });
});

describe('secrets', () => {
  const files = render();

  it('become ExternalSecret references: one property, or every property of a key', () => {
    expect(objectAt(files, `${PROD}/api/ExternalSecret/api-db`)).toMatchObject({
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'api-db', namespace: 'api' },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { kind: 'ClusterSecretStore', name: 'vault' },
        target: { name: 'api-db', creationPolicy: 'Owner', deletionPolicy: 'Retain' },
        data: [{ secretKey: 'password', remoteRef: { key: 'api/db', property: 'password' } }],
      },
    });
    expect(objectAt(files, `${PROD}/api/ExternalSecret/api-tls`).spec).toMatchObject({
      dataFrom: [{ extract: { key: 'api/tls' } }],
    });
  });

  it('are mounted read-only as files, never as values in the manifests', () => {
    const pod = templateOf(files, `${PROD}/api/Rollout/api`);
    expect(pod.spec.containers[0]!.volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'tmp' },
      { mountPath: '/var/run/secrets/api-db', name: 'secret-api-db', readOnly: true },
      { mountPath: '/var/run/secrets/api-tls', name: 'secret-api-tls', readOnly: true },
    ]);
    expect(pod.spec.volumes).toEqual([
      { emptyDir: {}, name: 'tmp' },
      { name: 'secret-api-db', secret: { secretName: 'api-db' } },
      { name: 'secret-api-tls', secret: { secretName: 'api-tls' } },
    ]);
    expect([...files.values()].flatMap((f) => f.objects).filter((o) => o.kind === 'Secret')).toEqual([]);
  });
});

describe('namespaces', () => {
  it('are owned by the alphabetically first app in them', () => {
    const apps = threeEnvApps().map((a) => (a.name === 'api' ? a : { ...a, namespace: 'shared' }));
    const files = renderValid(threeEnvMatrix({ apps }), threeEnvPins());
    const namespaces = [...files.values()]
      .filter((f) => f.path.startsWith(`${PROD}/`))
      .flatMap((f) =>
        f.objects.filter((o) => o.kind === 'Namespace').map((o) => `${f.path}#${o.metadata.name}`),
      );
    expect(namespaces).toEqual([`${PROD}/api/manifest.yaml#api`, `${PROD}/web/manifest.yaml#shared`]);
    expect(objectAt(files, `${PROD}/web/NetworkPolicy/default-deny`).metadata.namespace).toBe('shared');
    expect(
      [...objectsIn(files, `${PROD}/worker`).keys()].filter(
        (f) => f.includes('default-deny') || f.startsWith('Namespace/'),
      ),
    ).toEqual([]);
    expect(objectAt(files, `${PROD}/worker/Deployment/worker`).metadata.namespace).toBe('shared');
  });

  it('enforce the restricted Pod Security Standard', () => {
    expect(objectAt(render(), `${PROD}/api/Namespace/api`).metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
  });
});

describe('the generator contract', () => {
  it('has one unit per app on a target, scoped by target id and keyed by the app folder', () => {
    const { resolved } = checkedMatrix(threeEnvMatrix(), threeEnvPins());
    const units = k8sGenerator.units(resolved);
    expect(units.map((u) => [u.scope, u.key])).toEqual(
      resolved.targets.flatMap((t) => t.apps.map((a) => [t.id, `k8s/${t.id}/${a.name}`])),
    );
  });

  it('gives each unit what its folder depends on: the app, target coordinates, policy, settings and peers', () => {
    const { resolved } = checkedMatrix(threeEnvMatrix(), threeEnvPins());
    const inputs = new Map(k8sGenerator.units(resolved).map((u) => [u.key, u.input as AppInput]));
    const prod = resolved.targets.find((t) => t.id === 'prod/aws/eu-west-1/main')!;
    const shared = {
      target: { id: prod.id, env: 'prod', cloud: 'aws', region: 'eu-west-1', cluster: 'main' },
      policy: { minZones: 3, podDisruptionBudget: true },
      settings: { ingressNamespace: 'ingress-nginx', partOf: 'platform', monitoringNamespace: 'monitoring' },
      ownsNamespace: true,
      destinations: [],
    };
    expect(inputs.get(`${PROD}/api`)).toEqual({
      ...shared,
      app: prod.apps.find((a) => a.name === 'api'),
      dependencies: [],
      dependents: [
        { name: 'web', namespace: 'web' },
        { name: 'worker', namespace: 'worker' },
      ],
    });
    expect(inputs.get(`${PROD}/web`)).toEqual({
      ...shared,
      app: prod.apps.find((a) => a.name === 'web'),
      // Only what api serves (http), not its metrics port.
      dependencies: [{ name: 'api', namespace: 'api', ports: [8080] }],
      dependents: [],
    });
  });

  it('keeps cdk8s out of start-up imports: it loads only when a unit renders', () => {
    // In a fresh process: this one loaded every renderer in the vitest setup.
    const script = [
      "import { createRequire } from 'node:module';",
      "await import('./src/output/synth.ts');",
      'const loaded = Object.keys(createRequire(import.meta.url).cache).filter((p) => /node_modules[\\\\/]cdk8s/.test(p));',
      'console.log(JSON.stringify(loaded));',
    ].join('\n');
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual([]);
  });

  it('folds the cdk8s and cdk8s-plus-28 versions into its version', async () => {
    const { version: cdk8s } = (await import('cdk8s/package.json', { with: { type: 'json' } })).default;
    const { version: plus } = (await import('cdk8s-plus-28/package.json', { with: { type: 'json' } }))
      .default;
    // 3: objects holding ${ or $$ carry the Flux substitute opt-out (issue 11, finding 10).
    expect(K8S_GENERATOR_VERSION).toBe(`5+cdk8s.${cdk8s}+cdk8s-plus-28.${plus}`);
  });

  it('sets the app of every file', () => {
    for (const file of render().values()) expect(file.path.split('/')[5], file.path).toBe(file.app);
  });

  it('renders the same bytes whatever CDK8S_* variables the machine has set', () => {
    const before = [...render().values()].map((f) => f.content);
    process.env.CDK8S_DISABLE_SORT = 'true';
    process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
    try {
      expect([...render().values()].map((f) => f.content)).toEqual(before);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
      delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    }
  });
});
