/**
 * NetworkPolicies, deny by default: each namespace gets a policy that isolates every pod in it, and each
 * app gets a policy that opens exactly the edges the matrix declares. When app A depends on B, B admits
 * A's pods (from A's namespace) on B's ports and A may send to B's pods on those ports; whatever other
 * contributors ask for (AppInstance.ingress: the ingress controller for an exposed Service) is admitted
 * on the ports they name; every app may resolve names through the cluster DNS.
 */
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { IngressAllowance } from '../app-folder.ts';
import { cdk8sContributor } from './chart.ts';
import { metaOf, type AppContext, type ObjectMeta, type PeerApp, type TargetCoordinates } from './context.ts';
import { selectorLabels } from './labels.ts';
import { appObjectName } from './names.ts';

/** Where the cluster DNS runs, by the labels kube-dns and CoreDNS share on EKS, GKE, AKS and kubeadm. */
export const DNS_NAMESPACE = 'kube-system';
export const DNS_POD_LABELS = { 'k8s-app': 'kube-dns' } as const;
export const DNS_PORT = 53;

function tcpPorts(ports: readonly number[]): kplus.NetworkPolicyPort[] {
  return ports.map((port) => kplus.NetworkPolicyPort.tcp(port));
}

/** The pods of `peer` on `target`, wherever they are seen from (a peer in another namespace). */
function podsOf(scope: Construct, id: string, target: TargetCoordinates, peer: PeerApp): kplus.Pods {
  return kplus.Pods.select(scope, id, {
    labels: { ...selectorLabels(target, peer.name) },
    namespaces: kplus.Namespaces.select(scope, `${id}-namespace`, { names: [peer.namespace] }),
  });
}

export const networkPolicyContributor = cdk8sContributor({
  name: 'network-policy',
  build: (chart, ctx) => {
    addAppNetworkPolicy(chart, ctx);
  },
});

/** The peer an allowance names: pods of a namespace (by labels), or the whole namespace. */
function allowancePeer(scope: Construct, id: string, allowance: IngressAllowance): kplus.INetworkPolicyPeer {
  const namespaces = { names: [allowance.namespace] };
  return allowance.podLabels
    ? kplus.Pods.select(scope, id, {
        labels: { ...allowance.podLabels },
        namespaces: kplus.Namespaces.select(scope, `${id}-namespace`, namespaces),
      })
    : kplus.Namespaces.select(scope, id, namespaces);
}

/** The app's own policy: its pods, isolated both ways, with the declared edges opened. */
export function addAppNetworkPolicy(scope: Construct, ctx: AppContext): kplus.NetworkPolicy {
  const { app, target } = ctx;
  const policy = new kplus.NetworkPolicy(scope, 'network-policy', {
    metadata: metaOf(ctx, appObjectName(app)),
    selector: kplus.Pods.select(scope, 'network-policy-pods', { labels: { ...ctx.selector } }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
  const ownPorts = tcpPorts(Object.values(app.ports));
  if (ownPorts.length > 0) {
    for (const dependent of ctx.dependents) {
      policy.addIngressRule(podsOf(scope, `from-${dependent.name}`, target, dependent), ownPorts);
    }
  }
  ctx.ingress.forEach((allowance, index) => {
    const ports = tcpPorts(allowance.ports);
    if (ports.length > 0) policy.addIngressRule(allowancePeer(scope, `ingress-${index}`, allowance), ports);
  });
  for (const dependency of ctx.dependencies) {
    const ports = tcpPorts(dependency.ports);
    // No ports: the dependency is about start order only, and there is nothing to connect to.
    if (ports.length > 0)
      policy.addEgressRule(podsOf(scope, `to-${dependency.name}`, target, dependency), ports);
  }
  policy.addEgressRule(
    kplus.Pods.select(scope, 'to-dns', {
      labels: { ...DNS_POD_LABELS },
      namespaces: kplus.Namespaces.select(scope, 'to-dns-namespace', { names: [DNS_NAMESPACE] }),
    }),
    [kplus.NetworkPolicyPort.udp(DNS_PORT), kplus.NetworkPolicyPort.tcp(DNS_PORT)],
  );
  return policy;
}

/**
 * The namespace-wide deny: every pod of the namespace, including ones no app declares (a debug pod),
 * is isolated for ingress and egress unless an app policy allows the traffic.
 */
export function addDefaultDenyPolicy(scope: Construct, meta: ObjectMeta): kplus.NetworkPolicy {
  return new kplus.NetworkPolicy(scope, 'default-deny', {
    metadata: meta,
    selector: kplus.Pods.all(scope, 'default-deny-pods'),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
}
