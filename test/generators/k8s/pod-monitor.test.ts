/**
 * Metrics of an app without a Service (issue 13, "Prometheus cannot scrape anything"): a worker whose
 * only port is its metrics port gets no Service, and a PodMonitor the official CRD accepts (reviewed
 * snapshot) that selects its pods by the container port's name. The NetworkPolicy evaluator proves that
 * the monitoring namespace reaches that port and that undeclared flows to it are denied.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEFAULT_MONITORING_NAMESPACE } from '../../../src/generators/k8s/index.ts';
import { crdsAvailable, validateAgainstCrd } from '../../support/crd-validate.ts';
import { NetworkPolicyModel, selects, type Endpoint } from '../../support/network-policy-eval.ts';
import { objectAt, objectsIn, renderValid, threeEnvMatrix, threeEnvPins, withApp } from './helpers.ts';

const PROD = 'k8s/prod/aws/eu-west-1/main';
const crds = crdsAvailable();

const matrix = threeEnvMatrix({ apps: withApp('worker', { metrics: { port: 'metrics', interval: '1m' } }) });
const files = renderValid(matrix, threeEnvPins());

const PROMETHEUS: Endpoint = {
  pod: 'prometheus',
  namespace: DEFAULT_MONITORING_NAMESPACE,
  labels: { 'app.kubernetes.io/name': 'prometheus' },
};

describe('PodMonitor', () => {
  it('scrapes a worker without a Service through a PodMonitor (reviewed snapshot)', async () => {
    await expect(stringify(objectAt(files, `${PROD}/worker/PodMonitor/worker`))).toMatchFileSnapshot(
      '__snapshots__/podmonitor-worker.yaml',
    );
    const kinds = [...objectsIn(files, `${PROD}/worker`).keys()];
    expect(kinds).not.toContain('Service/worker');
    expect(kinds).not.toContain('ServiceMonitor/worker');
  });

  it('keeps the Service and a ServiceMonitor for an app that serves other ports', () => {
    const api = threeEnvMatrix({ apps: withApp('api', { metrics: { port: 'metrics' } }) });
    const kinds = [...objectsIn(renderValid(api, threeEnvPins()), `${PROD}/api`).keys()];
    expect(kinds).toEqual(expect.arrayContaining(['Service/api', 'ServiceMonitor/api']));
    expect(kinds).not.toContain('PodMonitor/api');
  });

  it.skipIf(!crds.available)('passes the strict walk against the official PodMonitor CRD', () => {
    expect(validateAgainstCrd(objectAt(files, `${PROD}/worker/PodMonitor/worker`))).toEqual([]);
  });

  it('selects the worker pods by labels and the named container port Prometheus may reach', () => {
    const monitor = objectAt(files, `${PROD}/worker/PodMonitor/worker`);
    const spec = monitor.spec as {
      selector: { matchLabels: Record<string, string> };
      namespaceSelector: { matchNames: string[] };
      podMetricsEndpoints: { port: string }[];
    };
    const template = objectAt(files, `${PROD}/worker/Deployment/worker`).spec!.template!;
    expect(selects(spec.selector, template.metadata.labels)).toBe(true);
    expect(spec.namespaceSelector.matchNames).toEqual(['worker']);
    const containerPorts = template.spec.containers.flatMap((c) => c.ports ?? []);
    const scraped = containerPorts.find((p) => p.name === spec.podMetricsEndpoints[0]?.port);
    expect(scraped?.containerPort).toBe(9090);

    const objects = [...files]
      .filter(([path]) => path.startsWith(`${PROD}/`))
      .flatMap(([, file]) => file.objects);
    const model = new NetworkPolicyModel(objects);
    const worker: Endpoint = { pod: 'worker', namespace: 'worker', labels: template.metadata.labels };
    const apiLabels = objectAt(files, `${PROD}/api/Rollout/api`).spec!.template!.metadata.labels;
    const api: Endpoint = { pod: 'api', namespace: 'api', labels: apiLabels };
    const stranger: Endpoint = { pod: 'debug', namespace: 'default', labels: { run: 'debug' } };
    // Declared: the monitoring namespace scrapes the metrics port.
    expect(model.allows({ from: PROMETHEUS, to: worker, port: 9090 })).toBe(true);
    // Undeclared: another port, another namespace, the worker's own dependency calling back.
    expect(model.allows({ from: PROMETHEUS, to: worker, port: 8080 })).toBe(false);
    expect(model.allows({ from: stranger, to: worker, port: 9090 })).toBe(false);
    expect(model.allows({ from: api, to: worker, port: 9090 })).toBe(false);
  });
});
