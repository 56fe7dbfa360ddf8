/**
 * Workload values: what each app instance really gets after overrides and pins, judged per target.
 * Every problem goes through the one app-value reporter (./app-values.ts), so it names the layer that
 * set the offending value: the app file, an override or a pins file.
 */
import { durationSeconds } from '../duration.ts';
import type { MatrixIssue } from '../errors.ts';
import type { AppValues } from '../types.ts';
import { forEachAppInstance, type AppInstance, type ValueReport } from './app-values.ts';
import type { ValidationInput } from './rule.ts';

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const PERCENT = /^(\d+)%$/;
/**
 * Config keys whose values would be credentials: those belong in `secrets`, as references. Judged by
 * the key's last word (or last two), so `DB_PASSWORD`, `githubToken` and `API_KEY` are flagged, while
 * `TOKEN_TTL`, `MAX_TOKENS` and `PASSWORD_MIN_LENGTH`, which describe a credential, are not.
 */
const SECRET_LAST_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'secret',
  'token',
  'credential',
  'credentials',
]);
const SECRET_LAST_TWO_WORDS = new Set([
  'api key',
  'apikey',
  'private key',
  'access key',
  'secret key',
  'client secret',
]);

export function isSecretLikeKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words.at(-1) ?? '';
  return (
    SECRET_LAST_WORDS.has(last) || SECRET_LAST_TWO_WORDS.has(words.slice(-2).join(' ')) || last === 'apikey'
  );
}

export const SECRET_FIX =
  'move it to secrets as a reference {name, store, key}; secret values never go in the matrix';

/** Values that are credentials whatever their key is called: they belong in a secret store. */
export const SECRET_LOOKING_VALUES: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'an AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/ },
  { what: 'a URL with a password', pattern: /:\/\/[^/\s:@]+:[^/\s@]+@/ },
  { what: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  // Stripe secret and restricted live keys (https://docs.stripe.com/keys): not in secretlint's preset.
  { what: 'a Stripe live key', pattern: /\b[sr]k_live_[0-9A-Za-z]{16,}\b/ },
  { what: 'a password or token assignment', pattern: /(password|passwd|secret|token|api[_-]?key)=[^&\s]+/i },
];

export function validateWorkloadValues(input: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  forEachAppInstance(input, issues, (instance) => {
    const { values } = instance.app;
    validateReplicas(instance);
    validateResources(values, instance.report);
    validateStrategy(values.strategy, instance.report);
    validatePorts(instance);
    validateConfig(values.config, instance.definition?.publicConfig ?? [], instance.report);
  });
  return issues;
}

function validateReplicas({ app, env, target, report }: AppInstance): void {
  const { scaling, replicas } = app.values;
  const running = scaling?.min ?? replicas;
  // A scheduled app runs one pod per run: the policy minimum is about serving, which it does not do.
  if (running < env.policy.minReplicas && !app.values.schedule) {
    report(
      scaling ? 'scaling.min' : 'replicas',
      `replicas ${running} < policy minimum ${env.policy.minReplicas}`,
      scaling
        ? `raise scaling.min to ${env.policy.minReplicas} or more for ${target.env}`
        : `raise replicas to ${env.policy.minReplicas} or more for ${target.env}`,
    );
  }
  if (!scaling) {
    if (!(Number.isInteger(replicas) && replicas >= 0))
      report('replicas', `replicas ${replicas} is not a whole number ≥ 0`, 'set replicas to 0 or more');
    return;
  }
  if (scaling.max === undefined || scaling.min === undefined) {
    const [missing, set] = scaling.max === undefined ? ['max', 'min'] : ['min', 'max'];
    report(
      `scaling.${set}`,
      `scaling has no ${missing} (scaling is ${JSON.stringify(scaling)})`,
      `give scaling both min and max; an override that sets only scaling.${set} should name the apps that scale with app: "…"`,
    );
  } else {
    if (!(Number.isInteger(scaling.min) && scaling.min >= 1))
      report(
        'scaling.min',
        `scaling.min ${scaling.min} is not a whole number ≥ 1`,
        'set scaling.min to 1 or more',
      );
    if (!Number.isInteger(scaling.max))
      report(
        'scaling.max',
        `scaling.max ${scaling.max} is not a whole number`,
        'set scaling.max to a whole number',
      );
    if (scaling.max < scaling.min)
      report(
        ['scaling.min', 'scaling.max'],
        `scaling.min ${scaling.min} > scaling.max ${scaling.max}`,
        'make scaling.max at least scaling.min',
      );
  }
  if (
    scaling.cpuPercent !== undefined &&
    !(Number.isInteger(scaling.cpuPercent) && scaling.cpuPercent >= 1)
  ) {
    report(
      'scaling.cpuPercent',
      `scaling.cpuPercent ${scaling.cpuPercent} is not a whole number ≥ 1`,
      'give a CPU target such as 70',
    );
  }
}

