import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  assessRisks,
  holdsMigration,
  networkPolicyLoosening,
  versionOnlyPatches,
} from '../../src/promote/risk.ts';

const T = 'prod/aws/us-east-1/main';
const yaml = (...docs: unknown[]) => docs.map((d) => stringify(d)).join('---\n');
const service = (type: string, port: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'api', namespace: 'api' },
  spec: { type, ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }] },
});
const deployment = (namespace = 'api', strategy: unknown = { type: 'RollingUpdate' }) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace },
  spec: { strategy, template: { spec: { containers: [{ name: 'api', image: 'ghcr.io/acme/api:1.4.2' }] } } },
});
const policy = (ingress: unknown[]) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api', namespace: 'api' },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ingress },
});

describe('risk assessment of a rendered change', () => {
  it('finds nothing in a version bump', () => {
    const before = yaml(deployment(), service('ClusterIP', 8080));
    const after = before.replace('api:1.4.2', 'api:1.5.0');
    expect(assessRisks([{ path: `k8s/${T}/api/manifests.yaml`, scope: T, before, after }])).toEqual([]);
  });

  it('lists deletions, namespace moves, Service, strategy, PVC, CRD, RBAC and NetworkPolicy changes, most serious first', () => {
    const path = `k8s/${T}/api/manifests.yaml`;
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'api', namespace: 'api' },
      rules: [],
    };
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: 'api' },
      spec: {},
    };
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.acme.io' },
      spec: {},
    };
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'api-config', namespace: 'api' },
      data: {},
    };
    const before = yaml(
      deployment(),
      service('ClusterIP', 8080),
      configMap,
      policy([{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }]),
    );
    const after = yaml(
      deployment('api-v2', { type: 'Recreate' }),
      service('LoadBalancer', 80),
      role,
      pvc,
      crd,
      policy([{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }, {}]),
    );
    expect(assessRisks([{ path, scope: T, before, after }]).map((r) => `${r.kind}: ${r.detail}`)).toEqual([
      'deletion: ConfigMap api/api-config is deleted',
      'namespace: Deployment api: namespace api → api-v2 (deleted and recreated)',
      'crd: CustomResourceDefinition things.acme.io is added',
      'rbac: Role api/api is added',
      'network-policy: NetworkPolicy api/api: ingress now allows every source',
      'persistent-volume: PersistentVolumeClaim api/data is added',
      'service: Service api/api: ports http 8080→http TCP → http 80→http TCP',
      'service: Service api/api: type ClusterIP → LoadBalancer',
    ]);
  });

  it('sees a Deployment replaced by an Argo Rollout as a strategy change, not a deletion', () => {
    const rollout = {
      ...deployment(),
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      spec: { strategy: { canary: {} } },
    };
    expect(
      assessRisks([{ path: 'a.yaml', scope: T, before: yaml(deployment()), after: yaml(rollout) }]).map(
        (r) => r.detail,
      ),
    ).toEqual(['Deployment api/api: Deployment → Rollout']);
  });

  it('reads the values files: strategy, namespace, ports and apps leaving a target', () => {
    const values = (apps: Record<string, unknown>) => JSON.stringify({ target: { id: T }, apps });
    const before = values({
      api: {
        namespace: 'api',
        ports: { http: 8080 },
        strategy: { kind: 'canary', steps: [5, 100] },
        expose: false,
      },
      worker: { namespace: 'worker', ports: {}, strategy: { kind: 'rolling' }, expose: false },
    });
    const after = values({
      api: { namespace: 'api', ports: { http: 8081 }, strategy: { kind: 'blueGreen' }, expose: true },
    });
    expect(
      assessRisks([{ path: `values/${T}.json`, scope: T, before, after }]).map(
        (r) => `${r.kind}: ${r.detail}`,
      ),
    ).toEqual([
      `deletion: worker is no longer deployed to ${T}`,
      'service: api: exposed through the ingress no → yes',
      'service: api: ports {"http":8080} → {"http":8081}',
      'strategy: api: strategy canary → blueGreen',
    ]);
  });

  it('reads Terraform JSON: destroyed resources and IAM', () => {
    const tf = (resource: unknown) => JSON.stringify({ resource });
    const before = tf({ aws_eks_cluster: { main: { name: 'x' } }, aws_iam_role: { nodes: { name: 'n' } } });
    const after = tf({ aws_iam_role: { nodes: { name: 'n2' } } });
    expect(
      assessRisks([
        { path: 'terraform/prod/aws/us-east-1/main.tf.json', scope: 'prod/aws/us-east-1', before, after },
      ]).map((r) => r.detail),
    ).toEqual([
      'terraform destroys aws_eks_cluster.main',
      // A new role name replaces the role (the classifier CI runs over plans: plan-risk.ts).
      'terraform replaces aws_iam_role.nodes (name changes)',
      'terraform changes IAM aws_iam_role.nodes',
    ]);
  });

  it('does not call a tightened NetworkPolicy looser', () => {
    const wide = policy([{}, { from: [{ podSelector: {} }] }]);
    const narrow = policy([{ from: [{ podSelector: {} }] }]);
    expect(networkPolicyLoosening(wide, narrow)).toBeUndefined();
    expect(networkPolicyLoosening(narrow, wide)).toBe('ingress now allows every source');
    expect(networkPolicyLoosening(narrow, { ...narrow, spec: { ...narrow.spec, policyTypes: [] } })).toBe(
      'no longer restricts Ingress',
    );
  });
});

