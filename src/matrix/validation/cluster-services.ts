/**
 * `monitoring` and `ingress`, the cluster services apps are reached by: the namespaces Prometheus and
 * the ingress controller run in are namespace names, and the labels the monitors and rules carry are
 * labels Kubernetes accepts and envmatrix does not already set. Label syntax as the API
 * server checks it (k8s.io/apimachinery validation: IsQualifiedName, IsValidLabelValue,
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set).
 */
import type { MatrixIssue } from '../errors.ts';
import { nameIssue, type ValidationInput } from './rule.ts';

/** A name part: at most 63 characters, alphanumerics at both ends, `-`, `_`, `.` between. */
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A prefix: a DNS subdomain, at most 253 characters. */
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The label prefixes of envmatrix's own labels, which selectors and the fleet view read. */
const RESERVED_PREFIXES = ['app.kubernetes.io/', 'envmatrix.io/'];

function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))
    return `its prefix "${prefix}" is not a DNS subdomain`;
  if (!NAME_PART.test(name))
    return 'its name is not 1–63 letters, digits, "-", "_" or "." starting and ending with a letter or digit';
  if (RESERVED_PREFIXES.some((reserved) => key.startsWith(reserved)))
    return `envmatrix sets the ${RESERVED_PREFIXES.join(' and ')} labels itself`;
  return undefined;
}

export function validateClusterServices({ matrix }: ValidationInput): MatrixIssue[] {
  const source = matrix.source;
  const issues: MatrixIssue[] =
    matrix.ingress?.namespace === undefined
      ? []
      : nameIssue('ingress namespace', matrix.ingress.namespace, 'ingress.namespace', source);
  const monitoring = matrix.monitoring;
  if (!monitoring) return issues;
  if (monitoring.namespace !== undefined)
    issues.push(...nameIssue('monitoring namespace', monitoring.namespace, 'monitoring.namespace', source));
  const labels: unknown = monitoring.labels;
  if (labels === undefined) return issues;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    issues.push({
      path: 'monitoring.labels',
      message: `labels ${JSON.stringify(labels)} is not an object of label names to values`,
      source,
      fix: "write e.g. labels: { release: 'kube-prometheus-stack' }",
    });
    return issues;
  }
  for (const [key, value] of Object.entries(labels)) {
    const path = `monitoring.labels.${key}`;
    const keyProblem = labelKeyProblem(key);
    if (keyProblem)
      issues.push({
        path,
        message: `label "${key}" is not a label envmatrix can set: ${keyProblem}`,
        source,
        fix: 'use the label your Prometheus selects on, e.g. release (kube-prometheus-stack)',
      });
    if (typeof value !== 'string' || (value !== '' && !NAME_PART.test(value)))
      issues.push({
        path,
        message: `label value ${JSON.stringify(value)} is not a label value`,
        source,
        fix: 'write a string of at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      });
  }
  return issues;
}
