/**
 * The scrape job Prometheus gives the app's series, which the SLO rules select on. prometheus-operator
 * names a ServiceMonitor's job after the Service, and a PodMonitor's `<namespace>/<PodMonitor name>`,
 * when neither sets `jobLabel` (https://prometheus-operator.dev/docs/api-reference/api/, fields
 * `ServiceMonitorSpec.jobLabel` and `PodMonitorSpec.jobLabel`).
 */
import type { ResolvedApp } from '../../matrix/types.ts';
import { hasService } from './app-input.ts';
import { appObjectName } from './names.ts';

export type MonitorKind = 'ServiceMonitor' | 'PodMonitor';

/** `ServiceMonitor` for an app with a Service, else `PodMonitor`. */
export function monitorKind(app: ResolvedApp): MonitorKind {
  return hasService(app) ? 'ServiceMonitor' : 'PodMonitor';
}

export function scrapeJob(app: ResolvedApp): string {
  const name = appObjectName(app);
  return monitorKind(app) === 'ServiceMonitor' ? name : `${app.namespace}/${name}`;
}
