import { describe, expect, it } from 'vitest';
import { crdsAvailable } from './crd-validate.ts';
import {
  hasModel,
  modelKinds,
  validateKubernetesObject,
  validateStrict,
  validateStrictYaml,
} from './k8s-validate.ts';

const labels = { 'app.kubernetes.io/name': 'web' };

const deployment = (spec: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels },
  spec: {
    replicas: 3,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'ghcr.io/acme/web@sha256:' + 'a'.repeat(64),
            ports: [{ name: 'http', containerPort: 8080 }],
            resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '256Mi' } },
            readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
          },
        ],
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchLabels: labels },
          },
        ],
      },
    },
    ...spec,
  },
});

const coreObjects: Record<string, unknown>[] = [
  deployment(),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' }, data: { LOG_LEVEL: 'info' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'default' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web', labels } },
  {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
  },
  {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web' },
    spec: { minAvailable: 2, selector: { matchLabels: labels } },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web' },
    spec: {
      podSelector: { matchLabels: labels },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } }],
          ports: [{ port: 8080 }],
        },
      ],
    },
  },
];

describe('validateKubernetesObject (kubernetes-models)', () => {
  it('registers the core, Argo CD, Flux and Argo Rollouts kinds the generators emit', () => {
    expect(modelKinds()).toEqual(
      expect.arrayContaining([
        'apps/v1 Deployment',
        'v1 Service',
        'v1 ConfigMap',
        'v1 ServiceAccount',
        'v1 Namespace',
        'autoscaling/v2 HorizontalPodAutoscaler',
        'policy/v1 PodDisruptionBudget',
        'networking.k8s.io/v1 NetworkPolicy',
        'argoproj.io/v1alpha1 Application',
        'argoproj.io/v1alpha1 ApplicationSet',
        'argoproj.io/v1alpha1 AppProject',
        'kustomize.toolkit.fluxcd.io/v1 Kustomization',
        'source.toolkit.fluxcd.io/v1 GitRepository',
        'argoproj.io/v1alpha1 Rollout',
        'argoproj.io/v1alpha1 AnalysisTemplate',
      ]),
    );
    // flux-cd 2.3 ships a v1beta2 model too; it is deliberately not registered.
    expect(hasModel('kustomize.toolkit.fluxcd.io/v1beta2', 'Kustomization')).toBe(false);
  });

  it.each(coreObjects.map((o) => [`${String(o.apiVersion)} ${String(o.kind)}`, o] as const))(
    'accepts a valid %s',
    (_name, obj) => {
      expect(validateKubernetesObject(obj)).toEqual([]);
    },
  );

  it('rejects a Deployment with replicas: "three"', () => {
    expect(validateKubernetesObject(deployment({ replicas: 'three' }))).toEqual([
      'Deployment default/web: .spec.replicas: must be integer',
    ]);
  });

  it('rejects a missing selector, a bad strategy type and a string containerPort', () => {
    const bad = deployment({ strategy: { type: 'BlueGreen' } });
    delete (bad.spec as Record<string, unknown>).selector;
    bad.spec.template.spec.containers[0]!.ports[0]!.containerPort = 'http' as unknown as number;
    expect(validateKubernetesObject(bad)).toEqual([
      'Deployment default/web: .spec.selector: required field missing',
      'Deployment default/web: .spec.strategy.type: must be one of "Recreate", "RollingUpdate"',
      'Deployment default/web: .spec.template.spec.containers[0].ports[0].containerPort: must be integer',
    ]);
  });

  it('rejects an HPA on autoscaling/v2 with a string minReplicas, and a PDB with a boolean minAvailable', () => {
    const hpa = { ...coreObjects[5]!, spec: { ...(coreObjects[5]!.spec as object), minReplicas: '2' } };
    expect(validateKubernetesObject(hpa)).toEqual([
      'HorizontalPodAutoscaler web: .spec.minReplicas: must be integer',
    ]);
    const pdb = { ...coreObjects[6]!, spec: { minAvailable: true } };
    expect(validateKubernetesObject(pdb)).toContain(
      'PodDisruptionBudget web: .spec.minAvailable: must be integer',
    );
  });

  it('does not catch unknown fields: that is what validateStrict and the CRD walk are for', () => {
    expect(validateKubernetesObject(deployment({ replicaz: 3 }))).toEqual([]);
  });

  it('says when there is no validator for an apiVersion/kind', () => {
    expect(
      validateKubernetesObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    ).toEqual(['Widget w: no validator for example.com/v1 Widget']);
    expect(
      validateKubernetesObject({
        apiVersion: 'autoscaling/v2beta2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'web' },
      }),
    ).toEqual([
      'HorizontalPodAutoscaler web: no validator for autoscaling/v2beta2 HorizontalPodAutoscaler (registered for this kind: autoscaling/v2 HorizontalPodAutoscaler)',
    ]);
    expect(validateKubernetesObject(['not', 'an', 'object'])).toEqual([
      '<object>: not an object (got array)',
    ]);
  });

  it('validates Argo CD, Flux and Argo Rollouts objects with their models', () => {
    const kustomization = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'api', namespace: 'flux-system' },
      spec: {
        interval: '10m',
        path: './api',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
    };
    expect(validateKubernetesObject(kustomization)).toEqual([]);
    expect(
      validateKubernetesObject({ ...kustomization, spec: { ...kustomization.spec, prune: 'yes' } }),
    ).toEqual(['Kustomization flux-system/api: .spec.prune: must be boolean']);
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'api' },
      spec: { selector: { matchLabels: labels }, strategy: { canary: { steps: [{ setWeight: 'five' }] } } },
    };
    expect(validateKubernetesObject(rollout)).toEqual([
      'Rollout api: .spec.strategy.canary.steps[0].setWeight: must be integer',
    ]);
    const appProject = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: 'prod', namespace: 'argocd' },
      spec: { sourceRepos: 'https://github.com/acme/platform.git' },
    };
    expect(validateKubernetesObject(appProject)).toEqual([
      'AppProject argocd/prod: .spec.sourceRepos: must be array',
    ]);
  });
});

