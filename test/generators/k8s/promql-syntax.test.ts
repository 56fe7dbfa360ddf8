/**
 * Every rule expression of every PrometheusRule the example matrix renders parses with the official
 * PromQL grammar, `@prometheus-io/lezer-promql` (maintained in the Prometheus repository, the parser of
 * its own query editor). Lezer recovers from syntax errors by inserting error nodes instead of throwing,
 * so a rule passes only when its tree holds none.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMatrix } from '../../../src/matrix/load.ts';
import { projectRoot } from '../../support/tools.ts';
import { renderK8s, type K8sObject } from './helpers.ts';

/** The offsets of the syntax errors in `expr`; [] when it parses. */
function syntaxErrors(expr: string): number[] {
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(node.from);
    },
  });
  return errors;
}

let rules: { where: string; expr: string }[];

beforeAll(async () => {
  const files = renderK8s((await loadMatrix({ root: projectRoot })).resolved);
  const objects: K8sObject[] = [...files.values()].flatMap((file) => file.objects);
  rules = objects
    .filter((object) => object.kind === 'PrometheusRule')
    .flatMap((object) =>
      (
        object.spec as {
          groups: { name: string; rules: { expr: string; record?: string; alert?: string }[] }[];
        }
      ).groups.flatMap((group) =>
        group.rules.map((rule) => ({
          where: `${object.metadata.namespace}/${object.metadata.name} ${group.name} ${rule.record ?? rule.alert}`,
          expr: rule.expr,
        })),
      ),
    );
});

describe('PromQL syntax of the example PrometheusRules', () => {
  it('finds the syntax errors it is meant to find', () => {
    expect(syntaxErrors('sum(rate(http_requests_total[5m]) /')).not.toEqual([]);
    expect(syntaxErrors('rate(http_requests_total{code=~"5.."[5m])')).not.toEqual([]);
    expect(syntaxErrors('a > (14.4 * 0.001) and b > (14.4 * 0.001)')).toEqual([]);
  });

  it('parses every recording and alerting expression', () => {
    // api's two objectives on each of the example's 7 targets: 7 recording rules and 2 alerts each,
    // fewer alerts where sloAlerts is none.
    expect(rules.length).toBeGreaterThanOrEqual(7 * 2 * 7);
    expect(rules.filter((rule) => syntaxErrors(rule.expr).length > 0)).toEqual([]);
  });
});
