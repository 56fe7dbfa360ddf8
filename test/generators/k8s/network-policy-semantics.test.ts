/**
 * Consumer test of the example's NetworkPolicies: the rendered objects of each target go through a
 * NetworkPolicy evaluator (test/support/network-policy-eval.ts) with pods as the rendered workloads
 * label them. Every flow the matrix declares must be allowed, and sampled undeclared ones denied:
 * app → app on the ports the dependency serves (and not its other ports), app → external destination,
 * the ingress controller → exposed app, DNS, and strangers → nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DNS_NAMESPACE, DNS_POD_LABELS, DNS_PORT } from '../../../src/generators/k8s/network-policy.ts';
import {
  DEFAULT_INGRESS_NAMESPACE,
  DEFAULT_MONITORING_NAMESPACE,
} from '../../../src/generators/k8s/index.ts';
import { loadMatrix } from '../../../src/matrix/load.ts';
import type { ResolvedMatrix, ResolvedTarget } from '../../../src/matrix/types.ts';
import { NetworkPolicyModel, type Endpoint } from '../../support/network-policy-eval.ts';
import { projectRoot } from '../../support/tools.ts';
import { renderK8s, type K8sObject, type ParsedFile } from './helpers.ts';

let matrix: ResolvedMatrix;
let files: Map<string, ParsedFile>;

beforeAll(async () => {
  matrix = (await loadMatrix({ root: projectRoot })).resolved;
  files = renderK8s(matrix);
});

interface TargetView {
  readonly model: NetworkPolicyModel;
  /** App name → one of its pods, labelled as its workload's pod template says. */
  readonly pods: ReadonlyMap<string, Endpoint & { pod: string }>;
}

function podTemplateLabels(object: K8sObject): Record<string, string> | undefined {
  const spec = object.spec as
    | {
        template?: { metadata?: { labels?: Record<string, string> } };
        jobTemplate?: { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } };
      }
    | undefined;
  return spec?.template?.metadata?.labels ?? spec?.jobTemplate?.spec?.template?.metadata?.labels;
}

function viewOf(target: ResolvedTarget): TargetView {
  const prefix = `k8s/${target.id}/`;
  const objects = [...files].filter(([path]) => path.startsWith(prefix)).flatMap(([, file]) => file.objects);
  const pods = new Map<string, Endpoint & { pod: string }>();
  for (const app of target.apps) {
    const workload = [...files]
      .filter(([path]) => path.startsWith(`${prefix}${app.name}/`))
      .flatMap(([, file]) => file.objects)
      .find((object) => object.kind !== 'Job' && podTemplateLabels(object) !== undefined);
    const labels = workload && podTemplateLabels(workload);
    if (!labels) throw new Error(`no pod template for ${app.name} on ${target.id}`);
    pods.set(app.name, { pod: app.name, namespace: app.namespace, labels });
  }
  return { model: new NetworkPolicyModel(objects), pods };
}

function pod(view: TargetView, app: string): Endpoint & { pod: string } {
  const found = view.pods.get(app);
  if (!found) throw new Error(`no pod for ${app}`);
  return found;
}

