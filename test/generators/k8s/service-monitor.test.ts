/**
 * Metrics (issue 13, "Prometheus cannot scrape anything"): `metrics` renders a ServiceMonitor the
 * official CRD accepts, reviewed as a snapshot; the NetworkPolicy admits the monitoring namespace on the
 * metrics port; the value is layered (explain) and validated with path and fix.
 */
import { describe, expect, it } from 'vitest';
import { createK8sGenerator } from '../../../src/generators/k8s/index.ts';
import { explain } from '../../../src/matrix/explain.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import { crdsAvailable, validateAgainstCrd } from '../../support/crd-validate.ts';
import {
  objectAt,
  objectsIn,
  problemsOf,
  renderK8s,
  renderValid,
  threeEnvMatrix,
  threeEnvPins,
  withApp,
} from './helpers.ts';
import { stringify } from 'yaml';

const PROD = 'k8s/prod/aws/eu-west-1/main';
const crds = crdsAvailable();

const matrix = threeEnvMatrix({
  apps: withApp('api', { serves: ['http'], metrics: { port: 'metrics' } }),
  overrides: [
    ...(threeEnvMatrix().overrides ?? []),
    { env: 'prod', app: 'api', set: { metrics: { interval: '15s' } } },
  ],
});

describe('metrics', () => {
  const files = renderValid(matrix, threeEnvPins());

  it('renders a ServiceMonitor over the metrics port (reviewed snapshot)', async () => {
    await expect(stringify(objectAt(files, `${PROD}/api/ServiceMonitor/api`))).toMatchFileSnapshot(
      '__snapshots__/servicemonitor-api.yaml',
    );
    expect(objectsIn(files, `${PROD}/web`).has('ServiceMonitor/web')).toBe(false);
  });

  it.skipIf(!crds.available)('passes the strict walk against the official ServiceMonitor CRD', () => {
    expect(validateAgainstCrd(objectAt(files, `${PROD}/api/ServiceMonitor/api`))).toEqual([]);
  });

  it('admits the monitoring namespace on the metrics port only; the namespace is a setting', () => {
    const policy = objectAt(files, `${PROD}/api/NetworkPolicy/api`);
    expect((policy.spec?.ingress as unknown[]).at(-1)).toEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          podSelector: {},
        },
      ],
      ports: [{ port: 9090, protocol: 'TCP' }],
    });
    const { resolved } = checkedMatrix(matrix, threeEnvPins());
    const custom = renderK8s(resolved, createK8sGenerator({ monitoringNamespace: 'observability' }));
    expect(custom.get(`${PROD}/api/manifest.yaml`)?.content).toContain(
      'kubernetes.io/metadata.name: observability',
    );
  });

  it('explain names the layer of each metrics value', () => {
    const { resolved } = checkedMatrix(matrix, threeEnvPins());
    const { chains } = explain(resolved, 'prod/aws/eu-west-1/main', 'api', 'metrics');
    expect(chains.map((c) => [c.path, c.steps.map((s) => s.layer)])).toEqual([
      ['metrics.interval', ['environment']],
      ['metrics.port', ['app']],
    ]);
  });

  it('rejects a metrics port the app does not have', () => {
    expect(
      problemsOf(
        threeEnvMatrix({ apps: withApp('web', { metrics: { port: 'metrics', path: 'metrics' } }) }),
        threeEnvPins(),
      ).slice(0, 2),
    ).toEqual([
      `[dev/aws/us-east-1/main/web] metrics port "metrics" is not one of the app's ports (http) | name a port from ports, e.g. add metrics: 9090 to ports`,
      `[dev/aws/us-east-1/main/web] metrics path "metrics" does not start with "/" | write an absolute path, e.g. /metrics`,
    ]);
  });
});
