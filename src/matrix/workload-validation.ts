/**
 * Rules for what an app asks of Kubernetes: ports, Services, scaling, rollout strategies, probes and
 * secret references. Each would otherwise surface as an invalid manifest, a cdk8s exception or a
 * rollout that never finishes; here they are matrix problems, reported with all the others. Rules on a
 * definition (ports, secret references) are reported once per app; rules on values are reported per
 * target, because overrides decide what each target gets. Called from validateMatrix.
 */
import type { MatrixIssue } from './errors.ts';
import type { AppDefinition, AppValues, MatrixDefinition, ResolvedMatrix } from './types.ts';

/** IANA service name (RFC 6335), what Kubernetes requires of port names. */
const IANA_SVC_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
/** Service names are DNS-1035 labels: unlike app names, they must start with a letter. */
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Keys of a Kubernetes Secret's data. */
const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const PERCENT = /^(\d+)%$/;

/** Values that are credentials whatever their key is called: they belong in a secret store. */
export const SECRET_LOOKING_VALUES: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'an AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/ },
  { what: 'a URL with a password', pattern: /:\/\/[^/\s:@]+:[^/\s@]+@/ },
  { what: 'a GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { what: 'a password or token assignment', pattern: /(password|passwd|secret|token|api[_-]?key)=[^&\s]+/i },
];

type Report = (message: string, fix: string) => void;
/** Reports a problem with the value at `valuePath` (`scaling.min`, `strategy`), sourced from its layer. */
type ValueReport = (valuePath: string, message: string, fix: string) => void;

export function validateWorkloads(matrix: MatrixDefinition, resolved: ResolvedMatrix): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  for (const app of matrix.apps) {
    const report =
      (path: string): Report =>
      (message, fix) =>
        issues.push({ path: `apps.${app.name}${path}`, message, source: app.source, fix });
    validatePorts(app, report('.ports'));
    validateSecretRefs(app, report('.secrets'));
  }
  const sources = new Map(matrix.apps.map((app) => [app.name, app.source]));
  for (const target of resolved.targets) {
    for (const app of target.apps) {
      const provenance = resolved.provenance.get(target.id)?.get(app.name);
      // The layer that set the offending value is where the fix goes: an override, not the app file.
      const report: ValueReport = (valuePath, message, fix) => {
        const source = provenance?.get(valuePath)?.at(-1)?.source ?? sources.get(app.name);
        issues.push({ path: `${target.id}/${app.name}`, message, ...(source && { source }), fix });
      };
      validateValues(app.values, Object.keys(app.ports).length > 0, report);
    }
  }
  return issues;
}

function validatePorts(app: AppDefinition, report: Report): void {
  const ports = Object.entries(app.ports ?? {});
  const byNumber = new Map<number, string>();
  for (const [name, number] of ports) {
    if (!IANA_SVC_NAME.test(name)) {
      report(
        `port name "${name}" is not an IANA service name`,
        'use at most 15 lowercase letters, digits and single "-", with at least one letter, e.g. http or grpc-web',
      );
    }
    if (!(Number.isInteger(number) && number >= 1 && number <= 65535)) {
      report(
        `port "${name}" has number ${number}, not a port from 1 to 65535`,
        'give a whole number from 1 to 65535',
      );
      continue;
    }
    const clash = byNumber.get(number);
    if (clash !== undefined) {
      report(
        `port names "${clash}" and "${name}" clash: both name port ${number}`,
        `a container port has one name: keep "${clash}" or "${name}", or give one of them another number`,
      );
    }
    byNumber.set(number, name);
  }
  if (ports.length > 0 && !DNS1035_LABEL.test(app.name)) {
    report(
      `app "${app.name}" has ports, so it gets a Service of its name, and Service names must start with a letter`,
      'rename the app so it starts with a letter',
    );
  }
}