/** The first address of an IPv4 CIDR, and one just past its end. */
function insideAndOutside(cidr: string): [string, string] {
  const [base = '', prefix = '32'] = cidr.split('/');
  const n = base.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const past = n + 2 ** (32 - Number(prefix));
  const dotted = (v: number) => [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join('.');
  return [dotted(n + 1), dotted(past)];
}

const STRANGER: Endpoint = { pod: 'debug', namespace: 'default', labels: { run: 'debug' } };
const INGRESS_CONTROLLER: Endpoint = {
  pod: 'controller',
  namespace: DEFAULT_INGRESS_NAMESPACE,
  labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
};
const PROMETHEUS: Endpoint = {
  pod: 'prometheus',
  namespace: DEFAULT_MONITORING_NAMESPACE,
  labels: { 'app.kubernetes.io/name': 'prometheus' },
};
const DNS: Endpoint = { pod: 'coredns', namespace: DNS_NAMESPACE, labels: { ...DNS_POD_LABELS } };

describe('NetworkPolicy semantics of the example, per target', () => {
  it('covers every target', () => {
    expect(matrix.targets.length).toBeGreaterThan(5);
  });

  it('app → app: a dependsOn edge opens exactly the ports the dependency serves', () => {
    let checked = 0;
    for (const target of matrix.targets) {
      const view = viewOf(target);
      for (const app of target.apps) {
        for (const name of app.dependsOn) {
          const dependency = target.apps.find((a) => a.name === name);
          if (!dependency) continue;
          const served = new Set(dependency.values.serves ?? []);
          for (const [portName, port] of Object.entries(dependency.ports)) {
            const flow = { from: pod(view, app.name), to: pod(view, name), port };
            expect(view.model.allows(flow), `${target.id}: ${app.name} → ${name}:${portName}`).toBe(
              served.has(portName),
            );
            checked += 1;
          }
          // The edge is one-way: the dependency may not call back.
          for (const port of Object.values(app.ports)) {
            expect(view.model.allows({ from: pod(view, name), to: pod(view, app.name), port })).toBe(false);
          }
        }
      }
    }
    // web and worker → api on http (open) and metrics (closed), on every target that places them.
    expect(checked).toBeGreaterThan(10);
  });

  it('app → external: egress reaches each destination CIDR on its ports, nothing past them', () => {
    let checked = 0;
    for (const target of matrix.targets) {
      const view = viewOf(target);
      for (const app of target.apps) {
        for (const name of app.values.egress?.external ?? []) {
          const destination = target.destinations[name];
          if (!destination) throw new Error(`${target.id} has no ${name}`);
          for (const cidr of destination.cidrs) {
            const [inside, outside] = insideAndOutside(cidr);
            for (const port of destination.ports) {
              const from = pod(view, app.name);
              expect(view.model.allows({ from, to: { ip: inside }, port }), `${target.id} ${app.name}`).toBe(
                true,
              );
              expect(view.model.allows({ from, to: { ip: outside }, port })).toBe(false);
              expect(view.model.allows({ from, to: { ip: inside }, port: port + 1 })).toBe(false);
              checked += 1;
            }
          }
        }
        // Apps that do not name the destination cannot reach it.
        for (const destination of Object.values(target.destinations)) {
          if ((app.values.egress?.external ?? []).includes(destination.name)) continue;
          const [inside] = insideAndOutside(destination.cidrs[0] ?? '');
          const port = destination.ports[0] ?? 0;
          expect(view.model.allows({ from: pod(view, app.name), to: { ip: inside }, port })).toBe(false);
        }
      }
    }
    // api and the report CronJob, on every target (one postgres CIDR and port each).
    expect(checked).toBe(
      matrix.targets.flatMap((t) => t.apps.filter((a) => (a.values.egress?.external ?? []).length > 0))
        .length,
    );
    expect(checked).toBe(2 * matrix.targets.length);
  });

  it('monitoring → metrics: Prometheus reaches the metrics port of apps with metrics, and no other port', () => {
    let scraped = 0;
    for (const target of matrix.targets) {
      const view = viewOf(target);
      for (const app of target.apps) {
        const metricsPort = app.values.metrics?.port;
        for (const [name, port] of Object.entries(app.ports)) {
          const flow = { from: PROMETHEUS, to: pod(view, app.name), port };
          expect(view.model.allows(flow), `${target.id} ${app.name}:${name}`).toBe(name === metricsPort);
          if (name === metricsPort) scraped += 1;
        }
      }
    }
    // api everywhere, worker off-prem.
    expect(scraped).toBeGreaterThan(matrix.targets.length);
  });

  it('gateway → exposed app on the routed port only; strangers reach no app; every app resolves DNS', () => {
    let routed = 0;
    for (const target of matrix.targets) {
      const view = viewOf(target);
      const gatewayPod: Endpoint = {
        pod: 'envoy',
        namespace: target.gateway?.namespace ?? 'gateway',
        labels: { app: 'envoy' },
      };
      for (const app of target.apps) {
        const { expose } = app.values;
        const routedPort = typeof expose === 'object' ? app.ports[expose.port] : undefined;
        for (const port of Object.values(app.ports)) {
          const to = pod(view, app.name);
          const label = `${target.id} ${app.name}:${port}`;
          expect(view.model.allows({ from: gatewayPod, to, port }), label).toBe(port === routedPort);
          if (port === routedPort) routed += 1;
          expect(view.model.allows({ from: INGRESS_CONTROLLER, to, port }), label).toBe(expose === true);
          expect(view.model.allows({ from: STRANGER, to, port })).toBe(false);
        }
        const from = pod(view, app.name);
        expect(view.model.allows({ from, to: DNS, port: DNS_PORT, protocol: 'UDP' })).toBe(true);
        expect(view.model.allows({ from, to: { ip: '1.1.1.1' }, port: 443 })).toBe(false);
        expect(view.model.allows({ from, to: STRANGER, port: 8080 })).toBe(false);
      }
    }
    // web on every target.
    expect(routed).toBe(matrix.targets.length);
  });
});
