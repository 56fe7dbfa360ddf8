/**
 * Risk first: what in a rendered change deserves a second look, computed from the files themselves
 * (Kubernetes objects in YAML or JSON, the values files, Terraform JSON) rather than from what the
 * promotion meant to change. A version bump renders as image references only; anything else that moves
 * (a deleted object, a Service type, a PVC, RBAC, a looser NetworkPolicy, a strategy) is listed here.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { compareStrings } from '../core/compare.ts';
import { terraformForceNewArguments, terraformRiskPatterns } from '../generators/terraform/clouds.ts';
import { describeDestructiveChange, destructiveChangesInConfig } from '../generators/terraform/plan-risk.ts';
import type { Risk, RiskKind } from './types.ts';

/** One changed file under generated/, with its content before and after (undefined: absent). */
export interface RenderedFileChange {
  readonly path: string;
  /** Target id, environment or `matrix`: where the file belongs. */
  readonly scope: string;
  readonly before?: string;
  readonly after?: string;
}

interface KubeObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
  readonly spec?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

interface Located {
  readonly object: KubeObject;
  readonly path: string;
}

const RISK_ORDER: readonly RiskKind[] = [
  'deletion',
  'namespace',
  'crd',
  'rbac',
  'network-policy',
  'persistent-volume',
  'service',
  'strategy',
  'migration',
  'downgrade',
  'new-app',
  'drift',
];

function isKubeObject(value: unknown): value is KubeObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as KubeObject).kind === 'string' &&
    typeof (value as KubeObject).apiVersion === 'string'
  );
}

function parseDocuments(path: string, text: string | undefined): unknown[] {
  if (text === undefined) return [];
  try {
    if (path.endsWith('.json')) return [JSON.parse(text) as unknown];
    if (path.endsWith('.yaml') || path.endsWith('.yml'))
      return parseAllDocuments(text).map((doc) => doc.toJSON() as unknown);
  } catch {
    // Unparseable output is the generators' problem (synth --check and the schema tests catch it).
  }
  return [];
}

function kubeObjects(path: string, text: string | undefined): Located[] {
  const objects: Located[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isKubeObject(value)) {
      if (value.kind?.endsWith('List') && Array.isArray(value.items))
        (value.items as unknown[]).forEach(visit);
      else objects.push({ object: value, path });
    }
  };
  parseDocuments(path, text).forEach(visit);
  return objects;
}

const group = (object: KubeObject): string =>
  object.apiVersion?.includes('/') ? object.apiVersion.split('/')[0]! : '';
