/**
 * The Prometheus rules of an app's SLO: the SRE workbook's multi-window, multi-burn-rate alerts
 * (The Site Reliability Workbook, ch. 5 "Alerting on SLOs", section 6 "Multiwindow, Multi-Burn-Rate
 * Alerts", https://sre.google/workbook/alerting-on-slos/). Each alert fires when the error ratio over a
 * long window AND over a short window (1/12 of it, so the alert resets soon after the burn stops) both
 * exceed `burn rate × budget`. Free of cdk8s, so tests can check every expression with a PromQL parser.
 *
 * The error ratio of each window is a recording rule: the alert expressions then read as the workbook's
 * table, and Prometheus computes each long-window rate once per evaluation, not once per alert.
 */
import type { ResolvedApp, Slo, SloAlerts, SloSeries } from '../../matrix/types.ts';

export const DEFAULT_SLO_SERIES: Required<SloSeries> = {
  requests: 'http_requests_total',
  errors: 'code=~"5.."',
  latencyBuckets: 'http_request_duration_seconds_bucket',
};

/** @see SloAlerts */
export const DEFAULT_SLO_ALERTS: SloAlerts = 'page';

type Burn = 'fast' | 'slow';

/**
 * The workbook's recommended parameters for a 30-day budget: page when 2% of it burns in an hour or 5%
 * in six hours, open a ticket when 10% burns in a day or in three days.
 */
const BURN_WINDOWS: readonly { long: string; short: string; burnRate: number; burn: Burn }[] = [
  { long: '1h', short: '5m', burnRate: 14.4, burn: 'fast' },
  { long: '6h', short: '30m', burnRate: 6, burn: 'fast' },
  { long: '1d', short: '2h', burnRate: 3, burn: 'slow' },
  { long: '3d', short: '6h', burnRate: 1, burn: 'slow' },
];

/** Every window a burn pair reads, shortest first: one recording rule each. */
const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'] as const;

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (RecordingRule | AlertingRule)[];
}

/** What an objective's rules need: its name, how its error ratio is computed, and its budget. */
interface Objective {
  readonly name: 'availability' | 'latency';
  /** Alert name stem, `SloAvailability`. */
  readonly alert: string;
  /** Metric name of the recorded error ratio; the window is appended. */
  readonly record: string;
  readonly ratio: (window: string) => string;
  /** The allowed error ratio, e.g. 0.001 for 99.9%. */
  readonly budget: number;
  /** How the objective reads in an alert, `99.9% of requests succeed`. */
  readonly text: string;
}

/** `1 - target` without binary floating-point noise (1 - 0.999 is 0.0010000000000000009). */
function budgetOf(target: number): number {
  return Number((1 - target).toPrecision(12));
}

/**
 * The `le` matcher of the latency bound. Whole seconds are matched as `1` and `1.0`: client libraries
 * write either, and Prometheus 3 rewrites classic histogram bounds to the float form.
 */
function leMatcher(ms: number): string {
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? `le=~"${seconds}(\\\\.0)?"` : `le="${seconds}"`;
}

function objectivesOf(app: ResolvedApp, slo: Slo, job: string): Objective[] {
  const series = { ...DEFAULT_SLO_SERIES, ...slo.series };
  const scope = `namespace="${app.namespace}",job="${job}"`;
  const sum = (selector: string, window: string) => `sum by (namespace, job) (rate(${selector}[${window}]))`;
  const objectives: Objective[] = [
    {
      name: 'availability',
      alert: 'SloAvailability',
      record: 'slo:availability_errors:ratio_rate',
      ratio: (w) =>
        `${sum(`${series.requests}{${scope},${series.errors}}`, w)} / ${sum(`${series.requests}{${scope}}`, w)}`,
      budget: budgetOf(slo.availability / 100),
      text: `${slo.availability}% of requests succeed`,
    },
  ];
  const { latency } = slo;
  if (latency) {
    const buckets = (le: string) => `${series.latencyBuckets}{${scope},${le}}`;
    objectives.push({
      name: 'latency',
      alert: 'SloLatency',
      record: 'slo:latency_slow:ratio_rate',
      ratio: (w) => `1 - (${sum(buckets(leMatcher(latency.ms)), w)} / ${sum(buckets('le="+Inf"'), w)})`,
      budget: budgetOf(latency.quantile),
      text: `${Number((latency.quantile * 100).toPrecision(12))}% of requests complete within ${latency.ms}ms`,
    });
  }
  return objectives;
}

/** The severity each burn raises under `alerts`, or undefined when it raises nothing. */
function severityOf(burn: Burn, alerts: SloAlerts): string | undefined {
  if (alerts === 'none') return undefined;
  return burn === 'fast' && alerts === 'page' ? 'page' : 'ticket';
}

function alertsOf(app: ResolvedApp, objective: Objective, job: string, alerts: SloAlerts): AlertingRule[] {
  const selector = `{namespace="${app.namespace}",job="${job}"}`;
  return (['fast', 'slow'] as const).flatMap((burn) => {
    const severity = severityOf(burn, alerts);
    if (severity === undefined) return [];
    const pairs = BURN_WINDOWS.filter((pair) => pair.burn === burn);
    const expr = pairs
      .map(({ long, short, burnRate }) => {
        const threshold = `(${burnRate} * ${objective.budget})`;
        const over = (window: string) => `${objective.record}${window}${selector} > ${threshold}`;
        return `(${over(long)} and ${over(short)})`;
      })
      .join(' or ');
    const windows = pairs.map((p) => `${p.burnRate}× over ${p.long} and ${p.short}`).join(', or ');
    return [
      {
        alert: `${objective.alert}${burn === 'fast' ? 'FastBurn' : 'SlowBurn'}`,
        expr,
        labels: { severity, slo: objective.name, app: app.name },
        annotations: {
          summary: `${app.name} burns its ${objective.name} error budget ${burn === 'fast' ? 'fast' : 'steadily'}`,
          description: `The objective: ${objective.text} over 30 days. The error ratio is above the budget ${windows}.`,
        },
      },
    ];
  });
}

/** The rule groups of the app's SLO, one per objective; none without an SLO. */
export function sloRuleGroups(app: ResolvedApp, job: string): RuleGroup[] {
  const { slo } = app.values;
  if (!slo) return [];
  const alerts = app.values.sloAlerts ?? DEFAULT_SLO_ALERTS;
  return objectivesOf(app, slo, job).map((objective) => ({
    name: `${app.name}-slo-${objective.name}`,
    rules: [
      ...WINDOWS.map((window) => ({ record: `${objective.record}${window}`, expr: objective.ratio(window) })),
      ...alertsOf(app, objective, job, alerts),
    ],
  }));
}
