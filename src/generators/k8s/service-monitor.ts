/**
 * Metrics: an app with `metrics` and a Service gets a prometheus-operator ServiceMonitor over its
 * Service's metrics port (an app without one gets a PodMonitor, pod-monitor.ts, built here too: the
 * two differ only in kind and endpoint list), and asks the network-policy contributor to admit the
 * monitoring namespace on that port only.
 * Schema: monitoring.coreos.com/v1 ServiceMonitor (../shared/crds/monitoring.coreos.com_servicemonitors.yaml,
 * https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor).
 */
import { ApiObject } from './cdk8s.ts';
import { cdk8sContributor, type Cdk8sContributor } from './chart.ts';
import { monitoringMetaOf } from './context.ts';
import { monitorKind, type MonitorKind } from './monitor-job.ts';
import { appObjectName } from './names.ts';

const DEFAULT_PATH = '/metrics';
const DEFAULT_INTERVAL = '30s';

/** Where each kind lists its scrape endpoints; both name the port (Service port or container port). */
const ENDPOINTS: Record<MonitorKind, string> = {
  ServiceMonitor: 'endpoints',
  PodMonitor: 'podMetricsEndpoints',
};

/**
 * The contributor of one monitor kind: it renders only for apps `monitorKind` gives it, and opens the
 * metrics port to the monitoring namespace for them, so the opening goes with the object that needs it.
 */
export function monitorContributor(name: string, kind: MonitorKind): Cdk8sContributor {
  return cdk8sContributor({
    name,
    build: (chart, ctx) => {
      const metrics = ctx.app.values.metrics;
      // Validation checks the port name.
      if (!metrics || ctx.app.ports[metrics.port] === undefined || monitorKind(ctx.app) !== kind) return;
      new ApiObject(chart, name, {
        apiVersion: 'monitoring.coreos.com/v1',
        kind,
        metadata: monitoringMetaOf(ctx, appObjectName(ctx.app)),
        spec: {
          selector: { matchLabels: { ...ctx.selector } },
          namespaceSelector: { matchNames: [ctx.app.namespace] },
          [ENDPOINTS[kind]]: [
            {
              // A Service port name, or for a PodMonitor the container port's, which the workload
              // names after the matrix port (workload.ts).
              port: metrics.port,
              path: metrics.path ?? DEFAULT_PATH,
              interval: metrics.interval ?? DEFAULT_INTERVAL,
            },
          ],
        },
      });
    },
    ingress: ({ app, settings }) => {
      const port = app.values.metrics && app.ports[app.values.metrics.port];
      if (port === undefined || monitorKind(app) !== kind) return [];
      return [{ namespace: settings.monitoringNamespace, ports: [port] }];
    },
  });
}

export const serviceMonitorContributor = monitorContributor('service-monitor', 'ServiceMonitor');