const keyOf = (o: KubeObject): string =>
  `${group(o)}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const nameOf = (o: KubeObject): string =>
  `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? '(unnamed)'}`;

/**
 * The label the k8s generator puts on a migration Job (generators/k8s/migration.ts); a Job that carries
 * it runs against the database before the rollout, so any change to it is worth a reviewer's look.
 */
export const MIGRATION_LABEL = 'app.kubernetes.io/component: migration';

function isMigration(object: KubeObject): boolean {
  return object.kind === 'Job' && object.metadata?.labels?.['app.kubernetes.io/component'] === 'migration';
}

/** `runs ./migrate up (ghcr.io/acme/api:1.5.0) before the rollout`. */
function describeMigration(object: KubeObject): string {
  const template = object.spec?.template as
    { spec?: { containers?: { image?: string; command?: string[] }[] } } | undefined;
  const container = template?.spec?.containers?.[0];
  return `runs ${(container?.command ?? []).join(' ') || 'its image'} (${container?.image ?? 'no image'}) before the rollout`;
}

/**
 * Whether a rendered file holds a migration Job: such a file is parsed even when its diff only moves
 * versions, since a new version of a migration is a new schema change.
 */
export function holdsMigration(text: string | undefined): boolean {
  return text?.includes(MIGRATION_LABEL) ?? false;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'CronJob']);

/** A value from a manifest as text: strings and numbers as they are, anything else as JSON. */
function scalar(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}

function describePorts(ports: unknown): string {
  if (!Array.isArray(ports)) return 'none';
  return (
    ports
      .map((port: Record<string, unknown>) =>
        [
          port.name,
          `${scalar(port.port)}${port.targetPort !== undefined ? `→${scalar(port.targetPort)}` : ''}`,
          port.protocol ?? 'TCP',
        ]
          .filter(Boolean)
          .join(' '),
      )
      .join(', ') || 'none'
  );
}

/** How `after` lets more traffic through than `before`, or undefined when it does not. */
export function networkPolicyLoosening(before: KubeObject, after: KubeObject): string | undefined {
  const b = before.spec ?? {};
  const a = after.spec ?? {};
  const reasons: string[] = [];
  const typesBefore = (b.policyTypes as string[] | undefined) ?? [];
  const typesAfter = (a.policyTypes as string[] | undefined) ?? [];
  for (const type of typesBefore) if (!typesAfter.includes(type)) reasons.push(`no longer restricts ${type}`);
  for (const direction of ['ingress', 'egress'] as const) {
    const peers = direction === 'ingress' ? 'from' : 'to';
    const rulesBefore = (b[direction] as Record<string, unknown>[] | undefined) ?? [];
    const rulesAfter = (a[direction] as Record<string, unknown>[] | undefined) ?? [];
    const added = rulesAfter.filter((rule) => !rulesBefore.some((old) => isDeepStrictEqual(old, rule)));
    if (added.length === 0) continue;
    const open = added.filter(
      (rule) => !Array.isArray(rule[peers]) || (rule[peers] as unknown[]).length === 0,
    );
    reasons.push(
      open.length > 0
        ? `${direction} now allows every ${direction === 'ingress' ? 'source' : 'destination'}`
        : `${added.length} new or widened ${direction} rule${added.length === 1 ? '' : 's'}`,
    );
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}

function objectRisks(scope: string, before: Located[], after: Located[]): Risk[] {
  const risks: Risk[] = [];
  const add = (kind: RiskKind, detail: string, path: string): void => {
    risks.push({ kind, scope, detail, path });
  };
  const beforeByKey = new Map(before.map((entry) => [keyOf(entry.object), entry]));
  const afterByKey = new Map(after.map((entry) => [keyOf(entry.object), entry]));

  for (const [key, { object, path }] of beforeByKey) {
    if (afterByKey.has(key)) continue;
    const name = object.metadata?.name;
    const moved = after.find(
      (entry) =>
        entry.object.kind === object.kind &&
        entry.object.metadata?.name === name &&
        !beforeByKey.has(keyOf(entry.object)),
    );
    const switched = WORKLOAD_KINDS.has(object.kind ?? '')
      ? after.find(
          (entry) =>
            WORKLOAD_KINDS.has(entry.object.kind ?? '') &&
            entry.object.kind !== object.kind &&
            entry.object.metadata?.name === name &&
            entry.object.metadata?.namespace === object.metadata?.namespace,
        )
      : undefined;
    if (moved) {
      add(
        'namespace',
        `${object.kind} ${name}: namespace ${object.metadata?.namespace ?? '(none)'} → ${moved.object.metadata?.namespace ?? '(none)'} (deleted and recreated)`,
        moved.path,
      );
    } else if (switched) {
      add('strategy', `${nameOf(object)}: ${object.kind} → ${switched.object.kind}`, switched.path);
    } else {
      add('deletion', `${nameOf(object)} is deleted`, path);
    }
    if (object.kind === 'PersistentVolumeClaim')
      add('persistent-volume', `${nameOf(object)} is removed`, path);
  }

  for (const [key, { object, path }] of afterByKey) {
    const old = beforeByKey.get(key)?.object;
    if (old && isDeepStrictEqual(old, object)) continue;
    const verb = old ? 'changes' : 'is added';
    const kind = object.kind ?? '';
    if (kind === 'CustomResourceDefinition') add('crd', `${nameOf(object)} ${verb}`, path);
    if (group(object) === 'rbac.authorization.k8s.io') add('rbac', `${nameOf(object)} ${verb}`, path);
    if (kind === 'PersistentVolumeClaim') add('persistent-volume', `${nameOf(object)} ${verb}`, path);
    if (!old && isMigration(object))
      add('migration', `${nameOf(object)} is added: ${describeMigration(object)}`, path);
    if (!old) continue;
    if (kind === 'Service') {
      if (old.spec?.type !== object.spec?.type) {
        add(
          'service',
          `${nameOf(object)}: type ${scalar(old.spec?.type ?? 'ClusterIP')} → ${scalar(object.spec?.type ?? 'ClusterIP')}`,
          path,
        );
      }
      if (!isDeepStrictEqual(old.spec?.ports, object.spec?.ports)) {
        add(
          'service',
          `${nameOf(object)}: ports ${describePorts(old.spec?.ports)} → ${describePorts(object.spec?.ports)}`,
          path,
        );
      }
    }
    if (kind === 'NetworkPolicy') {
      const loosening = networkPolicyLoosening(old, object);
      if (loosening) add('network-policy', `${nameOf(object)}: ${loosening}`, path);
    }
    if (isMigration(object) && !isDeepStrictEqual(old.spec, object.spec))
      add('migration', `${nameOf(object)} changes: ${describeMigration(object)}`, path);
    if (WORKLOAD_KINDS.has(kind)) {
      for (const field of ['strategy', 'updateStrategy'] as const) {
        if (!isDeepStrictEqual(old.spec?.[field], object.spec?.[field])) {
          add('strategy', `${nameOf(object)}: spec.${field} changes`, path);
        }
      }
      if (!isDeepStrictEqual(old.spec?.volumeClaimTemplates, object.spec?.volumeClaimTemplates)) {
        add('persistent-volume', `${nameOf(object)}: volumeClaimTemplates change`, path);
      }
    }
  }
  return risks;
}

interface ValuesApp {
  readonly namespace?: string;
  readonly ports?: unknown;
  readonly strategy?: { readonly kind?: string };
  readonly expose?: boolean;
}

function valuesApps(text: string | undefined): Record<string, ValuesApp> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { apps?: Record<string, ValuesApp> };
    return parsed.apps ?? {};
  } catch {
    return undefined;
  }
}

/** `generated/values/...`: what each app gets on a target, before and after. */
function valuesRisks(change: RenderedFileChange): Risk[] {
  const before = valuesApps(change.before) ?? {};
  const after = valuesApps(change.after) ?? {};
  const risks: Risk[] = [];
  const add = (kind: RiskKind, app: string, detail: string): void => {
    risks.push({ kind, scope: change.scope, app, detail, path: change.path });
  };
  for (const [app, old] of Object.entries(before)) {
    const now = after[app];
    if (!now) {
      add('deletion', app, `${app} is no longer deployed to ${change.scope}`);
      continue;
    }
    if (old.namespace !== now.namespace)
      add('namespace', app, `${app}: namespace ${old.namespace} → ${now.namespace}`);
    if (!isDeepStrictEqual(old.ports, now.ports)) {
      add(
        'service',
        app,
        `${app}: ports ${JSON.stringify(old.ports ?? {})} → ${JSON.stringify(now.ports ?? {})}`,
      );
    }
    // Deep: `expose` may be a route ({ paths, port, host }), a fresh object per resolution.
    if (!isDeepStrictEqual(old.expose, now.expose))
      add(
        'service',
        app,
        `${app}: exposed through the ingress ${old.expose ? 'yes' : 'no'} → ${now.expose ? 'yes' : 'no'}`,
      );
    if (!isDeepStrictEqual(old.strategy, now.strategy)) {
      add(
        'strategy',
        app,
        old.strategy?.kind === now.strategy?.kind
          ? `${app}: ${now.strategy?.kind ?? 'rollout'} strategy settings change`
          : `${app}: strategy ${old.strategy?.kind ?? '(none)'} → ${now.strategy?.kind ?? '(none)'}`,
      );
    }
  }
  return risks;
}

/** `generated/terraform/.../*.tf.json`: destroyed resources and IAM changes. */
function terraformRisks(change: RenderedFileChange): Risk[] {
  const resources = (text: string | undefined): Map<string, unknown> => {
    const map = new Map<string, unknown>();
    try {
      const parsed =
        text === undefined
          ? {}
          : (JSON.parse(text) as { resource?: Record<string, Record<string, unknown>> });
      for (const [type, byName] of Object.entries(parsed.resource ?? {}))
        for (const [name, body] of Object.entries(byName)) map.set(`${type}.${name}`, body);
    } catch {
      // see parseDocuments
    }
    return map;
  };
  const before = resources(change.before);
  const after = resources(change.after);
  const risks: Risk[] = [];
  // The classifier CI runs over plans (plan-risk.ts): removals and replacements alike.
  const asConfig = (map: Map<string, unknown>) =>
    new Map([...map].map(([k, v]) => [k, v as Record<string, unknown>]));
  for (const destructive of destructiveChangesInConfig(
    asConfig(before),
    asConfig(after),
    terraformForceNewArguments(),
  ))
    risks.push({
      kind: 'deletion',
      scope: change.scope,
      detail: describeDestructiveChange(destructive),
      path: change.path,
    });
  for (const [address, body] of after) {
    // Each cloud plugin names its access-control resources (AWS: IAM).
    const access = terraformRiskPatterns().find((pattern) => pattern.resource.test(address));
    if (access && !isDeepStrictEqual(before.get(address), body)) {
      risks.push({
        kind: 'rbac',
        scope: change.scope,
        detail: `terraform ${before.has(address) ? 'changes' : 'adds'} ${access.label} ${address}`,
        path: change.path,
      });
    }
  }
  return risks;
}