function validateSecretRefs(app: AppDefinition, report: Report): void {
  const seen = new Set<string>();
  for (const secret of app.secrets ?? []) {
    if (seen.has(secret.name)) {
      report(
        `secret "${secret.name}" is listed twice`,
        'give each secret reference its own name; one ExternalSecret syncs one Secret',
      );
    }
    seen.add(secret.name);
    if (!(
      typeof secret.store === 'string' &&
      DNS1123_SUBDOMAIN.test(secret.store) &&
      secret.store.length <= 253
    )) {
      report(
        `secret "${secret.name}" names store ${JSON.stringify(secret.store)}, which is not a ClusterSecretStore name`,
        'name the store in lowercase letters, digits, "-" and "."',
      );
    }
    if (!(typeof secret.key === 'string' && secret.key !== '')) {
      report(`secret "${secret.name}" has no key`, 'give the key of the secret in the external store');
    }
    if (secret.property !== undefined && !SECRET_DATA_KEY.test(secret.property)) {
      report(
        `secret "${secret.name}" property "${secret.property}" cannot be a key of a Kubernetes Secret`,
        'use letters, digits, "-", "_" and "." in property',
      );
    }
  }
}

function validateValues(values: AppValues, hasPorts: boolean, report: ValueReport): void {
  const { scaling, strategy, probes } = values;
  if (scaling) {
    if (scaling.max === undefined || scaling.min === undefined) {
      const missing = scaling.max === undefined ? 'max' : 'min';
      report(
        `scaling.${missing === 'max' ? 'min' : 'max'}`,
        `scaling has no ${missing} (scaling is ${JSON.stringify(scaling)})`,
        `give scaling both min and max; an override that sets only scaling.${missing === 'max' ? 'min' : 'max'} should name the apps that scale with app: "…"`,
      );
    } else if (!Number.isInteger(scaling.max)) {
      report(
        'scaling.max',
        `scaling.max ${scaling.max} is not a whole number`,
        'set scaling.max to a whole number',
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
  if (strategy.kind === 'rolling')
    validateRolling(strategy.maxSurge, strategy.maxUnavailable, (message, fix) =>
      report('strategy', message, fix),
    );
  if (strategy.kind === 'blueGreen') {
    const preview = strategy.previewReplicas;
    if (preview !== undefined && !(Number.isInteger(preview) && preview >= 1)) {
      report(
        'strategy',
        `blue-green previewReplicas ${preview} is not a whole number ≥ 1`,
        'run at least 1 preview replica',
      );
    }
  }
  if (!hasPorts && (probes.readiness !== undefined || probes.liveness !== undefined)) {
    report(
      probes.readiness !== undefined ? 'probes.readiness' : 'probes.liveness',
      'has HTTP probes but no ports for them to hit',
      'give the app ports, or remove probes.readiness and probes.liveness',
    );
  }
  if (!hasPorts && values.expose) {
    report('expose', 'is exposed but has no ports to expose', 'give the app ports, or set expose: false');
  }
  for (const [key, value] of Object.entries(values.config)) {
    const found = SECRET_LOOKING_VALUES.find(({ pattern }) => pattern.test(value));
    if (found) {
      report(
        `config.${key}`,
        `config value of "${key}" looks like ${found.what}`,
        'move it to secrets as a reference {name, store, key}; secret values never go in the matrix',
      );
    }
  }
}

function validateRolling(
  maxSurge: string | number | undefined,
  maxUnavailable: string | number | undefined,
  report: Report,
): void {
  const amounts = { maxSurge, maxUnavailable };
  const zero: string[] = [];
  for (const [field, amount] of Object.entries(amounts)) {
    if (amount === undefined) continue;
    const percent = typeof amount === 'string' ? PERCENT.exec(amount) : null;
    const valid =
      typeof amount === 'number'
        ? Number.isInteger(amount) && amount >= 0
        : percent !== null && Number(percent[1]) <= 100;
    if (!valid) {
      report(
        `rolling ${field} ${JSON.stringify(amount)} is neither a whole number ≥ 0 nor a percentage`,
        `write a count such as 1 or a percentage such as "25%" for ${field}`,
      );
    } else if (amount === 0 || (percent !== null && Number(percent[1]) === 0)) {
      zero.push(field);
    }
  }
  // maxSurge defaults to 25%, so both are zero only when both are written so.
  if (zero.length === 2) {
    report(
      'rolling maxSurge and maxUnavailable are both 0, so a rollout could never replace a pod',
      'allow a surge (maxSurge: "25%") or an unavailable pod (maxUnavailable: 1)',
    );
  }
}
