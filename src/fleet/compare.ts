/**
 * `compare`: one app (or every app) on two targets side by side — effective values and rendered
 * objects — with each difference put in one of two groups:
 *
 * - **intended**: an override layer of the matrix sets it (named with its layer and file, from the
 *   resolver's provenance), or a rendered field follows from such a value;
 * - **unexpected**: a pin that lags (the two targets run different releases), or a value or rendered
 *   field that differs with no override to explain it (generated/ edited by hand or stale, or a
 *   difference the matrix does not say it wants).
 *
 * Pure: the rendered objects come in as file contents (the CLI reads them from generated/).
 */
import { loadAll } from 'js-yaml';
import { isDeepStrictEqual } from 'node:util';
import { compareTagsNewestFirst } from '../generators/fleet/grid.ts';
import { k8sAppDir } from '../generators/paths.ts';
import { compareStrings } from '../core/compare.ts';
import { UsageError } from '../core/errors.ts';
import type { ResolvedMatrix, ResolvedTarget } from '../matrix/types.ts';
import { flatValues, OVERRIDE_LAYERS, patternHostname, PIN_PATHS, type FlatValue } from './values.ts';

export type DifferenceGroup = 'intended' | 'unexpected';

/** Why a difference is in its group. */
export type DifferenceReason =
  /** An override layer sets the value on one side or both. */
  | 'override'
  /** The targets run different releases of the app. */
  | 'pin-lags'
  /** Nothing in the matrix explains it. */
  | 'unexplained';

export interface Side {
  readonly value: string;
  readonly layer: string;
  readonly source: string;
}

export interface ValueDifference {
  readonly path: string;
  /** Absent on a side where the value is not set. */
  readonly a?: Side;
  readonly b?: Side;
  readonly group: DifferenceGroup;
  readonly reason: DifferenceReason;
  /** One sentence for people: which layer and file set it, or which side lags. */
  readonly explanation: string;
}

export interface FieldDifference {
  /** Path inside the object, e.g. `spec.minReplicas`, `spec.template.spec.containers[0].image`. */
  readonly path: string;
  readonly a?: string;
  readonly b?: string;
  readonly group: DifferenceGroup;
  /** The value difference it follows from (`scaling.min`), when one does. */
  readonly explainedBy?: string;
}

export interface ObjectDifference {
  /** `HorizontalPodAutoscaler api/api`. */
  readonly object: string;
  readonly status: 'changed' | 'only-a' | 'only-b';
  readonly group: DifferenceGroup;
  readonly fields: readonly FieldDifference[];
  readonly explainedBy?: string;
}

export interface AppComparison {
  readonly app: string;
  /** Where the app is placed. */
  readonly placed: 'both' | 'a' | 'b';
  readonly values: readonly ValueDifference[];
  readonly objects: readonly ObjectDifference[];
  /** Values equal on both targets. */
  readonly sameValues: number;
  /** Rendered objects equal on both targets (up to the targets' own names). */
  readonly sameObjects: number;
}

export interface TargetSummary {
  readonly id: string;
  readonly env: string;
  readonly cloud: string;
  readonly region: string;
  readonly cluster: string;
  readonly engine: string;
  readonly wave: number;
}

export interface Comparison {
  readonly a: TargetSummary;
  readonly b: TargetSummary;
  readonly apps: readonly AppComparison[];
  readonly counts: { readonly intended: number; readonly unexpected: number };
}

/** Rendered files of one app on one target: path under generated/ → content. */
export type RenderedApp = ReadonlyMap<string, string>;

function summary(target: ResolvedTarget): TargetSummary {
  const { id, env, cloud, region, cluster, engine, wave } = target;
  return { id, env, cloud, region, cluster, engine, wave };
}

function findTarget(matrix: ResolvedMatrix, id: string): ResolvedTarget {
  const target = matrix.targets.find((t) => t.id === id);
  if (!target) {
    throw new UsageError(
      `unknown target "${id}"; targets are: ${matrix.targets.map((t) => t.id).join(', ')}`,
    );
  }
  return target;
}

