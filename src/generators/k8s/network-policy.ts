/**
 * NetworkPolicies, deny by default: each namespace gets a policy that isolates every pod in it, and each
 * app gets a policy that opens exactly the edges the matrix declares. When app A depends on B, B admits
 * A's pods (from A's namespace) on the ports B `serves` and A may send to B's pods on those ports (B's
 * metrics or admin ports stay closed to A); whatever other contributors ask for (AppInstance.ingress:
 * the ingress controller for an exposed Service) is admitted on the ports they name; `egress` opens
 * named external destinations (ipBlocks) and in-cluster namespaces or selectors; every app may resolve
 * names through the cluster DNS.
 */
import { kplus } from './cdk8s.ts';
import type { Construct } from 'constructs';
import type { IngressAllowance } from '../app-folder.ts';
import { cdk8sContributor } from './chart.ts';
import { metaOf, type AppContext, type ObjectMeta, type PeerApp, type TargetCoordinates } from './context.ts';
import { selectorLabels } from './labels.ts';
import { appObjectName } from './names.ts';
import { servedPorts } from './app-input.ts';

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
  const ownPorts = tcpPorts(servedPorts(app));
  if (ownPorts.length > 0) {
    for (const dependent of ctx.dependents) {
      policy.addIngressRule(podsOf(scope, `from-${dependent.name}`, target, dependent), ownPorts);
    }
  }
  ctx.ingress.forEach((allowance, index) => {
    const ports = tcpPorts(allowance.ports);
    if (ports.length > 0) policy.addIngressRule(allowancePeer(scope, `ingress-${index}`, allowance), ports);
  });
  addAppEgress(scope, policy, ctx, ctx.dependencies);
  return policy;
}

/**
 * What the app's pods may send to: `dependencies` on the ports they serve, its declared `egress`, and
 * the cluster DNS. Shared by every pod that runs the app's code (a migration Job's too).
 */
function addAppEgress(
  scope: Construct,
  policy: kplus.NetworkPolicy,
  ctx: AppContext,
  dependencies: AppContext['dependencies'],
): void {
  const { target } = ctx;
  for (const dependency of dependencies) {
    const ports = tcpPorts(dependency.ports);
    // No ports: the dependency is about start order only, and there is nothing to connect to.
    if (ports.length > 0)
      policy.addEgressRule(podsOf(scope, `to-${dependency.name}`, target, dependency), ports);
  }
  addDeclaredEgress(scope, policy, ctx);
  policy.addEgressRule(
    kplus.Pods.select(scope, 'to-dns', {
      labels: { ...DNS_POD_LABELS },
      namespaces: kplus.Namespaces.select(scope, 'to-dns-namespace', { names: [DNS_NAMESPACE] }),
    }),
    [kplus.NetworkPolicyPort.udp(DNS_PORT), kplus.NetworkPolicyPort.tcp(DNS_PORT)],
  );
}

/**
 * A policy for pods that run the app's code outside its workload (a migration Job): isolated both ways,
 * no ingress at all, the app's declared egress and DNS. Not its dependencies: they admit the app's
 * workload pods only, so an egress rule towards them would promise a path that is closed at the far end.
 */
export function addEgressOnlyPolicy(
  scope: Construct,
  ctx: AppContext,
  name: string,
  podLabels: Readonly<Record<string, string>>,
): kplus.NetworkPolicy {
  const policy = new kplus.NetworkPolicy(scope, 'network-policy', {
    metadata: { ...metaOf(ctx, name), labels: { ...ctx.labels, ...podLabels } },
    selector: kplus.Pods.select(scope, 'network-policy-pods', { labels: { ...podLabels } }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
  addAppEgress(scope, policy, ctx, []);
  return policy;
}

/** `egress`: each external destination's CIDRs on its ports, then each in-cluster peer on its ports. */
function addDeclaredEgress(scope: Construct, policy: kplus.NetworkPolicy, ctx: AppContext): void {
  for (const destination of ctx.destinations) {
    const ports = tcpPorts(destination.ports);
    destination.cidrs.forEach((cidr, index) => {
      const id = `to-${destination.name}-${index}`;
      const block = cidr.includes(':')
        ? kplus.NetworkPolicyIpBlock.ipv6(scope, id, cidr)
        : kplus.NetworkPolicyIpBlock.ipv4(scope, id, cidr);
      policy.addEgressRule(block, ports);
    });
  }
  (ctx.app.values.egress?.cluster ?? []).forEach((peer, index) => {
    const ports = tcpPorts(peer.ports);
    if (ports.length > 0) policy.addEgressRule(allowancePeer(scope, `egress-${index}`, peer), ports);
  });
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
