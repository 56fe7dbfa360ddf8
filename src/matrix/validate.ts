/**
 * Validation: every rule runs, every problem is collected with its matrix path, source and fix, and the
 * caller throws once. Structural rules look at what was written; target rules look at resolved values,
 * because overrides and pins decide what each cluster really gets.
 */
import { validateDelivery } from './delivery-validation.ts';
import { durationSeconds } from './duration.ts';
import type { MatrixIssue } from './errors.ts';
import { validateInfrastructure } from './infrastructure-validation.ts';
import { effectivePin } from './pins.ts';
import { CLOUDS, regionInfo, type Jurisdiction } from './regions.ts';
import { clusterName, clusterZones, promotionOrder, targetId } from './resolve.ts';
import { validateWorkloads } from './workload-validation.ts';
import type {
  AppDefinition,
  MatrixDefinition,
  PinsByEnvironment,
  ResolvedMatrix,
  ResolvedTarget,
  TargetSelector,
} from './types.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Config keys whose values would be credentials: those belong in `secrets`, as references. */
const SECRET_LIKE_KEY = /(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential)/i;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const ENGINES = ['argocd', 'flux'];
const SECRET_REF_FIELDS = new Set(['name', 'store', 'key', 'property']);

function checkName(issues: MatrixIssue[], kind: string, name: unknown, path: string, source?: string): void {
  if (typeof name === 'string' && DNS1123_LABEL.test(name) && name.length <= 63) return;
  issues.push({
    path,
    message: `${kind} name ${JSON.stringify(name)} is not a DNS-1123 label`,
    ...(source && { source }),
    fix: 'use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
  });
}

function describeSelector(selector: TargetSelector & { app?: string }): string {
  const parts = (['env', 'cloud', 'region', 'cluster', 'app'] as const)
    .filter((key) => selector[key] !== undefined)
    .map((key) => `${key}: ${selector[key]}`);
  return `{${parts.join(', ')}}`;
}