const side = (value: FlatValue | undefined): Side | undefined =>
  value && { value: value.value, layer: value.layer, source: value.source };

const setBy = (id: string, value: FlatValue): string =>
  `${value.layer} (${value.source}) sets ${value.value} on ${id}`;

/** Put one value difference in its group. Exported for tests; the report page mirrors it in app.js. */
export function classifyValue(
  path: string,
  a: { id: string; value?: FlatValue },
  b: { id: string; value?: FlatValue },
): ValueDifference {
  const sides = { ...(a.value && { a: side(a.value)! }), ...(b.value && { b: side(b.value)! }) };
  if (PIN_PATHS.has(path)) {
    const older =
      a.value && b.value && path === 'image.tag'
        ? compareTagsNewestFirst(a.value.value, b.value.value) > 0
          ? a
          : b
        : undefined;
    const newer = older === a ? b : a;
    return {
      path,
      ...sides,
      group: 'unexpected',
      reason: 'pin-lags',
      explanation:
        older?.value && newer.value
          ? `${older.id} lags: it runs ${older.value.value} (${older.value.source}), ${newer.id} runs ${newer.value.value}`
          : `the pins differ: ${[a, b].map((s) => `${s.id} ${s.value ? `${s.value.value} (${s.value.source})` : 'has none'}`).join(', ')}`,
    };
  }
  const overrides = [a, b].filter(
    (s): s is { id: string; value: FlatValue } => !!s.value && OVERRIDE_LAYERS.has(s.value.layer),
  );
  if (overrides.length > 0 && (a.value?.source !== b.value?.source || a.value?.layer !== b.value?.layer)) {
    return {
      path,
      ...sides,
      group: 'intended',
      reason: 'override',
      explanation: overrides.map((s) => setBy(s.id, s.value)).join('; '),
    };
  }
  return {
    path,
    ...sides,
    group: 'unexpected',
    reason: 'unexplained',
    explanation: `no override explains it: ${[a, b].map((s) => (s.value ? setBy(s.id, s.value) : `${s.id} has no value`)).join('; ')}`,
  };
}

function compareValues(matrix: ResolvedMatrix, a: ResolvedTarget, b: ResolvedTarget, app: string) {
  const left = new Map(flatValues(matrix, a.id, app).map((v) => [v.path, v]));
  const right = new Map(flatValues(matrix, b.id, app).map((v) => [v.path, v]));
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort(compareStrings);
  const differences: ValueDifference[] = [];
  let same = 0;
  const tagsDiffer = left.get('image.tag')?.value !== right.get('image.tag')?.value;
  for (const path of paths) {
    const va = left.get(path);
    const vb = right.get(path);
    if (va && vb && va.value === vb.value) {
      same++;
      continue;
    }
    // Another tag has other digests: one finding (the lagging pin), not two or three.
    if (path !== 'image.tag' && PIN_PATHS.has(path) && tagsDiffer) continue;
    differences.push(
      classifyValue(path, { id: a.id, ...(va && { value: va }) }, { id: b.id, ...(vb && { value: vb }) }),
    );
  }
  return { differences, same };
}

// ---------------------------------------------------------------------------------------------------
// Rendered objects

interface KubeObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

function objectsOf(files: RenderedApp): Map<string, unknown> {
  const objects = new Map<string, unknown>();
  for (const [path, content] of [...files].sort(([x], [y]) => compareStrings(x, y))) {
    if (path.endsWith('/kustomization.yaml') || !/\.ya?ml$/.test(path)) continue;
    for (const doc of loadAll(content)) {
      const object = doc as KubeObject | null;
      if (!object || typeof object !== 'object' || typeof object.kind !== 'string') continue;
      const ns = object.metadata?.namespace;
      objects.set(`${object.kind} ${ns ? `${ns}/` : ''}${object.metadata?.name ?? '(unnamed)'}`, object);
    }
  }
  return objects;
}

