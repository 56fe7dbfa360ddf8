/**
 * Egress and `serves`: the external destinations the matrix names (structure: name, CIDRs, ports), and
 * per app instance the port names it serves to dependants and the destinations and in-cluster peers
 * its pods may send to. A destination name is judged per target, because each environment, region or
 * cluster defines its own (`postgres` in prod is not `postgres` in dev).
 */
import { isIP } from 'node:net';
import type { MatrixIssue } from '../errors.ts';
import type { DestinationSpec } from '../types.ts';
import { forEachAppInstance, type AppInstance } from './app-values.ts';
import { nameIssue, type ValidationInput } from './rule.ts';

const PORT_FIX = 'use TCP port numbers from 1 to 65535';

function isPort(port: unknown): boolean {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** `10.0.0.0/8`, `2001:db8::/32`: an address and a prefix length that fits its family. */
export function isCidr(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const [address, prefix, ...rest] = text.split('/');
  if (rest.length > 0 || address === undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix))
    return false;
  const family = isIP(address);
  return family !== 0 && Number(prefix) <= (family === 4 ? 32 : 128);
}

export function validateEgress(input: ValidationInput): MatrixIssue[] {
  const issues = (input.matrix.destinations ?? []).flatMap((spec, index) =>
    destinationIssues(spec, index, `${input.matrix.source} (destinations[${index}])`),
  );
  forEachAppInstance(input, issues, (instance) => {
    validateServes(instance);
    validateDependencyEdges(instance);
    validateExternalEgress(instance);
    validateClusterEgress(instance);
  });
  return issues;
}

function destinationIssues(spec: DestinationSpec, index: number, source: string): MatrixIssue[] {
  const path = `destinations[${index}]`;
  const issue = (message: string, fix: string): MatrixIssue => ({ path, message, source, fix });
  const issues = nameIssue('destination', spec.name, `${path}.name`, source);
  if (spec.cidrs.length === 0)
    issues.push(
      issue(`destination "${spec.name}" has no cidrs`, 'list the CIDRs the destination answers on'),
    );
  for (const cidr of spec.cidrs.filter((c) => !isCidr(c)))
    issues.push(
      issue(
        `destination "${spec.name}" cidr ${JSON.stringify(cidr)} is not an IPv4 or IPv6 CIDR`,
        'write an address and a prefix length, e.g. 10.30.64.0/24',
      ),
    );
  if (spec.ports.length === 0)
    issues.push(
      issue(`destination "${spec.name}" has no ports`, 'list the TCP ports the destination serves'),
    );
  for (const port of spec.ports.filter((p) => !isPort(p)))
    issues.push(issue(`destination "${spec.name}" port ${JSON.stringify(port)} is not a TCP port`, PORT_FIX));
  return issues;
}

function validateServes({ app, report }: AppInstance): void {
  const portNames = Object.keys(app.ports);
  for (const name of app.values.serves ?? []) {
    if (!portNames.includes(name))
      report(
        'serves',
        `serves "${name}", which is not one of the app's ports (${portNames.join(', ') || 'none'})`,
        'name ports from ports in serves',
      );
  }
}

/**
 * A dependsOn edge opens only the ports the dependency `serves`. An edge to an app that has ports but
 * serves none would open nothing, and the dependant's calls would be dropped at run time with no word
 * at synth: an error, not a warning, because the manifests would be wrong either way. An app without
 * ports is an order-only dependency (sync order, nothing to connect to) and is left alone.
 */
function validateDependencyEdges({ app, target, report }: AppInstance): void {
  for (const name of new Set(app.dependsOn)) {
    const dependency = target.apps.find((candidate) => candidate.name === name);
    if (!dependency) continue;
    const portNames = Object.keys(dependency.ports);
    if (portNames.length === 0 || (dependency.values.serves ?? []).length > 0) continue;
    report(
      'dependsOn',
      `depends on "${name}", which serves none of its ports (${portNames.join(', ')}) here, so the edge opens no port`,
      `add serves: ['${portNames[0] ?? 'http'}'] (the ports dependants call) to "${name}", or remove "${name}" from dependsOn`,
    );
  }
}

function validateExternalEgress({ app, target, report }: AppInstance): void {
  const defined = Object.keys(target.destinations).sort();
  for (const name of app.values.egress?.external ?? []) {
    if (target.destinations[name] === undefined)
      report(
        'egress.external',
        `egress to destination "${name}", which ${target.id} does not define (defined: ${defined.join(', ') || 'none'})`,
        `add { name: '${name}', cidrs, ports } to destinations with a selector that matches ${target.id}, or remove "${name}" from egress.external for it`,
      );
  }
}

function validateClusterEgress({ app, report }: AppInstance): void {
  (app.values.egress?.cluster ?? []).forEach((peer, index) => {
    const path = `egress.cluster`;
    for (const issue of nameIssue('namespace', peer.namespace, path))
      report(path, `egress.cluster[${index}]: ${issue.message}`, issue.fix);
    if (peer.ports.length === 0)
      report(
        path,
        `egress.cluster[${index}] to namespace "${peer.namespace}" has no ports`,
        'list the TCP ports the pods there serve',
      );
    for (const port of peer.ports.filter((p) => !isPort(p)))
      report(path, `egress.cluster[${index}] port ${JSON.stringify(port)} is not a TCP port`, PORT_FIX);
  });
}