const crds = crdsAvailable();

describe.skipIf(!crds.available)('validateStrict (models + official CRDs)', () => {
  const applicationSet = (syncPolicy: Record<string, unknown>) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: 'prod', namespace: 'argocd' },
    spec: {
      generators: [{ list: { elements: [{ cluster: 'prod-aws-us-east-1' }] } }],
      template: {
        metadata: { name: '{{cluster}}-api' },
        spec: {
          project: 'prod',
          source: {
            repoURL: 'https://github.com/acme/platform.git',
            path: 'generated/k8s/prod',
            targetRevision: 'main',
          },
          destination: { name: '{{cluster}}', namespace: 'api' },
        },
      },
      syncPolicy,
    },
  });

  it('passes valid objects of every kind', () => {
    for (const obj of coreObjects) expect(validateStrict(obj)).toEqual([]);
    expect(validateStrict(applicationSet({ preserveResourcesOnDeletion: true }))).toEqual([]);
  });

  it('catches the preserveResourceOnDeletion typo that the model alone accepts', () => {
    const typo = applicationSet({ preserveResourceOnDeletion: true });
    expect(validateKubernetesObject(typo)).toEqual([]);
    expect(validateStrict(typo)).toEqual([
      'ApplicationSet argocd/prod: .spec.syncPolicy.preserveResourceOnDeletion: unknown field',
    ]);
  });

  it('reports a path once when model and CRD both object to it, keeping the CRD message', () => {
    const kustomization = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'api', namespace: 'flux-system' },
      spec: { interval: '10m', prune: 'yes', sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    };
    expect(validateStrict(kustomization)).toEqual([
      'Kustomization flux-system/api: .spec.prune: must be of type boolean, got string',
    ]);
  });

  it('rejects Flux Kustomization v1beta2 as not served (no model is registered for it either)', () => {
    expect(
      validateStrict({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1beta2',
        kind: 'Kustomization',
        metadata: { name: 'api', namespace: 'flux-system' },
        spec: { interval: '10m', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
      }),
    ).toEqual([
      'Kustomization flux-system/api: .apiVersion: kustomize.toolkit.fluxcd.io/v1beta2 is not served by CRD kustomizations.kustomize.toolkit.fluxcd.io (the CRD does not define v1beta2; served: kustomize.toolkit.fluxcd.io/v1)',
    ]);
  });

  it('validates an ExternalSecret (CRD only, no model) and rejects v1beta1', () => {
    const externalSecret = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: 'api-db', namespace: 'api' },
      spec: {
        secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
        target: { name: 'api-db' },
        data: [{ secretKey: 'db', remoteRef: { key: 'api/db' } }],
      },
    };
    expect(validateStrict(externalSecret)).toEqual([]);
    expect(validateStrict({ ...externalSecret, apiVersion: 'external-secrets.io/v1beta1' })).toEqual([
      'ExternalSecret api/api-db: .apiVersion: external-secrets.io/v1beta1 is not served by CRD externalsecrets.external-secrets.io (v1beta1 is defined with served: false; served: external-secrets.io/v1)',
    ]);
  });

  it('still uses the model for core kinds, and says when nothing can validate a kind', () => {
    expect(validateStrict(deployment({ replicas: 'three' }))).toEqual([
      'Deployment default/web: .spec.replicas: must be integer',
    ]);
    expect(validateStrict({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual(
      ['Widget w: no validator for example.com/v1 Widget'],
    );
  });

  it('validates every document of a multi-document YAML text', () => {
    const text = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  A: "1"',
      '',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: three\n  selector: {}\n  template: {}',
      'apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata:\n  name: db',
    ].join('\n---\n');
    expect(validateStrictYaml(text)).toEqual([
      'Deployment web: .spec.replicas: must be integer',
      'ExternalSecret db: .apiVersion: external-secrets.io/v1beta1 is not served by CRD externalsecrets.external-secrets.io (v1beta1 is defined with served: false; served: external-secrets.io/v1)',
    ]);
    expect(validateStrictYaml('a: [1\n', 'bad.yaml')[0]).toMatch(/^bad\.yaml document 1: /);
  });
});