/**
 * Both values with the list entries they share removed, at every depth: lists such as a NetworkPolicy's
 * rules are sets in meaning, so one entry present on one side only must not shift every later entry's
 * index and turn the shared ones into differences.
 */
function withoutSharedEntries(a: unknown, b: unknown): [unknown, unknown] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const listA: readonly unknown[] = a;
    const restB: unknown[] = [...(b as readonly unknown[])];
    const restA: unknown[] = [];
    for (const item of listA) {
      const match = restB.findIndex((other) => isDeepStrictEqual(item, other));
      if (match >= 0) restB.splice(match, 1);
      else restA.push(item);
    }
    // Entries left on both sides are compared position by position, each pair pruned in turn.
    const pairs = restA.map((item, i) => withoutSharedEntries(item, restB[i]));
    return [
      pairs.map(([x]) => x),
      [...pairs.map(([, y]) => y).slice(0, restB.length), ...restB.slice(restA.length)],
    ];
  }
  if (
    a !== null &&
    b !== null &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const outA: Record<string, unknown> = {};
    const outB: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
      const [x, y] = key in ra && key in rb ? withoutSharedEntries(ra[key], rb[key]) : [ra[key], rb[key]];
      if (key in ra) outA[key] = x;
      if (key in rb) outB[key] = y;
    }
    return [outA, outB];
  }
  return [a, b];
}

function fieldLeaves(value: unknown, prefix: string, out: Map<string, string>): void {
  if (Array.isArray(value)) value.forEach((item, i) => fieldLeaves(item, `${prefix}[${i}]`, out));
  else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const part = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : `["${key}"]`;
      fieldLeaves(
        record[key],
        prefix ? (part.startsWith('[') ? `${prefix}${part}` : `${prefix}.${part}`) : part,
        out,
      );
    }
  } else out.set(prefix, String(value));
}

/**
 * The strings by which a target names itself in an app's manifests, to compare objects up to them. The
 * app's pattern hostname is one when both targets share the pattern (it then differs only in the
 * coordinates); a different pattern is a value difference (`target.hostnamePattern`) that explains it.
 */
function identity(target: ResolvedTarget, app: string, samePattern: boolean): string[] {
  return [
    (samePattern && patternHostname(target, app)) || '',
    target.id,
    `${target.env}-${target.cloud}-${target.region}-${target.cluster}`,
    target.env,
    target.cloud,
    target.region,
    target.cluster,
    String(target.wave),
  ];
}

function sameUpToIdentity(a: string, b: string, ia: readonly string[], ib: readonly string[]): boolean {
  if (a === b) return true;
  // Whole-value coordinates first (`envmatrix.io/env: staging` vs `prod`), then compound names.
  const index = a === '' ? -1 : ia.indexOf(a);
  if (index >= 0 && ib[index] === b) return true;
  return a.split(ia[2]!).join(ib[2]).split(ia[1]!).join(ib[1]) === b;
}

/** A reference to the workload (an HPA's scaleTargetRef): a strategy switch moves it between these. */
const WORKLOAD_REF = /^(Deployment|Rollout|apps\/v1|argoproj\.io\/v1alpha1)$/;

/** The value difference a rendered field follows from: equal values, or values that contain them. */
function explainField(
  a: string | undefined,
  b: string | undefined,
  path: string,
  values: readonly ValueDifference[],
): ValueDifference | undefined {
  const contains = (text: string | undefined, part: string | undefined): boolean =>
    text !== undefined && part !== undefined && (text === part || (part.length >= 3 && text.includes(part)));
  const strategy = values.find((v) => v.path === 'strategy');
  // A list value (a destination's CIDRs or ports) renders one field per entry: `ipBlock.cidr`.
  const member = (field: string | undefined, list: string | undefined): boolean => {
    if (field === undefined || list === undefined || !list.startsWith('[')) return false;
    const entries: unknown = JSON.parse(list);
    return Array.isArray(entries) && entries.some((entry) => String(entry) === field);
  };
  return (
    values.find((v) => v.a?.value === a && v.b?.value === b) ??
    (strategy &&
    (/strategy/i.test(path) ||
      (a !== undefined && b !== undefined && WORKLOAD_REF.test(a) && WORKLOAD_REF.test(b)))
      ? strategy
      : undefined) ??
    values.find((v) => contains(a, v.a?.value) && contains(b, v.b?.value)) ??
    values.find((v) => member(a, v.a?.value) && member(b, v.b?.value))
  );
}

