/**
 * SLO alerts: an app with `slo` gets a prometheus-operator PrometheusRule holding its recording rules and
 * multi-window, multi-burn-rate alerts (slo-rules.ts), over the series its ServiceMonitor or PodMonitor
 * scrapes. Severities follow `sloAlerts`, which environments set (prod pages, dev opens tickets).
 * Schema: monitoring.coreos.com/v1 PrometheusRule (../shared/crds/monitoring.coreos.com_prometheusrules.yaml,
 * https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PrometheusRule).
 */
import { ApiObject } from './cdk8s.ts';
import { cdk8sContributor } from './chart.ts';
import { monitoringMetaOf } from './context.ts';
import { scrapeJob } from './monitor-job.ts';
import { appObjectName } from './names.ts';
import { sloRuleGroups } from './slo-rules.ts';

export const prometheusRuleContributor = cdk8sContributor({
  name: 'prometheus-rule',
  build: (chart, ctx) => {
    // Validation requires metrics with slo: the rules select the scrape job of the app's monitor.
    if (!ctx.app.values.slo || !ctx.app.values.metrics) return;
    new ApiObject(chart, 'prometheus-rule', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: monitoringMetaOf(ctx, appObjectName(ctx.app)),
      spec: { groups: sloRuleGroups(ctx.app, scrapeJob(ctx.app)) },
    });
  },
});