describe('migrations in a promotion (issue 13)', () => {
  const path = `k8s/${T}/api/manifest.yaml`;
  const job = (image: string, command = ['./migrate', 'up']) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'api-migrate',
      namespace: 'api',
      labels: { 'app.kubernetes.io/component': 'migration', 'app.kubernetes.io/name': 'api-migrate' },
    },
    spec: { template: { spec: { containers: [{ name: 'migrate', image, command }] } } },
  });

  it('lists a migration that runs at the promoted version, though its diff only moves the version', () => {
    const before = yaml(deployment(), job('ghcr.io/acme/api:1.4.2'));
    const after = before.replaceAll('api:1.4.2', 'api:1.5.0');
    // The version-only shortcut would skip this file; a migration Job keeps it in.
    const patch = `--- a\n+++ b\n-    image: ghcr.io/acme/api:1.4.2\n+    image: ghcr.io/acme/api:1.5.0\n`;
    expect(versionOnlyPatches([{ tag: '1.4.2' }, { tag: '1.5.0' }])(patch)).toBe(true);
    expect(holdsMigration(after)).toBe(true);
    expect(holdsMigration(yaml(deployment()))).toBe(false);
    expect(assessRisks([{ path, scope: T, before, after }])).toEqual([
      {
        kind: 'migration',
        scope: T,
        detail: 'Job api/api-migrate changes: runs ./migrate up (ghcr.io/acme/api:1.5.0) before the rollout',
        path,
      },
    ]);
  });

  it('lists a new migration and a changed command; an unchanged one is not a risk', () => {
    const before = yaml(deployment());
    const added = yaml(deployment(), job('ghcr.io/acme/api:1.4.2'));
    const changed = yaml(deployment(), job('ghcr.io/acme/api:1.4.2', ['./migrate', 'down', '1']));
    expect(
      assessRisks([{ path, scope: T, before, after: added }]).map((r) => `${r.kind}: ${r.detail}`),
    ).toEqual([
      'migration: Job api/api-migrate is added: runs ./migrate up (ghcr.io/acme/api:1.4.2) before the rollout',
    ]);
    expect(assessRisks([{ path, scope: T, before: added, after: changed }]).map((r) => r.detail)).toEqual([
      'Job api/api-migrate changes: runs ./migrate down 1 (ghcr.io/acme/api:1.4.2) before the rollout',
    ]);
    expect(assessRisks([{ path, scope: T, before: added, after: added }])).toEqual([]);
  });
});
