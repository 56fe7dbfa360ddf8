/**
 * Namespaces, owned by one app each: apps may share a namespace, and two folders emitting the same
 * Namespace would fight over it (Argo CD reports a shared resource, Flux prunes it with either app). The
 * alphabetically first app of a namespace on a target owns the Namespace and its default-deny policy
 * (decided in app-input.ts, which sees the whole target).
 */
import { kplus } from './cdk8s.ts';
import type { Construct } from 'constructs';
import { cdk8sContributor } from './chart.ts';
import type { TargetCoordinates } from './context.ts';
import { sharedLabels } from './labels.ts';
import { DEFAULT_DENY_POLICY } from './names.ts';
import { addDefaultDenyPolicy } from './network-policy.ts';

/**
 * Pod Security Standards: the API server rejects pods that are not hardened (non-root, no privilege
 * escalation, all capabilities dropped, RuntimeDefault seccomp), which is what workload.ts renders.
 */
export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

/** The Namespace contributor: nothing unless the app owns its namespace (AppInput.ownsNamespace). */
export const namespaceContributor = cdk8sContributor({
  name: 'namespace',
  build: (chart, ctx) => {
    if (ctx.ownsNamespace) addNamespace(chart, ctx.target, ctx.app.namespace, ctx.settings.partOf);
  },
});

/** The Namespace and its default-deny NetworkPolicy (rendered by the owner; see AppInput.ownsNamespace). */
export function addNamespace(
  scope: Construct,
  target: TargetCoordinates,
  name: string,
  partOf: string,
): void {
  const labels = sharedLabels(target, partOf);
  new kplus.Namespace(scope, 'namespace', {
    metadata: { name, labels: { ...labels, ...POD_SECURITY_LABELS } },
  });
  addDefaultDenyPolicy(scope, { name: DEFAULT_DENY_POLICY, namespace: name, labels });
}
