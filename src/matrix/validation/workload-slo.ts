/**
 * `slo` and `sloAlerts`: objectives must be ratios a budget can be taken from, the series names must be
 * what PromQL accepts, and an SLO needs `metrics`, because its rules read what Prometheus scrapes there.
 * Judged per app instance: any layer may change them (an environment loosens `sloAlerts`).
 */
import type { MatrixIssue } from '../errors.ts';
import type { SloAlerts } from '../types.ts';
import { forEachAppInstance, type ValueReport } from './app-values.ts';
import type { ValidationInput } from './rule.ts';

export const SLO_ALERTS: readonly SloAlerts[] = ['page', 'ticket', 'none'];

/** Prometheus metric names (https://prometheus.io/docs/concepts/data_model/#metric-names-and-labels). */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** One label matcher, `code=~"5.."`: a label name, an operator and a double-quoted string. */
const MATCHER = String.raw`\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(?:=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*`;
const MATCHERS = new RegExp(`^${MATCHER}(?:,${MATCHER})*$`);

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function validateSlo(input: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  forEachAppInstance(input, issues, ({ app, report }) => {
    const { slo, sloAlerts } = app.values;
    if (sloAlerts !== undefined && !SLO_ALERTS.includes(sloAlerts))
      report(
        'sloAlerts',
        `sloAlerts ${JSON.stringify(sloAlerts)} is not one of ${SLO_ALERTS.join(', ')}`,
        'write page (fast burn pages, slow burn tickets), ticket (both tickets) or none (no alerts)',
      );
    if (!slo) return;
    if (!app.values.metrics)
      report(
        'slo',
        'slo needs metrics: its rules read the series Prometheus scrapes from the metrics port',
        `add metrics: { port: '<name>' } naming the port that serves ${app.name}'s metrics, or remove slo`,
      );
    validateObjectives(slo, report);
    validateSeries(slo.series ?? {}, report);
  });
  return issues;
}

function validateObjectives(
  slo: { availability: unknown; latency?: { quantile: unknown; ms: unknown } },
  report: ValueReport,
): void {
  const { availability, latency } = slo;
  if (!(isNumber(availability) && availability > 0 && availability < 100))
    report(
      'slo.availability',
      `slo availability ${JSON.stringify(availability)} is not a percentage between 0 and 100 (both excluded)`,
      'write the percent of requests that must succeed, e.g. 99.9; 100 leaves no error budget to alert on',
    );
  if (latency === undefined) return;
  if (!(isNumber(latency.quantile) && latency.quantile > 0 && latency.quantile < 1))
    report(
      'slo.latency.quantile',
      `slo latency quantile ${JSON.stringify(latency.quantile)} is not between 0 and 1 (both excluded)`,
      'write the share of requests that must be fast enough as a fraction, e.g. 0.99 (not 99)',
    );
  if (!(isNumber(latency.ms) && latency.ms > 0))
    report(
      'slo.latency.ms',
      `slo latency ms ${JSON.stringify(latency.ms)} is not a positive number of milliseconds`,
      'write the latency bound in milliseconds, e.g. 300, matching a bucket of the latency histogram',
    );
}

function validateSeries(
  series: { requests?: unknown; errors?: unknown; latencyBuckets?: unknown },
  report: ValueReport,
): void {
  for (const key of ['requests', 'latencyBuckets'] as const) {
    const name = series[key];
    if (name !== undefined && !(typeof name === 'string' && METRIC_NAME.test(name)))
      report(
        `slo.series.${key}`,
        `slo series ${key} ${JSON.stringify(name)} is not a Prometheus metric name`,
        'write a metric name of letters, digits, "_" and ":", not starting with a digit, without labels',
      );
  }
  if (typeof series.latencyBuckets === 'string' && !series.latencyBuckets.endsWith('_bucket'))
    report(
      'slo.series.latencyBuckets',
      `slo series latencyBuckets "${series.latencyBuckets}" does not end in _bucket`,
      'name the bucket series of the histogram, e.g. http_request_duration_seconds_bucket',
    );
  if (series.errors !== undefined && !(typeof series.errors === 'string' && MATCHERS.test(series.errors)))
    report(
      'slo.series.errors',
      `slo series errors ${JSON.stringify(series.errors)} is not a list of label matchers`,
      'write matchers without braces, e.g. code=~"5.." or status="error",grpc_code!="OK"',
    );
}
