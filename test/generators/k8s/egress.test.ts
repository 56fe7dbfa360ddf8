/**
 * Egress and `serves` (issue 13, "No way out" and "Over-open dependency edges"): named external
 * destinations defined per environment/region, in-cluster egress, dependsOn edges opening only served
 * ports; every value layered (explain names the layer) and validated with path, source and fix.
 */
import { describe, expect, it } from 'vitest';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import { explain } from '../../../src/matrix/explain.ts';
import type { DestinationSpec } from '../../../src/matrix/types.ts';
import { NetworkPolicyModel, type Endpoint } from '../../support/network-policy-eval.ts';
import { issuesOf } from '../../support/problems.ts';
import {
  objectAt,
  problemsOf,
  renderValid,
  threeEnvMatrix,
  threeEnvPins,
  withApp,
  type K8sObject,
} from './helpers.ts';

const DESTINATIONS: DestinationSpec[] = [
  { name: 'postgres', cidrs: ['10.0.64.0/24'], ports: [5432] },
  {
    name: 'postgres',
    env: 'prod',
    region: 'eu-west-1',
    cidrs: ['10.31.64.0/24', '10.31.65.0/24'],
    ports: [5432],
  },
  { name: 'payments', env: 'prod', cidrs: ['203.0.113.0/24'], ports: [443] },
];

function apiWith(change: Record<string, unknown>) {
  return withApp('api', { serves: ['http'], ...change });
}

const PROD = 'k8s/prod/aws/eu-west-1/main';

function podOf(app: string, target = 'prod-aws-eu-west-1-main'): Endpoint {
  return {
    pod: app,
    namespace: app,
    labels: { 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': `${app}-${target}` },
  };
}

describe('egress to named destinations and in-cluster peers', () => {
  const matrix = threeEnvMatrix({
    apps: apiWith({
      egress: {
        external: ['postgres'],
        cluster: [{ namespace: 'queue', podLabels: { app: 'rabbitmq' }, ports: [5672] }],
      },
    }),
    destinations: DESTINATIONS,
    overrides: [
      ...(threeEnvMatrix().overrides ?? []),
      { env: 'prod', app: 'api', set: { egress: { external: ['postgres', 'payments'] } } },
    ],
  });
  const files = renderValid(matrix, threeEnvPins());
  const policies = [...files]
    .filter(([path]) => path.startsWith(`${PROD}/`))
    .flatMap(([, file]) => file.objects)
    .filter((o) => o.kind === 'NetworkPolicy');
  const model = new NetworkPolicyModel(policies);

  it('renders one ipBlock rule per CIDR of the most specific definition, on its ports', () => {
    const policy = objectAt(files, `${PROD}/api/NetworkPolicy/api`) as K8sObject & {
      spec: { egress: { to: unknown[]; ports: unknown[] }[] };
    };
    expect(policy.spec.egress.slice(0, 4)).toEqual([
      { to: [{ ipBlock: { cidr: '10.31.64.0/24' } }], ports: [{ port: 5432, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '10.31.65.0/24' } }], ports: [{ port: 5432, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443, protocol: 'TCP' }] },
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'queue' } },
            podSelector: { matchLabels: { app: 'rabbitmq' } },
          },
        ],
        ports: [{ port: 5672, protocol: 'TCP' }],
      },
    ]);
  });

  it('allows the declared flows and denies their neighbours', () => {
    const api = podOf('api');
    const rabbit: Endpoint = { pod: 'rabbit', namespace: 'queue', labels: { app: 'rabbitmq' } };
    const other: Endpoint = { pod: 'x', namespace: 'queue', labels: { app: 'redis' } };
    expect(model.allows({ from: api, to: { ip: '10.31.65.9' }, port: 5432 })).toBe(true);
    // The env-wide definition (10.0.64.0/24) is replaced on eu-west-1, not added to.
    expect(model.allows({ from: api, to: { ip: '10.0.64.9' }, port: 5432 })).toBe(false);
    expect(model.allows({ from: api, to: { ip: '203.0.113.7' }, port: 443 })).toBe(true);
    expect(model.allows({ from: api, to: { ip: '203.0.113.7' }, port: 80 })).toBe(false);
    expect(model.allows({ from: api, to: rabbit, port: 5672 })).toBe(true);
    expect(model.allows({ from: api, to: other, port: 5672 })).toBe(false);
    expect(model.allows({ from: podOf('web'), to: { ip: '10.31.65.9' }, port: 5432 })).toBe(false);
  });

  it('dependsOn opens only the served port: web reaches api http, not its metrics port', () => {
    expect(model.allows({ from: podOf('web'), to: podOf('api'), port: 8080 })).toBe(true);
    expect(model.allows({ from: podOf('web'), to: podOf('api'), port: 9090 })).toBe(false);
    expect(model.allows({ from: podOf('worker'), to: podOf('api'), port: 9090 })).toBe(false);
  });

  it('explain shows the layer that set egress', () => {
    const { resolved } = checkedMatrix(matrix, threeEnvPins());
    const prod = explain(resolved, 'prod/aws/eu-west-1/main', 'api', 'egress.external');
    expect(prod.value).toEqual(['postgres', 'payments']);
    expect(prod.chains[0]?.steps.map((s) => s.layer)).toEqual(['app', 'environment']);
    expect(resolved.targets.find((t) => t.env === 'prod')?.destinations.postgres?.source).toMatch(
      /\(destinations\[1\]\)$/,
    );
  });
});

