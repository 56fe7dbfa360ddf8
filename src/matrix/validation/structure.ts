/**
 * Structure: what was written is well formed and its references resolve. Names are DNS-1123 labels,
 * nothing is defined twice, environments, clouds, regions, zones and apps named anywhere exist, and
 * policy values parse. These rules read the matrix as written, before resolution.
 */
import { durationSeconds } from '../duration.ts';
import type { MatrixIssue } from '../errors.ts';
import { CLOUDS, regionInfo } from '../regions.ts';
import { clusterName, clusterZones, targetId } from '../resolve.ts';
import { nameIssue, type ValidationInput } from './rule.ts';
import { describeSelector, SELECTOR_FIX, selectorProblem } from './selectors.ts';

const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENGINES = ['argocd', 'flux'];
const SECRET_REF_FIELDS = new Set(['name', 'store', 'key', 'property']);

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

export function validateClusters({ matrix, resolved }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const envs = Object.keys(matrix.environments);
  const seen = new Map<string, string>();
  matrix.clusters.forEach((spec, index) => {
    const name = clusterName(spec);
    const id = targetId(spec.env, spec.cloud, spec.region, name);
    const path = `clusters[${index}] ${id}`;
    const at = (message: string, fix: string): void => {
      issues.push({ path, message, source: spec.source, fix });
    };
    issues.push(...nameIssue('cluster', name, path, spec.source));
    if (!envs.includes(spec.env))
      at(
        `unknown environment "${spec.env}"`,
        `use one of: ${envs.join(', ')}, or add "${spec.env}" to environments`,
      );
    if (!CLOUDS.includes(spec.cloud)) {
      at(`unknown cloud "${String(spec.cloud)}"`, `use one of: ${CLOUDS.join(', ')}`);
    } else if (spec.cloud === 'onprem') {
      issues.push(...nameIssue('on-prem site', spec.region, path, spec.source));
    } else if (!regionInfo(spec.cloud, spec.region)) {
      at(
        `"${spec.region}" is not a ${spec.cloud} region`,
        `use a ${spec.cloud} region from src/matrix/regions.ts`,
      );
    } else if (spec.zones) {
      const known = regionInfo(spec.cloud, spec.region)?.zones ?? [];
      for (const zone of spec.zones.filter((z) => !known.includes(z)))
        at(`zone "${zone}" is not in ${spec.region}`, `use zones of ${spec.region}: ${known.join(', ')}`);
    }
    if (spec.engine !== undefined && !ENGINES.includes(spec.engine))
      at(
        `unknown engine "${String(spec.engine)}"`,
        'use "argocd" or "flux" (a cluster has exactly one engine)',
      );
    if (spec.wave !== undefined && !(Number.isInteger(spec.wave) && spec.wave >= 0))
      at(
        `wave ${spec.wave} is not a whole number ≥ 0`,
        'number waves 0, 1, 2… in the order they receive a release',
      );
    const first = seen.get(id);
    if (first)
      at(
        `duplicate cluster ${id} (also defined at ${first})`,
        'give one of them another name with { name: "…" }',
      );
    else seen.set(id, spec.source);
  });
  // High availability: every cluster of an environment spans the zones its policy asks for.
  for (const target of resolved.targets) {
    const env = resolved.environments.find((e) => e.name === target.env);
    if (!env) continue;
    const spec = matrix.clusters.find(
      (c) => targetId(c.env, c.cloud, c.region, clusterName(c)) === target.id,
    );
    const zoneCount = spec ? clusterZones(spec).length : target.zones.length;
    if (zoneCount < env.policy.minZones) {
      issues.push({
        path: target.id,
        message: `spans ${zoneCount} zone${zoneCount === 1 ? '' : 's'} < policy minimum ${env.policy.minZones}`,
        ...(spec && { source: spec.source }),
        fix: `list at least ${env.policy.minZones} zones in the cluster's zones`,
      });
    }
  }
  return issues;
}

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

export function validateOverrides({ matrix }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const apps = matrix.apps.map((app) => app.name);
  (matrix.overrides ?? []).forEach((override, index) => {
    const path = `overrides[${index}] ${describeSelector(override)}`;
    if (override.app !== undefined && !apps.includes(override.app)) {
      issues.push({
        path,
        message: `names unknown app "${override.app}"`,
        source: matrix.source,
        fix: `use one of: ${apps.join(', ')}`,
      });
    }
    const problem = selectorProblem(matrix, override);
    if (problem) issues.push({ path, message: problem, source: matrix.source, fix: SELECTOR_FIX });
  });
  return issues;
}
