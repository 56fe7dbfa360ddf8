/**
 * Metrics: an app with `metrics` gets a prometheus-operator ServiceMonitor over its Service's metrics
 * port, and asks the network-policy contributor to admit the monitoring namespace on that port only.
 * Schema: monitoring.coreos.com/v1 ServiceMonitor (../shared/crds/monitoring.coreos.com_servicemonitors.yaml,
 * https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor).
 */
import { ApiObject } from 'cdk8s';
import { cdk8sContributor } from './chart.ts';
import { metaOf } from './context.ts';
import { appObjectName } from './names.ts';

const DEFAULT_PATH = '/metrics';
const DEFAULT_INTERVAL = '30s';

export const serviceMonitorContributor = cdk8sContributor({
  name: 'service-monitor',
  build: (chart, ctx) => {
    const metrics = ctx.app.values.metrics;
    // Validation checks the port name; a Service exists whenever the app has ports.
    if (!metrics || ctx.app.ports[metrics.port] === undefined) return;
    new ApiObject(chart, 'service-monitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: metaOf(ctx, appObjectName(ctx.app)),
      spec: {
        selector: { matchLabels: { ...ctx.selector } },
        namespaceSelector: { matchNames: [ctx.app.namespace] },
        endpoints: [
          {
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
    return port === undefined ? [] : [{ namespace: settings.monitoringNamespace, ports: [port] }];
  },
});
