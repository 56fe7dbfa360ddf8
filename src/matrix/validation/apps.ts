/**
 * Structure, apps as written: names, namespaces, config keys and secret references are well formed,
 * each app is defined once, and `dependsOn` names other apps without a cycle.
 */
import type { MatrixIssue } from '../errors.ts';
import { nameIssue, type ValidationInput } from './rule.ts';

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_REF_FIELDS = new Set(['name', 'store', 'key', 'property']);

export function validateApps({ matrix }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const names = matrix.apps.map((app) => app.name);
  const seen = new Map<string, string>();
  for (const app of matrix.apps) {
    const path = `apps.${app.name}`;
    const at = (where: string, message: string, fix: string): void => {
      issues.push({ path: where, message, source: app.source, fix });
    };
    issues.push(...nameIssue('app', app.name, path, app.source));
    if (app.namespace !== undefined)
      issues.push(...nameIssue('namespace', app.namespace, `${path}.namespace`, app.source));
    const first = seen.get(app.name);
    if (first)
      at(
        path,
        `duplicate app "${app.name}" (also defined at ${first})`,
        'rename one of them; app names are unique across the matrix',
      );
    else seen.set(app.name, app.source);
    for (const dependency of app.dependsOn ?? []) {
      if (dependency === app.name)
        at(`${path}.dependsOn`, `"${app.name}" depends on itself`, 'remove it from dependsOn');
      else if (!names.includes(dependency))
        at(
          `${path}.dependsOn`,
          `depends on unknown app "${dependency}"`,
          `use one of: ${names.filter((n) => n !== app.name).join(', ')}`,
        );
    }
    for (const key of Object.keys(app.config ?? {})) {
      if (!ENV_VAR_NAME.test(key))
        at(
          `${path}.config.${key}`,
          `config key "${key}" is not an environment variable name`,
          'use letters, digits and _, not starting with a digit',
        );
    }
    (app.secrets ?? []).forEach((secret, index) => {
      const extra = Object.keys(secret).filter((key) => !SECRET_REF_FIELDS.has(key));
      if (extra.length > 0)
        at(
          `${path}.secrets[${index}]`,
          `secret reference has field(s) ${extra.join(', ')}`,
          'a secret is a reference {name, store, key, property?}; put the value in the secret store, never in the matrix',
        );
      issues.push(...nameIssue('secret', secret.name, `${path}.secrets[${index}]`, app.source));
    });
  }
  return issues;
}

export function validateDependencyCycles({ matrix }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const deps = new Map(matrix.apps.map((app) => [app.name, app.dependsOn ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      const app = matrix.apps.find((a) => a.name === name);
      issues.push({
        path: `apps.${name}.dependsOn`,
        message: `dependency cycle: ${cycle.join(' → ')}`,
        ...(app && { source: app.source }),
        fix: 'remove one dependsOn edge of the cycle',
      });
      return;
    }
    state.set(name, 'visiting');
    stack.push(name);
    for (const dependency of deps.get(name) ?? [])
      if (deps.has(dependency) && dependency !== name) visit(dependency);
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of deps.keys()) visit(name);
  return issues;
}
