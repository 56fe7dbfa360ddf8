/** `metrics`: the port Prometheus scrapes must be one of the app's named ports, the path absolute. */
import { durationSeconds } from '../duration.ts';
import type { MatrixIssue } from '../errors.ts';
import { forEachAppInstance } from './app-values.ts';
import type { ValidationInput } from './rule.ts';

export function validateMetrics(input: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  forEachAppInstance(input, issues, ({ app, report }) => {
    const metrics = app.values.metrics;
    if (!metrics) return;
    const portNames = Object.keys(app.ports);
    if (!portNames.includes(metrics.port))
      report(
        'metrics.port',
        `metrics port "${metrics.port}" is not one of the app's ports (${portNames.join(', ') || 'none'})`,
        'name a port from ports, e.g. add metrics: 9090 to ports',
      );
    if (metrics.path !== undefined && !metrics.path.startsWith('/'))
      report(
        'metrics.path',
        `metrics path "${metrics.path}" does not start with "/"`,
        'write an absolute path, e.g. /metrics',
      );
    if (metrics.interval !== undefined && durationSeconds(metrics.interval) === undefined)
      report(
        'metrics.interval',
        `metrics interval "${metrics.interval}" is not a duration`,
        'write a duration such as 30s or 1m',
      );
  });
  return issues;
}