function validateResources({ resources }: AppValues, report: ValueReport): void {
  for (const key of ['cpu', 'memory', 'cpuLimit', 'memoryLimit'] as const) {
    const quantity = resources[key];
    if (quantity !== undefined && !QUANTITY.test(quantity))
      report(
        `resources.${key}`,
        `resources.${key} ${JSON.stringify(quantity)} is not a Kubernetes quantity`,
        'write e.g. 250m or 1 for CPU, 256Mi or 1Gi for memory',
      );
  }
}

function validateStrategy(strategy: AppValues['strategy'], report: ValueReport): void {
  // A strategy is set whole by one layer (merge.ts), so that layer is blamed for any of its fields.
  const at = (message: string, fix: string): void => report('strategy', message, fix);
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
  if (strategy.kind === 'rolling') validateRolling(strategy.maxSurge, strategy.maxUnavailable, at);
  if (strategy.kind === 'blueGreen') {
    const preview = strategy.previewReplicas;
    if (preview !== undefined && !(Number.isInteger(preview) && preview >= 1))
      at(`blue-green previewReplicas ${preview} is not a whole number ≥ 1`, 'run at least 1 preview replica');
  }
}

function validateRolling(
  maxSurge: string | number | undefined,
  maxUnavailable: string | number | undefined,
  at: (message: string, fix: string) => void,
): void {
  const zero: string[] = [];
  for (const [field, amount] of Object.entries({ maxSurge, maxUnavailable })) {
    if (amount === undefined) continue;
    const percent = typeof amount === 'string' ? PERCENT.exec(amount) : null;
    const valid =
      typeof amount === 'number'
        ? Number.isInteger(amount) && amount >= 0
        : percent !== null && Number(percent[1]) <= 100;
    if (!valid) {
      at(
        `rolling ${field} ${JSON.stringify(amount)} is neither a whole number ≥ 0 nor a percentage`,
        `write a count such as 1 or a percentage such as "25%" for ${field}`,
      );
    } else if (amount === 0 || (percent !== null && Number(percent[1]) === 0)) {
      zero.push(field);
    }
  }
  // maxSurge defaults to 25%, so both are zero only when both are written so.
  if (zero.length === 2) {
    at(
      'rolling maxSurge and maxUnavailable are both 0, so a rollout could never replace a pod',
      'allow a surge (maxSurge: "25%") or an unavailable pod (maxUnavailable: 1)',
    );
  }
}

/** Probes and exposure need ports: probes name one, or hit the first. */
function validatePorts({ app, report }: AppInstance): void {
  const { probes, expose } = app.values;
  const portNames = Object.keys(app.ports);
  if (probes.port !== undefined && !portNames.includes(probes.port)) {
    report(
      'probes.port',
      `probe port "${probes.port}" is not one of the app's ports (${portNames.join(', ') || 'none'})`,
      'name a port from ports, or leave probes.port out to use the first port',
    );
  }
  if (portNames.length === 0 && (probes.readiness !== undefined || probes.liveness !== undefined)) {
    report(
      probes.readiness !== undefined ? 'probes.readiness' : 'probes.liveness',
      'has HTTP probes but no ports for them to hit',
      'give the app ports, or remove probes.readiness and probes.liveness',
    );
  }
  if (portNames.length === 0 && expose)
    report('expose', 'is exposed but has no ports to expose', 'give the app ports, or set expose: false');
}

function validateConfig(
  config: AppValues['config'],
  publicConfig: readonly string[],
  report: ValueReport,
): void {
  // Keys the app lists in publicConfig were reviewed as not secret: that list is the opt-out.
  const checked = Object.entries(config).filter(([key]) => !publicConfig.includes(key));
  for (const [key, value] of checked) {
    if (isSecretLikeKey(key) && value !== '')
      report(`config.${key}`, `config key "${key}" looks like a credential`, SECRET_FIX);
  }
  for (const [key, value] of checked) {
    const found = SECRET_LOOKING_VALUES.find(({ pattern }) => pattern.test(value));
    if (found) report(`config.${key}`, `config value of "${key}" looks like ${found.what}`, SECRET_FIX);
  }
}