export function sortRisks(risks: readonly Risk[]): Risk[] {
  const seen = new Set<string>();
  return risks
    .filter((risk) => {
      const key = `${risk.kind}\u0000${risk.scope}\u0000${risk.detail}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort(
      (a, b) =>
        RISK_ORDER.indexOf(a.kind) - RISK_ORDER.indexOf(b.kind) ||
        compareStrings(a.scope, b.scope) ||
        compareStrings(a.detail, b.detail),
    );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A test for unified diffs that only move versions: every added or removed line mentions one of the
 * promoted tags (as a whole token) or digests. Such a file cannot hold a risky change, so its objects
 * need not be parsed; anything else on a changed line (a type, a port, a kind, a whole file) gets the
 * full check. Compiled once per plan.
 */
export function versionOnlyPatches(
  versions: readonly { tag: string; digest?: string }[],
): (patch: string) => boolean {
  const tags = [...new Set(versions.map((v) => escapeRegExp(v.tag)))];
  const digests = [...new Set(versions.flatMap((v) => (v.digest ? [escapeRegExp(v.digest)] : [])))];
  if (tags.length === 0) return () => false;
  const token = new RegExp(
    `${digests.length > 0 ? `${digests.join('|')}|` : ''}(?:^|[^A-Za-z0-9_.-])(?:${tags.join('|')})(?:$|[^A-Za-z0-9_.-])`,
  );
  return (patch) => {
    let changed = 0;
    for (const line of patch.split('\n')) {
      if (line.startsWith('+++') || line.startsWith('---') || !(line.startsWith('+') || line.startsWith('-')))
        continue;
      changed++;
      if (!token.test(line.slice(1))) return false;
    }
    return changed > 0;
  };
}

/** Every risk in a rendered change, most serious kind first, then by scope and detail. */
export function assessRisks(changes: readonly RenderedFileChange[]): Risk[] {
  const risks: Risk[] = [];
  const byScope = new Map<string, { before: Located[]; after: Located[] }>();
  for (const change of changes) {
    if (change.path.startsWith('values/')) {
      risks.push(...valuesRisks(change));
      continue;
    }
    if (change.path.startsWith('terraform/') && change.path.endsWith('.tf.json')) {
      risks.push(...terraformRisks(change));
      continue;
    }
    const scope = byScope.get(change.scope) ?? { before: [], after: [] };
    scope.before.push(...kubeObjects(change.path, change.before));
    scope.after.push(...kubeObjects(change.path, change.after));
    byScope.set(change.scope, scope);
  }
  for (const [scope, { before, after }] of byScope) risks.push(...objectRisks(scope, before, after));
  return sortRisks(risks);
}