describe('validation of egress and serves', () => {
  it('rejects a destination a target does not define, blaming the layer that named it', () => {
    const matrix = threeEnvMatrix({
      apps: apiWith({ egress: { external: ['postgres'] } }),
      destinations: [{ name: 'postgres', env: 'prod', cidrs: ['10.30.64.0/24'], ports: [5432] }],
    });
    expect(problemsOf(matrix, threeEnvPins())).toEqual([
      `[dev/aws/us-east-1/main/api] egress to destination "postgres", which dev/aws/us-east-1/main does not define (defined: none) | add { name: 'postgres', cidrs, ports } to destinations with a selector that matches dev/aws/us-east-1/main, or remove "postgres" from egress.external for it`,
      `[staging/gcp/europe-west1/main/api] egress to destination "postgres", which staging/gcp/europe-west1/main does not define (defined: none) | add { name: 'postgres', cidrs, ports } to destinations with a selector that matches staging/gcp/europe-west1/main, or remove "postgres" from egress.external for it`,
    ]);
    expect(issuesOf(matrix, threeEnvPins())[0]?.source).toMatch(/helpers\.ts:\d+$/);
  });

  it('rejects bad destinations and served ports the app does not have', () => {
    const matrix = threeEnvMatrix({
      apps: withApp('api', { serves: ['http', 'grpc'] }),
      destinations: [{ name: 'Payments', cidrs: ['10.0.0.0/33', '203.0.113.0/24'], ports: [0] }],
    });
    const lines = problemsOf(matrix, threeEnvPins());
    expect(lines.slice(0, 3)).toEqual([
      '[destinations[0].name] destination name "Payments" is not a DNS-1123 label | use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
      '[destinations[0]] destination "Payments" cidr "10.0.0.0/33" is not an IPv4 or IPv6 CIDR | write an address and a prefix length, e.g. 10.30.64.0/24',
      '[destinations[0]] destination "Payments" port 0 is not a TCP port | use TCP port numbers from 1 to 65535',
    ]);
    expect(lines).toContain(
      '[dev/aws/us-east-1/main/api] serves "grpc", which is not one of the app\'s ports (http, metrics) | name ports from ports in serves',
    );
  });

  it('rejects in-cluster egress without ports', () => {
    const matrix = threeEnvMatrix({
      apps: withApp('worker', { egress: { cluster: [{ namespace: 'queue', ports: [] }] } }),
    });
    expect(problemsOf(matrix, threeEnvPins())[0]).toBe(
      '[dev/aws/us-east-1/main/worker] egress.cluster[0] to namespace "queue" has no ports | list the TCP ports the pods there serve',
    );
  });
});
