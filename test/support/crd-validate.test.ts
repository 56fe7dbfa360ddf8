import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { crdsAvailable, hasCrd, loadCrds, servedApiVersions, validateAgainstCrd } from './crd-validate.ts';

// ---------------------------------------------------------------------------------------------------
// Semantics, against a small CRD this test writes itself (no shared data needed).

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.test.envmatrix.io' },
  spec: {
    group: 'test.envmatrix.io',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: {
                type: 'object',
                required: ['size'],
                properties: {
                  size: { type: 'integer', minimum: 1, maximum: 10 },
                  colour: { type: 'string', enum: ['red', 'blue'] },
                  interval: { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' },
                  name: { type: 'string', minLength: 1, maxLength: 5 },
                  port: {
                    'x-kubernetes-int-or-string': true,
                    anyOf: [{ type: 'integer' }, { type: 'string' }],
                  },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                  opaque: { type: 'object' },
                  when: { type: 'string', format: 'date-time' },
                  tags: {
                    type: 'array',
                    items: { type: 'string' },
                    'x-kubernetes-list-type': 'set',
                    maxItems: 3,
                  },
                  ports: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['name'],
                    items: {
                      type: 'object',
                      required: ['name'],
                      properties: { name: { type: 'string' }, port: { type: 'integer' } },
                    },
                  },
                  target: {
                    type: 'object',
                    properties: { url: { type: 'string' }, path: { type: 'string' } },
                    oneOf: [{ required: ['url'] }, { required: ['path'] }],
                  },
                  resource: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: {} },
                  maybe: { type: 'string', nullable: true },
                },
              },
            },
          },
        },
      },
      {
        name: 'v1beta1',
        served: false,
        storage: false,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

const tmp = mkdtempSync(join(tmpdir(), 'envmatrix-crd-'));
writeFileSync(join(tmp, 'test.envmatrix.io_widgets.yaml'), stringify(widgetCrd));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const widget = (
  spec: Record<string, unknown>,
  metadata: Record<string, unknown> = { name: 'w', namespace: 'ns' },
) => ({
  apiVersion: 'test.envmatrix.io/v1',
  kind: 'Widget',
  metadata,
  spec,
});

describe('structural-schema semantics (synthetic CRD)', () => {
  it('indexes the folder and reports served versions', () => {
    expect(loadCrds(tmp).map((c) => [c.name, c.group, c.kind, c.scope])).toEqual([
      ['widgets.test.envmatrix.io', 'test.envmatrix.io', 'Widget', 'Namespaced'],
    ]);
    expect(servedApiVersions('test.envmatrix.io/v9', 'Widget', tmp)).toEqual(['test.envmatrix.io/v1']);
    expect(hasCrd('test.envmatrix.io/v1beta1', 'Widget', tmp)).toBe(true);
    expect(hasCrd('test.envmatrix.io/v1', 'Gadget', tmp)).toBe(false);
  });

  it('accepts a valid object, including maps, preserved fields, int-or-string and nulls', () => {
    const ok = widget({
      size: 3,
      colour: 'red',
      interval: '1h30m',
      name: 'abc',
      port: 'http',
      labels: { 'app.kubernetes.io/name': 'api' },
      free: { anything: { goes: [1, 'two'] } },
      when: '2026-01-02T03:04:05Z',
      tags: ['a', 'b'],
      ports: [
        { name: 'http', port: 80 },
        { name: 'grpc', port: 90 },
      ],
      target: { url: 'https://example.com' },
      resource: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
      maybe: null,
    });
    expect(validateAgainstCrd(ok, tmp)).toEqual([]);
    expect(validateAgainstCrd(widget({ size: 10, port: 8080 }), tmp)).toEqual([]);
    // The API server prunes a null for a field that is not nullable before it validates: no error.
    expect(validateAgainstCrd(widget({ size: 1, colour: null }), tmp)).toEqual([]);
  });

  it('reports unknown fields, types, enums, patterns, bounds, formats, lists and oneOf', () => {
    const bad = widget({
      size: 'three',
      colour: 'green',
      interval: '10 minutes',
      name: 'toolong',
      port: true,
      labels: { team: 7 },
      opaque: { x: 1 },
      when: 'yesterday',
      tags: ['a', 'a', 'b', 'c'],
      ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }, { port: 82 }],
      target: { url: 'u', path: 'p' },
      resource: { apiVersion: 'v1', kind: 'ConfigMap', extra: true },
      colr: 'red',
    });
    expect(validateAgainstCrd(bad, tmp)).toEqual([
      'Widget ns/w: .spec.size: must be of type integer, got string',
      'Widget ns/w: .spec.colour: unsupported value "green" (supported: "red", "blue")',
      'Widget ns/w: .spec.interval: "10 minutes" does not match pattern ^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
      'Widget ns/w: .spec.name: must be at most 5 characters long, got 7',
      'Widget ns/w: .spec.port: must be an integer or a string, got boolean',
      'Widget ns/w: .spec.labels.team: must be of type string, got integer',
      'Widget ns/w: .spec.opaque.x: unknown field',
      'Widget ns/w: .spec.when: "yesterday" is not an RFC 3339 date-time',
      'Widget ns/w: .spec.tags: must have at most 3 items, got 4',
      'Widget ns/w: .spec.tags[1]: duplicate value "a"',
      'Widget ns/w: .spec.ports[1]: duplicate entry with name="http"',
      'Widget ns/w: .spec.ports[2].name: required field missing',
      'Widget ns/w: .spec.target: must match exactly one schema in oneOf, matched 2',
      'Widget ns/w: .spec.resource.extra: unknown field',
      'Widget ns/w: .spec.colr: unknown field',
    ]);
  });

  it('reports missing required fields and numeric bounds', () => {
    expect(validateAgainstCrd(widget({}), tmp)).toEqual(['Widget ns/w: .spec.size: required field missing']);
    expect(validateAgainstCrd(widget({ size: 0 }), tmp)).toEqual([
      'Widget ns/w: .spec.size: must be at least 1, got 0',
    ]);
    expect(validateAgainstCrd(widget({ size: 1, target: {} }), tmp)).toEqual([
      'Widget ns/w: .spec.target: must match exactly one schema in oneOf, matched 0',
    ]);
  });

  it('rejects a version that is defined but not served, and one that is not defined', () => {
    expect(
      validateAgainstCrd({ ...widget({ size: 1 }), apiVersion: 'test.envmatrix.io/v1beta1' }, tmp),
    ).toEqual([
      'Widget ns/w: .apiVersion: test.envmatrix.io/v1beta1 is not served by CRD widgets.test.envmatrix.io (v1beta1 is defined with served: false; served: test.envmatrix.io/v1)',
    ]);
    expect(validateAgainstCrd({ ...widget({ size: 1 }), apiVersion: 'test.envmatrix.io/v2' }, tmp)).toEqual([
      'Widget ns/w: .apiVersion: test.envmatrix.io/v2 is not served by CRD widgets.test.envmatrix.io (the CRD does not define v2; served: test.envmatrix.io/v1)',
    ]);
  });

  it('validates metadata loosely: names, label keys and values, string maps, unknown fields', () => {
    const bad = widget(
      { size: 1 },
      {
        name: 'Web_API',
        namespace: 'Team A',
        labels: { 'app.kubernetes.io/name': 'ok', 'bad key!': 'x', tier: 'not valid!', replicas: 3 },
        annotations: { 'example.com/note': 'anything at all, even spaces' },
        label: { typo: 'x' },
      },
    );
    expect(validateAgainstCrd(bad, tmp)).toEqual([
      'Widget Team A/Web_API: .metadata.label: unknown field',
      'Widget Team A/Web_API: .metadata.name: "Web_API" is not a valid name (lowercase RFC 1123 subdomain)',
      'Widget Team A/Web_API: .metadata.namespace: "Team A" is not a valid namespace (RFC 1123 label)',
      'Widget Team A/Web_API: .metadata.labels["bad key!"]: "bad key!" is not a valid key (qualified name)',
      'Widget Team A/Web_API: .metadata.labels.tier: "not valid!" is not a valid label value',
      'Widget Team A/Web_API: .metadata.labels.replicas: must be of type string, got integer',
    ]);
    expect(
      validateAgainstCrd({ apiVersion: 'test.envmatrix.io/v1', kind: 'Widget', spec: { size: 1 } }, tmp),
    ).toEqual(['Widget <unnamed>: .metadata.name: required field missing']);
  });

  it('gives a clear error for a kind without a CRD, and for non-objects', () => {
    expect(hasCrd('apps/v1', 'Deployment', tmp)).toBe(false);
    expect(
      validateAgainstCrd({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' } }, tmp),
    ).toEqual([
      `Deployment web: no CRD for apps/v1 Deployment in ${tmp} (it holds test.envmatrix.io/Widget)`,
    ]);
    expect(validateAgainstCrd('kind: Widget', tmp)).toEqual(['<object>: not an object (got string)']);
    expect(validateAgainstCrd({ kind: 'Widget', metadata: { name: 'w' } }, tmp)).toEqual([
      'Widget w: .apiVersion: required field missing',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------
// The official CRDs in ../shared/crds.

const crds = crdsAvailable();

describe.skipIf(!crds.available)('official CRDs (../shared/crds)', () => {
  it('finds every CRD the design names, with its served versions', () => {
    expect(loadCrds().map((c) => `${c.group}/${c.kind}`)).toEqual(
      expect.arrayContaining([
        'argoproj.io/Application',
        'argoproj.io/ApplicationSet',
        'argoproj.io/AppProject',
        'kustomize.toolkit.fluxcd.io/Kustomization',
        'source.toolkit.fluxcd.io/GitRepository',
        'argoproj.io/Rollout',
        'argoproj.io/AnalysisTemplate',
        'external-secrets.io/ExternalSecret',
      ]),
    );
    expect(servedApiVersions('kustomize.toolkit.fluxcd.io/v1', 'Kustomization')).toEqual([
      'kustomize.toolkit.fluxcd.io/v1',
    ]);
    expect(servedApiVersions('source.toolkit.fluxcd.io/v1', 'GitRepository')).toEqual([
      'source.toolkit.fluxcd.io/v1',
    ]);
    expect(servedApiVersions('external-secrets.io/v1', 'ExternalSecret')).toEqual(['external-secrets.io/v1']);
    expect(hasCrd('argoproj.io/v1alpha1', 'ApplicationSet')).toBe(true);
    expect(hasCrd('apps/v1', 'Deployment')).toBe(false);
  });

  describe('Argo CD', () => {
    const applicationSet = (syncPolicy: Record<string, unknown>) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: {
        name: 'prod',
        namespace: 'argocd',
        labels: { 'app.kubernetes.io/managed-by': 'envmatrix' },
      },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [
          {
            list: {
              elements: [{ cluster: 'prod-aws-us-east-1', url: 'https://kubernetes.default.svc', wave: '0' }],
            },
          },
        ],
        strategy: {
          type: 'RollingSync',
          rollingSync: {
            steps: [{ matchExpressions: [{ key: 'envmatrix.io/wave', operator: 'In', values: ['0'] }] }],
          },
        },
        template: {
          metadata: { name: '{{.cluster}}-api', labels: { 'envmatrix.io/wave': '{{.wave}}' } },
          spec: {
            project: 'prod',
            source: {
              repoURL: 'https://github.com/acme/platform.git',
              targetRevision: 'main',
              path: 'generated/k8s/prod/aws/us-east-1/main/api',
            },
            destination: { server: '{{.url}}', namespace: 'api' },
            syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true'] },
          },
        },
        syncPolicy,
      },
    });

    it('accepts a realistic ApplicationSet', () => {
      expect(validateAgainstCrd(applicationSet({ preserveResourcesOnDeletion: true }))).toEqual([]);
    });

    it('rejects the preserveResourceOnDeletion typo that the model validator lets through', () => {
      expect(validateAgainstCrd(applicationSet({ preserveResourceOnDeletion: true }))).toEqual([
        'ApplicationSet argocd/prod: .spec.syncPolicy.preserveResourceOnDeletion: unknown field',
      ]);
    });

    it('rejects an unsupported applicationsSync policy and a missing project', () => {
      const bad = applicationSet({ applicationsSync: 'create-everything' });
      delete (bad.spec.template.spec as Record<string, unknown>).project;
      expect(validateAgainstCrd(bad)).toEqual([
        'ApplicationSet argocd/prod: .spec.template.spec.project: required field missing',
        'ApplicationSet argocd/prod: .spec.syncPolicy.applicationsSync: unsupported value "create-everything" (supported: "create-only", "create-update", "create-delete", "sync")',
      ]);
    });

    const application = (helm: Record<string, unknown>) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: 'api-prod',
        namespace: 'argocd',
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      spec: {
        project: 'prod',
        source: { repoURL: 'https://charts.example.com', chart: 'api', targetRevision: '1.5.0', helm },
        destination: { name: 'in-cluster', namespace: 'api' },
        syncPolicy: {
          automated: { prune: true },
          retry: { limit: 5, backoff: { duration: '5s', factor: 2 } },
        },
      },
    });

    it('accepts anything under helm.valuesObject (x-kubernetes-preserve-unknown-fields)', () => {
      expect(
        validateAgainstCrd(application({ valuesObject: { any: { nested: ['thing', 1, true] } } })),
      ).toEqual([]);
    });

    it('checks types inside Application specs', () => {
      const bad = application({ releaseName: 7, valueFiles: 'values.yaml' });
      (bad.spec.syncPolicy.retry as Record<string, unknown>).limit = 'five';
      expect(validateAgainstCrd(bad)).toEqual([
        'Application argocd/api-prod: .spec.source.helm.releaseName: must be of type string, got integer',
        'Application argocd/api-prod: .spec.source.helm.valueFiles: must be of type array, got string',
        'Application argocd/api-prod: .spec.syncPolicy.retry.limit: must be of type integer, got string',
      ]);
    });

    it('accepts a realistic AppProject and rejects an unknown field in it', () => {
      const project = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AppProject',
        metadata: { name: 'prod', namespace: 'argocd' },
        spec: {
          description: 'prod',
          sourceRepos: ['https://github.com/acme/platform.git'],
          destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }],
          clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
          syncWindows: [
            {
              kind: 'deny',
              schedule: '0 16 * * 5',
              duration: '64h',
              applications: ['*'],
              timeZone: 'Europe/Berlin',
            },
          ],
        },
      };
      expect(validateAgainstCrd(project)).toEqual([]);
      const bad = {
        ...project,
        spec: { ...project.spec, destinations: [{ server: 'x', namespaces: ['*'] }] },
      };
      expect(validateAgainstCrd(bad)).toEqual([
        'AppProject argocd/prod: .spec.destinations[0].namespaces: unknown field',
      ]);
    });
  });

  describe('Flux', () => {
    const kustomization = (apiVersion: string, spec: Record<string, unknown>) => ({
      apiVersion,
      kind: 'Kustomization',
      metadata: { name: 'api', namespace: 'flux-system' },
      spec,
    });
    const goodSpec = {
      interval: '10m',
      retryInterval: '1m30s',
      path: './generated/k8s/prod/onprem/dc1/main/api',
      prune: true,
      wait: true,
      timeout: '5m',
      sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      dependsOn: [{ name: 'web' }],
      targetNamespace: 'api',
    };

    it('accepts a Kustomization at kustomize.toolkit.fluxcd.io/v1', () => {
      expect(validateAgainstCrd(kustomization('kustomize.toolkit.fluxcd.io/v1', goodSpec))).toEqual([]);
    });

    it('rejects a Kustomization at v1beta2 as not served', () => {
      expect(validateAgainstCrd(kustomization('kustomize.toolkit.fluxcd.io/v1beta2', goodSpec))).toEqual([
        'Kustomization flux-system/api: .apiVersion: kustomize.toolkit.fluxcd.io/v1beta2 is not served by CRD kustomizations.kustomize.toolkit.fluxcd.io (the CRD does not define v1beta2; served: kustomize.toolkit.fluxcd.io/v1)',
      ]);
    });

    it('reports wrong types, patterns, enums, unknown and missing fields', () => {
      const withoutSource: Record<string, unknown> = { ...goodSpec };
      delete withoutSource.sourceRef;
      const spec = {
        ...withoutSource,
        prune: 'yes',
        interval: '10 minutes',
        deletionPolicy: 'Keep',
        preserveResourceOnDeletion: true,
      };
      expect(validateAgainstCrd(kustomization('kustomize.toolkit.fluxcd.io/v1', spec))).toEqual([
        'Kustomization flux-system/api: .spec.sourceRef: required field missing',
        'Kustomization flux-system/api: .spec.interval: "10 minutes" does not match pattern ^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$',
        'Kustomization flux-system/api: .spec.prune: must be of type boolean, got string',
        'Kustomization flux-system/api: .spec.deletionPolicy: unsupported value "Keep" (supported: "MirrorPrune", "Delete", "WaitForTermination", "Orphan")',
        'Kustomization flux-system/api: .spec.preserveResourceOnDeletion: unknown field',
      ]);
    });

    const gitRepository = (apiVersion: string, spec: Record<string, unknown>) => ({
      apiVersion,
      kind: 'GitRepository',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec,
    });

    it('accepts a GitRepository at v1 and rejects v1beta2, an scp-style url and an unknown ref field', () => {
      const spec = { interval: '1m', url: 'https://github.com/acme/platform.git', ref: { branch: 'main' } };
      expect(validateAgainstCrd(gitRepository('source.toolkit.fluxcd.io/v1', spec))).toEqual([]);
      expect(validateAgainstCrd(gitRepository('source.toolkit.fluxcd.io/v1beta2', spec))).toEqual([
        'GitRepository flux-system/flux-system: .apiVersion: source.toolkit.fluxcd.io/v1beta2 is not served by CRD gitrepositories.source.toolkit.fluxcd.io (the CRD does not define v1beta2; served: source.toolkit.fluxcd.io/v1)',
      ]);
      const bad = { ...spec, url: 'git@github.com:acme/platform.git', ref: { branch: 'main', brnach: 'x' } };
      expect(validateAgainstCrd(gitRepository('source.toolkit.fluxcd.io/v1', bad))).toEqual([
        'GitRepository flux-system/flux-system: .spec.url: "git@github.com:acme/platform.git" does not match pattern ^(http|https|ssh)://.*$',
        'GitRepository flux-system/flux-system: .spec.ref.brnach: unknown field',
      ]);
    });
  });

  describe('Argo Rollouts', () => {
    const rollout = (steps: unknown[]) => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'api', namespace: 'api' },
      spec: {
        replicas: 3,
        revisionHistoryLimit: 3,
        selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: {
            containers: [
              {
                name: 'api',
                image: 'ghcr.io/acme/api:1.5.0',
                ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                resources: { requests: { cpu: '200m', memory: '256Mi' } },
              },
            ],
          },
        },
        strategy: { canary: { steps, analysis: { templates: [{ templateName: 'success-rate' }] } } },
      },
    });

    it('accepts a canary Rollout (pause duration as string or integer)', () => {
      expect(
        validateAgainstCrd(
          rollout([
            { setWeight: 5 },
            { pause: { duration: '5m' } },
            { setWeight: 50 },
            { pause: { duration: 300 } },
          ]),
        ),
      ).toEqual([]);
    });

    it('rejects a non-integer weight, a boolean duration and an unknown step', () => {
      expect(
        validateAgainstCrd(rollout([{ setWeight: 'five' }, { pause: { duration: true } }, { wait: '5m' }])),
      ).toEqual([
        'Rollout api/api: .spec.strategy.canary.steps[0].setWeight: must be of type integer, got string',
        'Rollout api/api: .spec.strategy.canary.steps[1].pause.duration: must be an integer or a string, got boolean',
        'Rollout api/api: .spec.strategy.canary.steps[2].wait: unknown field',
      ]);
    });

    it('accepts an AnalysisTemplate and requires each metric provider', () => {
      const template = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'AnalysisTemplate',
        metadata: { name: 'success-rate', namespace: 'api' },
        spec: {
          args: [{ name: 'service' }],
          metrics: [
            {
              name: 'success-rate',
              interval: '1m',
              count: 5,
              failureLimit: 1,
              successCondition: 'result[0] >= 0.95',
              provider: { prometheus: { address: 'http://prometheus:9090', query: 'sum(rate(x[5m]))' } },
            },
          ],
        },
      };
      expect(validateAgainstCrd(template)).toEqual([]);
      const noProvider: Record<string, unknown> = { ...template.spec.metrics[0] };
      delete noProvider.provider;
      expect(validateAgainstCrd({ ...template, spec: { metrics: [noProvider] } })).toEqual([
        'AnalysisTemplate api/success-rate: .spec.metrics[0].provider: required field missing',
      ]);
    });
  });

  describe('External Secrets', () => {
    const externalSecret = (apiVersion: string) => ({
      apiVersion,
      kind: 'ExternalSecret',
      metadata: { name: 'api-db', namespace: 'api' },
      spec: {
        refreshInterval: '1h',
        secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
        target: { name: 'api-db', creationPolicy: 'Owner' },
        data: [{ secretKey: 'db', remoteRef: { key: 'api/db' } }],
      },
    });

    it('accepts external-secrets.io/v1', () => {
      expect(validateAgainstCrd(externalSecret('external-secrets.io/v1'))).toEqual([]);
    });

    it('rejects external-secrets.io/v1beta1 as not served', () => {
      expect(validateAgainstCrd(externalSecret('external-secrets.io/v1beta1'))).toEqual([
        'ExternalSecret api/api-db: .apiVersion: external-secrets.io/v1beta1 is not served by CRD externalsecrets.external-secrets.io (v1beta1 is defined with served: false; served: external-secrets.io/v1)',
      ]);
    });

    it('rejects a bad secretKey and an unknown store kind', () => {
      const bad = externalSecret('external-secrets.io/v1');
      bad.spec.secretStoreRef.kind = 'VaultStore';
      bad.spec.data[0]!.secretKey = 'db password';
      const errors = validateAgainstCrd(bad);
      expect(errors).toContain(
        'ExternalSecret api/api-db: .spec.data[0].secretKey: "db password" does not match pattern ^[-._a-zA-Z0-9]+$',
      );
      expect(
        errors.some((e) =>
          e.startsWith(
            'ExternalSecret api/api-db: .spec.secretStoreRef.kind: unsupported value "VaultStore"',
          ),
        ),
      ).toBe(true);
    });
  });
});
