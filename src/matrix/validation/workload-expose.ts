/**
 * `expose` as a Gateway API route: the target must have a Gateway (a cluster setting), the port must be
 * one of the app's, the paths absolute prefixes, and the hostname pattern may only use the placeholders
 * the generator fills in.
 */
import type { MatrixIssue } from '../errors.ts';
import { forEachAppInstance } from './app-values.ts';
import type { ValidationInput } from './rule.ts';

const PLACEHOLDERS = ['app', 'env', 'cloud', 'region', 'cluster'];

export function validateExpose(input: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  forEachAppInstance(input, issues, ({ app, target, report }) => {
    const { expose } = app.values;
    if (typeof expose !== 'object') return;
    if (!target.gateway)
      report(
        'expose',
        `is exposed by a route, but ${target.id} has no gateway`,
        `add gateway: { name, namespace } to the ${target.env} cluster in ${target.region}, or set expose: false for it`,
      );
    const portNames = Object.keys(app.ports);
    if (!portNames.includes(expose.port))
      report(
        'expose.port',
        `expose port "${expose.port}" is not one of the app's ports (${portNames.join(', ') || 'none'})`,
        'name a port from ports',
      );
    if (expose.paths.length === 0)
      report('expose.paths', 'expose has no paths', "route at least one path prefix, e.g. paths: ['/']");
    for (const path of expose.paths.filter((p) => !p.startsWith('/')))
      report('expose.paths', `expose path "${path}" does not start with "/"`, 'write absolute path prefixes');
    const pattern =
      target.gateway && 'hostnamePattern' in target.gateway ? target.gateway.hostnamePattern : undefined;
    const unknown = [...(pattern ?? '').matchAll(/\{(\w+)\}/g)]
      .map((m) => m[1] ?? '')
      .filter((key) => !PLACEHOLDERS.includes(key));
    if (unknown.length > 0)
      report(
        'expose',
        `hostname pattern "${pattern}" of ${target.id} uses unknown placeholders ${unknown.map((k) => `{${k}}`).join(', ')}`,
        `use only ${PLACEHOLDERS.map((k) => `{${k}}`).join(', ')} in hostnamePattern`,
      );
  });
  return issues;
}