function validateEnvironments(matrix: MatrixDefinition, issues: MatrixIssue[]): void {
  const names = Object.keys(matrix.environments);
  if (names.length === 0) {
    issues.push({
      path: 'environments',
      message: 'no environments are defined',
      source: matrix.source,
      fix: 'define at least one environment, e.g. environments: { dev: {} }',
    });
    return;
  }
  for (const name of names) {
    const spec = matrix.environments[name] ?? {};
    const path = `environments.${name}`;
    checkName(issues, 'environment', name, path, matrix.source);
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
  validatePromotionOrder(matrix, names, issues);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function validatePromotionOrder(matrix: MatrixDefinition, names: string[], issues: MatrixIssue[]): void {
  // A cycle: following promotesTo from some environment comes back to it.
  const reported = new Set<string>();
  for (const start of names) {
    const path: string[] = [];
    for (
      let name: string | undefined = start;
      name && names.includes(name);
      name = matrix.environments[name]?.promotesTo
    ) {
      const at = path.indexOf(name);
      if (at >= 0) {
        const cycle = path.slice(at);
        const key = [...cycle].sort().join(',');
        if (!reported.has(key) && cycle.length > 1) {
          reported.add(key);
          issues.push({
            path: 'environments',
            message: `promotion order has a cycle: ${[...cycle, name].join(' → ')}`,
            source: matrix.source,
            fix: 'remove promotesTo from the last environment of the order',
          });
        }
        break;
      }
      path.push(name);
    }
  }
  if (reported.size > 0) return;
  const order = promotionOrder(matrix.environments);
  const chain: string[] = [];
  for (
    let name: string | undefined = order[0];
    name && names.includes(name) && !chain.includes(name);
    name = matrix.environments[name]?.promotesTo
  ) {
    chain.push(name);
  }
  for (const name of names.filter((n) => !chain.includes(n))) {
    issues.push({
      path: `environments.${name}`,
      message: `environment "${name}" is unreachable in the promotion order ${chain.join(' → ')}`,
      source: matrix.source,
      fix: `make an environment promote to "${name}", or have "${name}" sit in the one chain that starts at "${chain[0]}"`,
    });
  }
}

function validateClusters(matrix: MatrixDefinition, issues: MatrixIssue[]): void {
  const envs = Object.keys(matrix.environments);
  const seen = new Map<string, string>();
  matrix.clusters.forEach((spec, index) => {
    const name = clusterName(spec);
    const id = targetId(spec.env, spec.cloud, spec.region, name);
    const path = `clusters[${index}] ${id}`;
    checkName(issues, 'cluster', name, path, spec.source);
    if (!envs.includes(spec.env)) {
      issues.push({
        path,
        message: `unknown environment "${spec.env}"`,
        source: spec.source,
        fix: `use one of: ${envs.join(', ')}, or add "${spec.env}" to environments`,
      });
    }
    if (!CLOUDS.includes(spec.cloud)) {
      issues.push({
        path,
        message: `unknown cloud "${String(spec.cloud)}"`,
        source: spec.source,
        fix: `use one of: ${CLOUDS.join(', ')}`,
      });
    } else if (spec.cloud === 'onprem') {
      checkName(issues, 'on-prem site', spec.region, path, spec.source);
    } else if (!regionInfo(spec.cloud, spec.region)) {
      issues.push({
        path,
        message: `"${spec.region}" is not a ${spec.cloud} region`,
        source: spec.source,
        fix: `use a ${spec.cloud} region from src/matrix/regions.ts`,
      });
    } else if (spec.zones) {
      const known = regionInfo(spec.cloud, spec.region)?.zones ?? [];
      for (const zone of spec.zones.filter((z) => !known.includes(z))) {
        issues.push({
          path,
          message: `zone "${zone}" is not in ${spec.region}`,
          source: spec.source,
          fix: `use zones of ${spec.region}: ${known.join(', ')}`,
        });
      }
    }
    if (spec.engine !== undefined && !ENGINES.includes(spec.engine)) {
      issues.push({
        path,
        message: `unknown engine "${String(spec.engine)}"`,
        source: spec.source,
        fix: 'use "argocd" or "flux" (a cluster has exactly one engine)',
      });
    }
    if (spec.wave !== undefined && !(Number.isInteger(spec.wave) && spec.wave >= 0)) {
      issues.push({
        path,
        message: `wave ${spec.wave} is not a whole number ≥ 0`,
        source: spec.source,
        fix: 'number waves 0, 1, 2… in the order they receive a release',
      });
    }
    const first = seen.get(id);
    if (first) {
      issues.push({
        path,
        message: `duplicate cluster ${id} (also defined at ${first})`,
        source: spec.source,
        fix: 'give one of them another name with { name: "…" }',
      });
    } else {
      seen.set(id, spec.source);
    }
  });
}

function validateApps(matrix: MatrixDefinition, issues: MatrixIssue[]): void {
  const names = matrix.apps.map((app) => app.name);
  const seen = new Map<string, string>();
  for (const app of matrix.apps) {
    const path = `apps.${app.name}`;
    checkName(issues, 'app', app.name, path, app.source);
    if (app.namespace !== undefined)
      checkName(issues, 'namespace', app.namespace, `${path}.namespace`, app.source);
    const first = seen.get(app.name);
    if (first) {
      issues.push({
        path,
        message: `duplicate app "${app.name}" (also defined at ${first})`,
        source: app.source,
        fix: 'rename one of them; app names are unique across the matrix',
      });
    } else {
      seen.set(app.name, app.source);
    }
    for (const dependency of app.dependsOn ?? []) {
      if (dependency === app.name) {
        issues.push({
          path: `${path}.dependsOn`,
          message: `"${app.name}" depends on itself`,
          source: app.source,
          fix: 'remove it from dependsOn',
        });
      } else if (!names.includes(dependency)) {
        issues.push({
          path: `${path}.dependsOn`,
          message: `depends on unknown app "${dependency}"`,
          source: app.source,
          fix: `use one of: ${names.filter((n) => n !== app.name).join(', ')}`,
        });
      }
    }
    for (const key of Object.keys(app.config ?? {})) {
      if (!ENV_VAR_NAME.test(key)) {
        issues.push({
          path: `${path}.config.${key}`,
          message: `config key "${key}" is not an environment variable name`,
          source: app.source,
          fix: 'use letters, digits and _, not starting with a digit',
        });
      }
    }
    (app.secrets ?? []).forEach((secret, index) => {
      const extra = Object.keys(secret).filter((key) => !SECRET_REF_FIELDS.has(key));
      if (extra.length > 0) {
        issues.push({
          path: `${path}.secrets[${index}]`,
          message: `secret reference has field(s) ${extra.join(', ')}`,
          source: app.source,
          fix: 'a secret is a reference {name, store, key, property?}; put the value in the secret store, never in the matrix',
        });
      }
      checkName(issues, 'secret', secret.name, `${path}.secrets[${index}]`, app.source);
    });
    validatePlacementSelectors(matrix, app, issues);
  }
  validateDependencyCycles(matrix, issues);
}

function validatePlacementSelectors(
  matrix: MatrixDefinition,
  app: AppDefinition,
  issues: MatrixIssue[],
): void {
  const residency = app.placement?.residency;
  const allowed: Jurisdiction[] = ['eu', 'us', 'apac', 'other'];
  for (const jurisdiction of residency === undefined
    ? []
    : typeof residency === 'string'
      ? [residency]
      : residency) {
    if (!allowed.includes(jurisdiction)) {
      issues.push({
        path: `apps.${app.name}.placement.residency`,
        message: `unknown jurisdiction "${jurisdiction}"`,
        source: app.source,
        fix: `use ${allowed.join(', ')}`,
      });
    }
  }
  for (const [kind, selectors] of [
    ['include', app.placement?.include ?? []],
    ['exclude', app.placement?.exclude ?? []],
  ] as const) {
    selectors.forEach((selector, index) => {
      const problem = selectorProblem(matrix, selector);
      if (problem) {
        issues.push({
          path: `apps.${app.name}.placement.${kind}[${index}]`,
          message: `${describeSelector(selector)} ${problem}`,
          source: app.source,
          fix: 'correct the selector so it names environments, clouds, regions and clusters in the matrix',
        });
      }
    });
  }
}

/** Why a selector can never match, or undefined when it matches some cluster. */
function selectorProblem(matrix: MatrixDefinition, selector: TargetSelector): string | undefined {
  if (selector.env !== undefined && !(selector.env in matrix.environments))
    return `names unknown environment "${selector.env}"`;
  if (selector.cloud !== undefined && !CLOUDS.includes(selector.cloud))
    return `names unknown cloud "${selector.cloud}"`;
  const matches = matrix.clusters.some(
    (c) =>
      (selector.env === undefined || c.env === selector.env) &&
      (selector.cloud === undefined || c.cloud === selector.cloud) &&
      (selector.region === undefined || c.region === selector.region) &&
      (selector.cluster === undefined || clusterName(c) === selector.cluster),
  );
  return matches ? undefined : 'matches no cluster';
}

function validateDependencyCycles(matrix: MatrixDefinition, issues: MatrixIssue[]): void {
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
}

function validateOverrides(matrix: MatrixDefinition, issues: MatrixIssue[]): void {
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
    if (problem)
      issues.push({
        path,
        message: problem,
        source: matrix.source,
        fix: 'correct the selector so it names environments, clouds, regions and clusters in the matrix',
      });
  });
}