/** Object kinds that exist because of a value (an HPA because of `scaling`, a Rollout because of `strategy`). */
const KIND_VALUES: Readonly<Record<string, readonly string[]>> = {
  HorizontalPodAutoscaler: ['scaling.'],
  ScaledObject: ['scaling.'],
  CronJob: ['schedule.'],
  Job: ['migrate.'],
  Rollout: ['strategy'],
  Deployment: ['strategy'],
  Service: ['strategy', 'expose'],
  PodDisruptionBudget: ['replicas', 'scaling.'],
};

/**
 * Rules that name an app placed on only one of the targets (a NetworkPolicy lets a dependent app in):
 * the app's placement explains every field of that list entry. Rewrites `fields` in place.
 */
function explainByPlacement(fields: FieldDifference[], placedOnOneSide: ReadonlySet<string>): void {
  const entryOf = (path: string): string | undefined => /^(.*?\[\d+\])/.exec(path)?.[1];
  const cause = new Map<string, string>();
  for (const field of fields) {
    const entry = entryOf(field.path);
    if (!entry || field.explainedBy !== undefined || (field.a !== undefined && field.b !== undefined))
      continue;
    const value = field.a ?? field.b ?? '';
    const app = [...placedOnOneSide].find((name) => value === name || value.startsWith(`${name}-`));
    if (app) cause.set(entry, `placement of ${app}`);
  }
  fields.forEach((field, i) => {
    const entry = entryOf(field.path);
    const explainedBy = entry === undefined ? undefined : cause.get(entry);
    if (field.explainedBy === undefined && explainedBy)
      fields[i] = { ...field, group: 'intended', explainedBy };
  });
}

function compareObjects(
  app: string,
  a: ResolvedTarget,
  b: ResolvedTarget,
  filesA: RenderedApp,
  filesB: RenderedApp,
  values: readonly ValueDifference[],
): { differences: ObjectDifference[]; same: number } {
  const namesA = new Set(a.apps.map((x) => x.name));
  const namesB = new Set(b.apps.map((x) => x.name));
  const placedOnOneSide = new Set(
    [...namesA, ...namesB].filter((name) => namesA.has(name) !== namesB.has(name)),
  );
  const left = objectsOf(filesA);
  const right = objectsOf(filesB);
  const pattern = values.find((v) => v.path === 'target.hostnamePattern');
  const samePattern = pattern === undefined;
  const hostnames = [patternHostname(a, app), patternHostname(b, app)];
  const ia = identity(a, app, samePattern);
  const ib = identity(b, app, samePattern);
  const differences: ObjectDifference[] = [];
  let same = 0;
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort(compareStrings);
  for (const key of keys) {
    const oa = left.get(key);
    const ob = right.get(key);
    if (oa === undefined || ob === undefined) {
      const kind = key.split(' ')[0]!;
      // In KIND_VALUES order: a preview Service exists because of the strategy, even where expose differs too.
      const cause = (KIND_VALUES[kind] ?? [])
        .map((prefix) => values.find((v) => v.group === 'intended' && v.path.startsWith(prefix)))
        .find((v) => v !== undefined);
      differences.push({
        object: key,
        status: oa === undefined ? 'only-b' : 'only-a',
        group: cause ? 'intended' : 'unexpected',
        fields: [],
        ...(cause && { explainedBy: cause.path }),
      });
      continue;
    }
    if (isDeepStrictEqual(oa, ob)) {
      same++;
      continue;
    }
    const fa = new Map<string, string>();
    const fb = new Map<string, string>();
    const [xa, xb] = withoutSharedEntries(oa, ob);
    fieldLeaves(xa, '', fa);
    fieldLeaves(xb, '', fb);
    const fields: FieldDifference[] = [];
    for (const path of [...new Set([...fa.keys(), ...fb.keys()])].sort(compareStrings)) {
      const va = fa.get(path);
      const vb = fb.get(path);
      if (va !== undefined && vb !== undefined && sameUpToIdentity(va, vb, ia, ib)) continue;
      const cause =
        explainField(va, vb, path, values) ??
        (va === hostnames[0] && vb === hostnames[1] ? pattern : undefined);
      fields.push({
        path,
        ...(va !== undefined && { a: va }),
        ...(vb !== undefined && { b: vb }),
        group: cause ? cause.group : 'unexpected',
        ...(cause && { explainedBy: cause.path }),
      });
    }
    explainByPlacement(fields, placedOnOneSide);
    if (fields.length === 0) {
      same++;
      continue;
    }
    differences.push({
      object: key,
      status: 'changed',
      group: fields.some((f) => f.group === 'unexpected') ? 'unexpected' : 'intended',
      fields,
    });
  }
  return { differences, same };
}

