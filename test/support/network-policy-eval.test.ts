/** The NetworkPolicy evaluator against the cases the Kubernetes documentation spells out. */
import { describe, expect, it } from 'vitest';
import { inCidr, NetworkPolicyModel, selects, type Endpoint } from './network-policy-eval.ts';

const a: Endpoint = { pod: 'a', namespace: 'one', labels: { app: 'a' } };
const b: Endpoint = { pod: 'b', namespace: 'one', labels: { app: 'b' } };
const c: Endpoint = { pod: 'c', namespace: 'two', labels: { app: 'c' } };

function policy(namespace: string, spec: Record<string, unknown>) {
  return { kind: 'NetworkPolicy', metadata: { name: 'p', namespace }, spec };
}

describe('NetworkPolicyModel', () => {
  it('allows everything without policies, and nothing under a default deny', () => {
    expect(new NetworkPolicyModel([]).allows({ from: a, to: b, port: 80 })).toBe(true);
    const deny = new NetworkPolicyModel([
      policy('one', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    ]);
    expect(deny.allows({ from: a, to: b, port: 80 })).toBe(false);
    expect(deny.allows({ from: c, to: a, port: 80 })).toBe(false);
    expect(deny.allows({ from: a, to: { ip: '1.2.3.4' }, port: 80 })).toBe(false);
  });

  it('reads policyTypes as Ingress (plus Egress with egress rules) when absent', () => {
    const ingressOnly = new NetworkPolicyModel([
      policy('one', { podSelector: { matchLabels: { app: 'b' } } }),
    ]);
    expect(ingressOnly.allows({ from: a, to: b, port: 80 })).toBe(false);
    expect(ingressOnly.allows({ from: b, to: a, port: 80 })).toBe(true);
  });

  it('needs both sides: the sender’s egress and the receiver’s ingress', () => {
    const objects = [
      policy('one', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('one', {
        podSelector: { matchLabels: { app: 'b' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ port: 80 }] }],
      }),
    ];
    expect(new NetworkPolicyModel(objects).allows({ from: a, to: b, port: 80 })).toBe(false);
    const egress = policy('one', {
      podSelector: { matchLabels: { app: 'a' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'b' } } }], ports: [{ port: 80, protocol: 'TCP' }] },
      ],
    });
    const model = new NetworkPolicyModel([...objects, egress]);
    expect(model.allows({ from: a, to: b, port: 80 })).toBe(true);
    expect(model.allows({ from: a, to: b, port: 81 })).toBe(false);
    expect(model.allows({ from: a, to: b, port: 80, protocol: 'UDP' })).toBe(false);
  });

  it('scopes a podSelector-only peer to the policy’s namespace, a namespaceSelector to its namespaces', () => {
    const own = new NetworkPolicyModel([
      policy('one', {
        podSelector: { matchLabels: { app: 'b' } },
        ingress: [{ from: [{ podSelector: {} }] }],
      }),
    ]);
    expect(own.allows({ from: a, to: b, port: 1 })).toBe(true);
    expect(own.allows({ from: c, to: b, port: 1 })).toBe(false);
    const other = new NetworkPolicyModel(
      [
        policy('one', {
          podSelector: {},
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'x' } } }] }],
        }),
      ],
      { two: { team: 'x' } },
    );
    expect(other.allows({ from: c, to: b, port: 1 })).toBe(true);
    expect(other.allows({ from: a, to: b, port: 1 })).toBe(false);
  });

  it('matches ipBlocks on addresses (minus except), never on pods', () => {
    const model = new NetworkPolicyModel([
      policy('one', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } }] }],
      }),
    ]);
    expect(model.allows({ from: a, to: { ip: '10.0.4.1' }, port: 5432 })).toBe(true);
    expect(model.allows({ from: a, to: { ip: '10.0.5.1' }, port: 5432 })).toBe(false);
    expect(model.allows({ from: a, to: c, port: 5432 })).toBe(false);
  });

  it('evaluates selectors and CIDRs like the API server', () => {
    expect(selects({ matchExpressions: [{ key: 'app', operator: 'In', values: ['a'] }] }, { app: 'a' })).toBe(
      true,
    );
    expect(
      selects({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['a'] }] }, { app: 'a' }),
    ).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, { app: 'a' })).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, { app: 'a' })).toBe(
      true,
    );
    expect(inCidr('192.168.1.255', '192.168.1.0/24')).toBe(true);
    expect(inCidr('192.168.2.0', '192.168.1.0/24')).toBe(false);
  });
});