function validatePins(matrix: MatrixDefinition, pins: PinsByEnvironment, issues: MatrixIssue[]): void {
  const apps = matrix.apps.map((app) => app.name);
  for (const [env, { file, apps: pinned, waves = {} }] of Object.entries(pins)) {
    if (!(env in matrix.environments)) {
      issues.push({
        path: file,
        message: `pins file for unknown environment "${env}"`,
        fix: `rename it after one of: ${Object.keys(matrix.environments).join(', ')}, or delete it`,
      });
      continue;
    }
    const pinPaths = [
      ...Object.keys(pinned).map((app) => ({ app, path: `apps.${app}` })),
      ...Object.entries(waves).flatMap(([wave, wavePins]) =>
        Object.keys(wavePins).map((app) => ({ app, path: `waves.${wave}.${app}` })),
      ),
    ];
    for (const { app, path } of pinPaths) {
      if (!apps.includes(app)) {
        issues.push({
          path: `${file} ${path}`,
          message: `pin for unknown app "${app}"`,
          fix: `remove it, or use one of: ${apps.join(', ')}`,
        });
      }
    }
    const envWaves = [...new Set(matrix.clusters.filter((c) => c.env === env).map((c) => c.wave ?? 0))];
    for (const wave of Object.keys(waves)) {
      if (!envWaves.includes(Number(wave))) {
        issues.push({
          path: `${file} waves.${wave}`,
          message: `pins for wave ${wave}, but no ${env} cluster is in wave ${wave}`,
          fix: `remove it, or use one of the waves of ${env}: ${envWaves.sort((a, b) => a - b).join(', ')}`,
        });
      }
    }
  }
}

