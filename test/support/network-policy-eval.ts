/**
 * An evaluator of Kubernetes NetworkPolicy semantics over plain objects, for consumer tests: does a
 * cluster holding these policies let this connection through? It follows the API reference
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 * - a pod is isolated for ingress (egress) when a policy in its namespace selects it with that policy
 *   type (`policyTypes` defaults to Ingress, plus Egress when the policy has egress rules);
 * - an isolated pod admits (sends) only what some rule of a selecting policy allows, rules are OR-ed;
 * - a rule with no `from`/`to` matches every peer, one with no `ports` every port;
 * - a peer with only `podSelector` means pods of the policy's namespace, only `namespaceSelector` every
 *   pod of the matching namespaces, both the pods matching both; `ipBlock` matches addresses outside the
 *   cluster (cidr minus except), never pods (pod IPs are ephemeral, the docs leave them undefined);
 * - a connection needs the sender's egress and the receiver's ingress.
 * No npm package evaluates NetworkPolicies offline (grep of the registry list), hence this module; its
 * own tests are in network-policy-eval.test.ts.
 */
import { isIP } from 'node:net';

export type Labels = Readonly<Record<string, string>>;

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: PolicyPort[];
}

export interface NetworkPolicyObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: Rule[];
    egress?: Rule[];
  };
}

/** A pod, by namespace and labels; or an address outside the cluster. */
export type Endpoint =
  { readonly pod: string; readonly namespace: string; readonly labels: Labels } | { readonly ip: string };

export interface Connection {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP';
}

/** `true` when `labels` satisfy `selector`; an empty selector selects everything. */
export function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const value = labels[key];
    const ok =
      operator === 'In'
        ? value !== undefined && values.includes(value)
        : operator === 'NotIn'
          ? value === undefined || !values.includes(value)
          : operator === 'Exists'
            ? value !== undefined
            : operator === 'DoesNotExist'
              ? value === undefined
              : unknownOperator(operator);
    if (!ok) return false;
  }
  return true;
}

function unknownOperator(operator: string): never {
  throw new Error(`unknown label selector operator ${operator}`);
}

/** IPv4 address as a number, or undefined for other families. */
function ipv4(address: string): bigint | undefined {
  if (isIP(address) !== 4) return undefined;
  return address.split('.').reduce((n, part) => (n << 8n) + BigInt(Number(part)), 0n);
}

/** `ip` inside `cidr` (IPv4; IPv6 ranges match nothing here, as no test sends IPv6). */
export function inCidr(ip: string, cidr: string): boolean {
  const [base = '', prefix = '32'] = cidr.split('/');
  const a = ipv4(ip);
  const b = ipv4(base);
  if (a === undefined || b === undefined) return false;
  const bits = BigInt(32 - Number(prefix));
  return a >> bits === b >> bits;
}

export class NetworkPolicyModel {
  private readonly policies: readonly NetworkPolicyObject[];
  private readonly namespaceLabels: ReadonlyMap<string, Labels>;

  /**
   * `namespaces`: extra labels per namespace; every namespace also carries
   * `kubernetes.io/metadata.name`, as the API server sets it.
   */
  constructor(objects: readonly { kind: string }[], namespaces: Readonly<Record<string, Labels>> = {}) {
    this.policies = objects.filter((o): o is NetworkPolicyObject => o.kind === 'NetworkPolicy');
    this.namespaceLabels = new Map(Object.entries(namespaces));
  }

  private labelsOfNamespace(namespace: string): Labels {
    return { ...this.namespaceLabels.get(namespace), 'kubernetes.io/metadata.name': namespace };
  }

  /** Is the connection allowed by both the sender's egress and the receiver's ingress? */
  allows(connection: Connection): boolean {
    return this.direction(connection, 'Egress') && this.direction(connection, 'Ingress');
  }

  /** One side: the policies selecting the pod on that side, or allowed when none (or an address). */
  private direction(connection: Connection, type: 'Ingress' | 'Egress'): boolean {
    const self = type === 'Egress' ? connection.from : connection.to;
    const other = type === 'Egress' ? connection.to : connection.from;
    if (!('pod' in self)) return true;
    const selecting = this.policies.filter(
      (p) =>
        p.metadata.namespace === self.namespace &&
        selects(p.spec.podSelector, self.labels) &&
        policyTypes(p).includes(type),
    );
    if (selecting.length === 0) return true;
    return selecting.some((policy) =>
      (type === 'Egress' ? (policy.spec.egress ?? []) : (policy.spec.ingress ?? [])).some(
        (rule) =>
          this.peersMatch(type === 'Egress' ? rule.to : rule.from, policy, other) &&
          portsMatch(rule.ports, connection.port, connection.protocol ?? 'TCP'),
      ),
    );
  }

  private peersMatch(peers: Peer[] | undefined, policy: NetworkPolicyObject, other: Endpoint): boolean {
    if (!peers || peers.length === 0) return true;
    return peers.some((peer) => this.peerMatches(peer, policy, other));
  }

  private peerMatches(peer: Peer, policy: NetworkPolicyObject, other: Endpoint): boolean {
    if (peer.ipBlock) {
      const { cidr, except = [] } = peer.ipBlock;
      return 'ip' in other && inCidr(other.ip, cidr) && !except.some((e) => inCidr(other.ip, e));
    }
    if (!('pod' in other)) return false;
    const namespaceOk = peer.namespaceSelector
      ? selects(peer.namespaceSelector, this.labelsOfNamespace(other.namespace))
      : other.namespace === policy.metadata.namespace;
    return namespaceOk && (!peer.podSelector || selects(peer.podSelector, other.labels));
  }
}

function policyTypes(policy: NetworkPolicyObject): string[] {
  return policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress ? ['Egress'] : [])];
}

function portsMatch(ports: PolicyPort[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') throw new Error(`named port ${p.port}: the evaluator needs numbers`);
    return p.endPort !== undefined ? port >= p.port && port <= p.endPort : port === p.port;
  });
}
