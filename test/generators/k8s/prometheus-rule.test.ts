/**
 * SLO alerts (issue 13, "Metrics and SLOs"): `slo` renders a PrometheusRule the official CRD accepts
 * (reviewed snapshot) with the SRE workbook's multi-window, multi-burn-rate alerts; severities follow
 * `sloAlerts`, layered per environment and explainable; the series the rules read are settings with
 * defaults; bad values are rejected at load with path, source and fix.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { explain } from '../../../src/matrix/explain.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import type { Override, Slo } from '../../../src/matrix/types.ts';
import { crdsAvailable, validateAgainstCrd } from '../../support/crd-validate.ts';
import { issuesOf } from '../../support/problems.ts';
import {
  objectAt,
  objectsIn,
  problemsOf,
  renderValid,
  threeEnvMatrix,
  threeEnvPins,
  withApp,
  type K8sObject,
} from './helpers.ts';

const crds = crdsAvailable();
const PROD = 'k8s/prod/aws/eu-west-1/main';
const DEV = 'k8s/dev/aws/us-east-1/main';
const STAGING = 'k8s/staging/gcp/europe-west1/main';

const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const SLO: Slo = { availability: 99.9, latency: { quantile: 0.99, ms: 300 } };
const severities: Override[] = [
  { env: 'dev', set: { sloAlerts: 'ticket' } },
  { env: 'staging', set: { sloAlerts: 'none' } },
];

function matrixWith(
  apps = withApp('api', { metrics: { port: 'metrics' }, slo: SLO }),
  extra: Override[] = [],
) {
  return threeEnvMatrix({
    apps,
    overrides: [...(threeEnvMatrix().overrides ?? []), ...severities, ...extra],
  });
}

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
}
function rulesOf(object: K8sObject): Rule[] {
  return (object.spec as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);
}
function alertOf(object: K8sObject, name: string): Rule {
  const rule = rulesOf(object).find((r) => r.alert === name);
  if (!rule) throw new Error(`no alert ${name}`);
  return rule;
}

const files = renderValid(matrixWith(), threeEnvPins());
const prodRule = objectAt(files, `${PROD}/api/PrometheusRule/api`);

describe('PrometheusRule for an SLO', () => {
  it('renders recording rules and burn-rate alerts per objective (reviewed snapshot)', async () => {
    await expect(stringify(prodRule)).toMatchFileSnapshot('__snapshots__/prometheusrule-api.yaml');
    // Apps without slo get none.
    expect(objectsIn(files, `${PROD}/web`).has('PrometheusRule/web')).toBe(false);
  });

  it.skipIf(!crds.available)('passes the strict walk against the official PrometheusRule CRD', () => {
    expect(validateAgainstCrd(prodRule)).toEqual([]);
    expect(validateAgainstCrd(objectAt(files, `${DEV}/api/PrometheusRule/api`))).toEqual([]);
  });

  it('pairs the workbook windows and burn rates: 1h/5m at 14.4 and 6h/30m at 6, 1d/2h at 3 and 3d/6h at 1', () => {
    const errors = (w: string) => `slo:availability_errors:ratio_rate${w}{namespace="api",job="api"}`;
    const pair = (long: string, short: string, rate: number) =>
      `(${errors(long)} > (${rate} * 0.001) and ${errors(short)} > (${rate} * 0.001))`;
    expect(alertOf(prodRule, 'SloAvailabilityFastBurn').expr).toBe(
      `${pair('1h', '5m', 14.4)} or ${pair('6h', '30m', 6)}`,
    );
    expect(alertOf(prodRule, 'SloAvailabilitySlowBurn').expr).toBe(
      `${pair('1d', '2h', 3)} or ${pair('3d', '6h', 1)}`,
    );
    // The latency budget is 1 - quantile, over the share of requests slower than the bound.
    expect(alertOf(prodRule, 'SloLatencyFastBurn').expr).toContain(
      'slo:latency_slow:ratio_rate1h{namespace="api",job="api"} > (14.4 * 0.01)',
    );
    expect(rulesOf(prodRule).find((r) => r.record === 'slo:latency_slow:ratio_rate5m')?.expr).toBe(
      '1 - (sum by (namespace, job) (rate(http_request_duration_seconds_bucket{namespace="api",job="api",le="0.3"}[5m]))' +
        ' / sum by (namespace, job) (rate(http_request_duration_seconds_bucket{namespace="api",job="api",le="+Inf"}[5m])))',
    );
    expect(
      rulesOf(prodRule)
        .filter((r) => r.record)
        .map((r) => r.record?.split('_rate')[1]),
    ).toEqual([...WINDOWS, ...WINDOWS]);
  });

  it('severities per environment: prod pages on fast burn, dev opens tickets, staging only records', () => {
    const severity = (object: K8sObject) =>
      rulesOf(object)
        .filter((r) => r.alert)
        .map((r) => `${r.alert}=${r.labels?.severity}`);
    expect(severity(prodRule)).toEqual([
      'SloAvailabilityFastBurn=page',
      'SloAvailabilitySlowBurn=ticket',
      'SloLatencyFastBurn=page',
      'SloLatencySlowBurn=ticket',
    ]);
    expect(severity(objectAt(files, `${DEV}/api/PrometheusRule/api`))).toEqual([
      'SloAvailabilityFastBurn=ticket',
      'SloAvailabilitySlowBurn=ticket',
      'SloLatencyFastBurn=ticket',
      'SloLatencySlowBurn=ticket',
    ]);
    const staging = rulesOf(objectAt(files, `${STAGING}/api/PrometheusRule/api`));
    expect(staging.filter((r) => r.alert)).toEqual([]);
    expect(staging).toHaveLength(14);
  });

  it('explain names the layer of sloAlerts and of each slo value', () => {
    const { resolved } = checkedMatrix(matrixWith(), threeEnvPins());
    const layers = (target: string, path: string) =>
      explain(resolved, target, 'api', path).chains.map((c) => [c.path, c.steps.map((s) => s.layer)]);
    expect(layers('dev/aws/us-east-1/main', 'sloAlerts')).toEqual([
      ['sloAlerts', ['default', 'environment']],
    ]);
    expect(layers('prod/aws/eu-west-1/main', 'sloAlerts')).toEqual([['sloAlerts', ['default']]]);
    expect(layers('prod/aws/eu-west-1/main', 'slo')).toEqual([
      ['slo.availability', ['app']],
      ['slo.latency.ms', ['app']],
      ['slo.latency.quantile', ['app']],
    ]);
  });

  it('reads the series the settings name, and the PodMonitor job of an app without a Service', () => {
    const series = { requests: 'grpc_server_handled_total', errors: 'grpc_code!="OK"' };
    const apps = withApp('worker', {
      metrics: { port: 'metrics' },
      slo: { availability: 99.5, series: { ...series, latencyBuckets: 'job_seconds_bucket' } },
    });
    const rule = objectAt(
      renderValid(matrixWith(apps), threeEnvPins()),
      `${PROD}/worker/PrometheusRule/worker`,
    );
    expect(rulesOf(rule)[0]?.expr).toBe(
      'sum by (namespace, job) (rate(grpc_server_handled_total{namespace="worker",job="worker/worker",grpc_code!="OK"}[5m]))' +
        ' / sum by (namespace, job) (rate(grpc_server_handled_total{namespace="worker",job="worker/worker"}[5m]))',
    );
    expect(alertOf(rule, 'SloAvailabilityFastBurn').expr).toContain('> (14.4 * 0.005)');
    expect(rulesOf(rule).some((r) => r.alert?.startsWith('SloLatency'))).toBe(false);
  });

  it('matches a whole-second latency bound written as 1 or 1.0', () => {
    const apps = withApp('api', {
      metrics: { port: 'metrics' },
      slo: { availability: 99, latency: { quantile: 0.9, ms: 1000 } },
    });
    const rule = objectAt(renderValid(matrixWith(apps), threeEnvPins()), `${PROD}/api/PrometheusRule/api`);
    expect(rulesOf(rule).find((r) => r.record === 'slo:latency_slow:ratio_rate5m')?.expr).toContain(
      'le=~"1(\\\\.0)?"',
    );
  });
});

describe('slo validation', () => {
  it('rejects objectives outside their ranges, with path and fix', () => {
    const apps = withApp('api', {
      metrics: { port: 'metrics' },
      slo: { availability: 100, latency: { quantile: 99, ms: 0 } },
    });
    expect(problemsOf(matrixWith(apps), threeEnvPins()).slice(0, 3)).toEqual([
      '[dev/aws/us-east-1/main/api] slo availability 100 is not a percentage between 0 and 100 (both excluded) | write the percent of requests that must succeed, e.g. 99.9; 100 leaves no error budget to alert on',
      '[dev/aws/us-east-1/main/api] slo latency quantile 99 is not between 0 and 1 (both excluded) | write the share of requests that must be fast enough as a fraction, e.g. 0.99 (not 99)',
      '[dev/aws/us-east-1/main/api] slo latency ms 0 is not a positive number of milliseconds | write the latency bound in milliseconds, e.g. 300, matching a bucket of the latency histogram',
    ]);
  });

  it('requires metrics, and names the file that set slo', () => {
    const apps = withApp('web', { slo: { availability: 99.9 } });
    const [issue] = issuesOf(matrixWith(apps), threeEnvPins());
    expect(issue).toEqual({
      path: 'dev/aws/us-east-1/main/web',
      message: 'slo needs metrics: its rules read the series Prometheus scrapes from the metrics port',
      source: apps.find((a) => a.name === 'web')?.source,
      fix: "add metrics: { port: '<name>' } naming the port that serves web's metrics, or remove slo",
    });
  });

  it('rejects series that are not metric names or matchers, and unknown severities; blames the override', () => {
    const apps = withApp('api', {
      metrics: { port: 'metrics' },
      slo: {
        availability: 99.9,
        series: { requests: 'http requests', errors: '{code="500"}', latencyBuckets: 'h_seconds' },
      },
    });
    const bad = [{ env: 'prod', set: { sloAlerts: 'sms' } } as unknown as Override];
    const issues = issuesOf(matrixWith(apps, bad), threeEnvPins());
    expect(
      issues.filter((i) => i.path === 'dev/aws/us-east-1/main/api').map((i) => `${i.message} | ${i.fix}`),
    ).toEqual([
      'slo series requests "http requests" is not a Prometheus metric name | write a metric name of letters, digits, "_" and ":", not starting with a digit, without labels',
      'slo series latencyBuckets "h_seconds" does not end in _bucket | name the bucket series of the histogram, e.g. http_request_duration_seconds_bucket',
      'slo series errors "{code=\\"500\\"}" is not a list of label matchers | write matchers without braces, e.g. code=~"5.." or status="error",grpc_code!="OK"',
    ]);
    const alerts = issues.find((i) => i.message.startsWith('sloAlerts'));
    expect(alerts).toEqual({
      path: 'prod/aws/eu-west-1/main/api',
      message: 'sloAlerts "sms" is not one of page, ticket, none',
      source: expect.stringMatching(/\(overrides\[\d+\]\)$/) as string,
      fix: 'write page (fast burn pages, slow burn tickets), ticket (both tickets) or none (no alerts)',
    });
  });
});
