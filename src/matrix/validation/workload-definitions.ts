/**
 * Workload definitions: what an app file asks of Kubernetes that no override can change, its ports and
 * its secret references. Each would otherwise surface as an invalid manifest or a cdk8s exception;
 * reported once per app, against the app file.
 */
import type { MatrixIssue } from '../errors.ts';
import type { AppDefinition } from '../types.ts';
import type { ValidationInput } from './rule.ts';

/** IANA service name (RFC 6335), what Kubernetes requires of port names. */
const IANA_SVC_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
/** Service names are DNS-1035 labels: unlike app names, they must start with a letter. */
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Keys of a Kubernetes Secret's data. */
const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]+$/;

type Report = (message: string, fix: string) => void;

export function validateWorkloadDefinitions({ matrix }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  for (const app of matrix.apps) {
    const report =
      (path: string): Report =>
      (message, fix) =>
        issues.push({ path: `apps.${app.name}${path}`, message, source: app.source, fix });
    validatePorts(app, report('.ports'));
    validateSecretRefs(app, report('.secrets'));
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