/** An object difference that no value difference accounts for (in whole or in one field). */
export function isUnexplained(object: ObjectDifference): boolean {
  return object.status === 'changed'
    ? object.fields.some((f) => f.explainedBy === undefined)
    : object.explainedBy === undefined;
}

/** `placement of <app>` causes behind an app's rendered differences (another app placed on one side only). */
export function placementCauses(app: AppComparison): string[] {
  const causes = app.objects.flatMap((o) =>
    o.fields.flatMap((f) => (f.explainedBy?.startsWith('placement of ') ? [f.explainedBy] : [])),
  );
  return [...new Set(causes)].sort(compareStrings);
}

export interface CompareInput {
  readonly matrix: ResolvedMatrix;
  readonly a: string;
  readonly b: string;
  /** One app. @default every app placed on either target */
  readonly app?: string;
  /** The rendered files of an app on a target (from generated/); empty when not rendered. */
  readonly rendered: (target: string, app: string) => RenderedApp;
}

/** The generated/ folder whose files `rendered` should return for an app on a target. */
export function renderedDir(target: string, app: string): string {
  return k8sAppDir({ id: target }, app);
}

export function compareTargets(input: CompareInput): Comparison {
  const { matrix } = input;
  const a = findTarget(matrix, input.a);
  const b = findTarget(matrix, input.b);
  const placed = [...new Set([...a.apps, ...b.apps].map((app) => app.name))].sort(compareStrings);
  if (input.app !== undefined && !placed.includes(input.app)) {
    throw new UsageError(
      `app "${input.app}" is placed on neither ${a.id} nor ${b.id}; apps there: ${placed.join(', ')}`,
    );
  }
  const apps = (input.app === undefined ? placed : [input.app]).map((app): AppComparison => {
    const onA = a.apps.some((x) => x.name === app);
    const onB = b.apps.some((x) => x.name === app);
    if (!onA || !onB) {
      return { app, placed: onA ? 'a' : 'b', values: [], objects: [], sameValues: 0, sameObjects: 0 };
    }
    const values = compareValues(matrix, a, b, app);
    const objects = compareObjects(
      app,
      a,
      b,
      input.rendered(a.id, app),
      input.rendered(b.id, app),
      values.differences,
    );
    return {
      app,
      placed: 'both',
      values: values.differences,
      objects: objects.differences,
      sameValues: values.same,
      sameObjects: objects.same,
    };
  });
  // A finding is a value difference, or an object with something no value difference explains; an
  // object that only follows from a value difference is part of that value's finding.
  const values = apps.flatMap((app) => app.values);
  const unexplained = apps.flatMap((app) => app.objects.filter(isUnexplained));
  const placements = apps.flatMap(placementCauses);
  return {
    a: summary(a),
    b: summary(b),
    apps,
    counts: {
      intended: values.filter((d) => d.group === 'intended').length + placements.length,
      unexpected: values.filter((d) => d.group === 'unexpected').length + unexplained.length,
    },
  };
}
