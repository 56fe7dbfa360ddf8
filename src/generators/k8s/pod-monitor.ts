/**
 * Metrics of an app without a Service (a queue worker whose only port is its metrics port): a
 * prometheus-operator PodMonitor scrapes its pods directly, by the container port's name, and the
 * NetworkPolicy admits the monitoring namespace on that port only.
 * Schema: monitoring.coreos.com/v1 PodMonitor (../shared/crds/monitoring.coreos.com_podmonitors.yaml,
 * https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor).
 */
import { monitorContributor } from './service-monitor.ts';

export const podMonitorContributor = monitorContributor('pod-monitor', 'PodMonitor');