/** Rules on what each target really gets, after overrides and pins. */
function validateTargets(
  matrix: MatrixDefinition,
  resolved: ResolvedMatrix,
  pins: PinsByEnvironment,
  issues: MatrixIssue[],
): void {
  const appsByName = new Map(matrix.apps.map((app) => [app.name, app]));
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
    const placed = new Set(target.apps.map((app) => app.name));
    for (const app of target.apps) {
      const definition = appsByName.get(app.name);
      const source = definition?.source;
      const path = `${target.id}/${app.name}`;
      const at = (message: string, fix: string): void => {
        issues.push({ path, message, ...(source && { source }), fix });
      };
      const residency = definition?.placement?.residency;
      const allowed =
        residency === undefined ? undefined : typeof residency === 'string' ? [residency] : residency;
      if (allowed && !allowed.includes(target.jurisdiction)) {
        at(
          `residency ${allowed.join('|')} forbids ${target.region} (${target.jurisdiction})`,
          `exclude ${target.id} in placement, or allow ${target.jurisdiction} in placement.residency`,
        );
      }
      const pin = effectivePin(pins[target.env], target.wave, app.name);
      if (!pin) {
        at(
          `no pin in ${env.pinsFile}`,
          `add "${app.name}": {"tag": "…"} to ${env.pinsFile}, or run envmatrix pin --env ${target.env} --app ${app.name} --tag <tag>`,
        );
      } else if (env.policy.requireDigest && !pin.digest) {
        at(
          `pin ${pin.tag} has no digest, and ${target.env} requires one`,
          `add "digest": "sha256:…" to ${app.name} in ${env.pinsFile}`,
        );
      }
      const replicas = app.values.scaling?.min ?? app.values.replicas;
      if (replicas < env.policy.minReplicas) {
        at(
          `replicas ${replicas} < policy minimum ${env.policy.minReplicas}`,
          app.values.scaling
            ? `raise scaling.min to ${env.policy.minReplicas} or more for ${target.env}`
            : `raise replicas to ${env.policy.minReplicas} or more for ${target.env}`,
        );
      }
      for (const dependency of app.dependsOn) {
        if (appsByName.has(dependency) && !placed.has(dependency)) {
          at(
            `depends on "${dependency}", which is not placed on ${target.id}`,
            `place "${dependency}" on ${target.id}, or exclude "${app.name}" from it`,
          );
        }
      }
      validateAppValues(app.values, at);
      const portNames = Object.keys(app.ports);
      if (app.values.probes.port !== undefined && !portNames.includes(app.values.probes.port)) {
        at(
          `probe port "${app.values.probes.port}" is not one of the app's ports (${portNames.join(', ') || 'none'})`,
          'name a port from ports, or leave probes.port out to use the first port',
        );
      }
    }
  }
}

function validateAppValues(
  values: ResolvedTarget['apps'][number]['values'],
  at: (message: string, fix: string) => void,
): void {
  const { scaling, strategy, resources } = values;
  if (scaling) {
    if (!(Number.isInteger(scaling.min) && scaling.min >= 1))
      at(`scaling.min ${scaling.min} is not a whole number ≥ 1`, 'set scaling.min to 1 or more');
    if (scaling.max < scaling.min)
      at(`scaling.min ${scaling.min} > scaling.max ${scaling.max}`, 'make scaling.max at least scaling.min');
  } else if (!(Number.isInteger(values.replicas) && values.replicas >= 0)) {
    at(`replicas ${values.replicas} is not a whole number ≥ 0`, 'set replicas to 0 or more');
  }
  for (const key of ['cpu', 'memory', 'cpuLimit', 'memoryLimit'] as const) {
    const quantity = resources[key];
    if (quantity !== undefined && !QUANTITY.test(quantity))
      at(
        `resources.${key} ${JSON.stringify(quantity)} is not a Kubernetes quantity`,
        'write e.g. 250m or 1 for CPU, 256Mi or 1Gi for memory',
      );
  }
  if (strategy.kind === 'canary') {
    const steps = strategy.steps;
    const increasing = steps.every(
      (weight, i) => weight > 0 && weight <= 100 && (i === 0 || weight > (steps[i - 1] ?? 0)),
    );
    if (steps.length === 0 || !increasing || steps[steps.length - 1] !== 100) {
      at(
        `canary steps [${steps.join(', ')}] must increase strictly from above 0 and end at 100`,
        'write weights such as [5, 20, 50, 100]',
      );
    }
    if (durationSeconds(strategy.pause) === undefined)
      at(
        `canary pause ${JSON.stringify(strategy.pause)} is not a duration`,
        'write a number and a unit: 30s, 5m, 1h',
      );
  }
  for (const [key, value] of Object.entries(values.config)) {
    if (SECRET_LIKE_KEY.test(key) && value !== '') {
      at(
        `config key "${key}" looks like a credential`,
        'move it to secrets as a reference {name, store, key}; secret values never go in the matrix',
      );
    }
  }
}

/** Every problem in the matrix, or an empty list. */
export function validateMatrix(
  matrix: MatrixDefinition,
  pins: PinsByEnvironment,
  resolved: ResolvedMatrix,
): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  validateEnvironments(matrix, issues);
  validateClusters(matrix, issues);
  validateApps(matrix, issues);
  validateOverrides(matrix, issues);
  validatePins(matrix, pins, issues);
  validateTargets(matrix, resolved, pins, issues);
  issues.push(...validateInfrastructure(matrix, resolved));
  issues.push(...validateDelivery(matrix, resolved));
  issues.push(...validateWorkloads(matrix, resolved));
  return issues;
}
