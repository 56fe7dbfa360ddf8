/**
 * Structure, environments: names are DNS-1123 labels, `promotesTo` names an environment, and policy
 * values (soak, freeze windows, on-demand share) parse.
 */
import { durationSeconds } from '../duration.ts';
import type { MatrixIssue } from '../errors.ts';
import { nameIssue, type ValidationInput } from './rule.ts';

export function validateEnvironments({ matrix }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const names = Object.keys(matrix.environments);
  if (names.length === 0) {
    issues.push({
      path: 'environments',
      message: 'no environments are defined',
      source: matrix.source,
      fix: 'define at least one environment, e.g. environments: { dev: {} }',
    });
    return issues;
  }
  for (const name of names) {
    const spec = matrix.environments[name] ?? {};
    const path = `environments.${name}`;
    issues.push(...nameIssue('environment', name, path, matrix.source));
    if (spec.promotesTo !== undefined && !names.includes(spec.promotesTo)) {
      issues.push({
        path: `${path}.promotesTo`,
        message: `promotes to unknown environment "${spec.promotesTo}"`,
        source: matrix.source,
        fix: `use one of: ${names.join(', ')}`,
      });
    }
    if (spec.promotesTo === name) {
      issues.push({
        path: `${path}.promotesTo`,
        message: `"${name}" promotes to itself`,
        source: matrix.source,
        fix: 'point promotesTo at the next environment, or remove it from the last one',
      });
    }
    const policy = spec.policy ?? {};
    if (policy.soak !== undefined && durationSeconds(policy.soak) === undefined) {
      issues.push({
        path: `${path}.policy.soak`,
        message: `soak ${JSON.stringify(policy.soak)} is not a duration`,
        source: matrix.source,
        fix: 'write a number and a unit: 30m, 24h, 2d',
      });
    }
    (policy.freeze ?? []).forEach((window, index) => {
      if (durationSeconds(window.duration) === undefined) {
        issues.push({
          path: `${path}.policy.freeze[${index}].duration`,
          message: `duration ${JSON.stringify(window.duration)} is not a duration`,
          source: matrix.source,
          fix: 'write a number and a unit: 30m, 64h, 2d',
        });
      }
      if (window.timeZone !== undefined && !isTimeZone(window.timeZone)) {
        issues.push({
          path: `${path}.policy.freeze[${index}].timeZone`,
          message: `unknown time zone ${JSON.stringify(window.timeZone)}`,
          source: matrix.source,
          fix: 'use an IANA zone such as Europe/Berlin or UTC',
        });
      }
    });
    if (
      policy.onDemandPercent !== undefined &&
      !(policy.onDemandPercent >= 0 && policy.onDemandPercent <= 100)
    ) {
      issues.push({
        path: `${path}.policy.onDemandPercent`,
        message: `onDemandPercent ${policy.onDemandPercent} is not between 0 and 100`,
        source: matrix.source,
        fix: 'give a percentage from 0 to 100',
      });
    }
    const autoPromote: unknown = policy.blueGreenAutoPromote;
    if (autoPromote !== undefined && typeof autoPromote !== 'boolean') {
      issues.push({
        path: `${path}.policy.blueGreenAutoPromote`,
        message: `blueGreenAutoPromote ${JSON.stringify(autoPromote)} is not true or false`,
        source: matrix.source,
        fix: 'write true (blue-green Rollouts promote themselves) or false (they wait for `kubectl argo rollouts promote`)',
      });
    }
  }
  return issues;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
