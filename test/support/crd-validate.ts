/**
 * Strict validation of custom resources against the official CRDs in ../shared/crds, the way
 * `kubectl apply --validate=strict` (server-side field validation) would judge them:
 *
 * - the apiVersion must be a *served* version of the CRD that defines the kind;
 * - structural-schema unknown fields: an object with `properties` admits no other field unless it says
 *   `x-kubernetes-preserve-unknown-fields: true`; `additionalProperties` makes it a map; an object with
 *   neither admits nothing (the API server would prune every field of it);
 * - types (with `x-kubernetes-int-or-string`), enums, patterns, required, min/max length, items,
 *   properties and bounds, list-type set/map uniqueness, `anyOf`/`oneOf`/`allOf`/`not`, RFC 3339
 *   `date-time`;
 * - metadata loosely: name, namespace, label and annotation keys and values, and no unknown fields.
 *
 * Not evaluated: CEL rules (`x-kubernetes-validations`), defaults, most string formats. A null where the
 * schema is not nullable is accepted silently, because the API server prunes such nulls before it
 * validates.
 *
 * The CRDs are read at test time, unmodified; they are reference data and never copied into the project.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { requireTool, sharedCrdsDir, type ToolCheck } from './tools.ts';

/** The parts of a CRD's `openAPIV3Schema` (JSONSchemaProps) that this walker reads. */
export interface CrdSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, CrdSchema>>;
  readonly additionalProperties?: boolean | CrdSchema;
  readonly items?: CrdSchema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly format?: string;
  readonly nullable?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly multipleOf?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly anyOf?: readonly CrdSchema[];
  readonly oneOf?: readonly CrdSchema[];
  readonly allOf?: readonly CrdSchema[];
  readonly not?: CrdSchema;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
}

export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly deprecated: boolean;
  readonly schema: CrdSchema | undefined;
}

/** One CRD from the folder; `versions` parses the (large) file on first use. */
export interface CrdEntry {
  /** Absolute path of the YAML file. */
  readonly file: string;
  /** metadata.name, e.g. `kustomizations.kustomize.toolkit.fluxcd.io`. */
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly scope: string;
  readonly versions: readonly CrdVersion[];
}

/** Whether the shared CRDs folder is present; throws under CI=true when it is not (see tools.ts). */
export function crdsAvailable(): ToolCheck {
  return requireTool(
    'the shared CRDs (../shared/crds)',
    sharedCrdsDir(),
    'put the official CRDs in ../shared/crds beside the project, or point ENVMATRIX_CRDS_DIR at them',
  );
}

/** Every CRD in the shared folder (or `dir`), cheap: only the header of each file is parsed. */
export function loadCrds(dir: string = requireCrdsDir()): readonly CrdEntry[] {
  let entries = cache.get(dir);
  if (!entries) {
    entries = readCrdFolder(dir);
    cache.set(dir, entries);
  }
  return entries;
}

/** The CRD that defines `kind` in the group of `apiVersion` (whatever the version), if any. */
export function findCrd(apiVersion: string, kind: string, dir?: string): CrdEntry | undefined {
  const { group } = splitApiVersion(apiVersion);
  return loadCrds(dir).find((crd) => crd.group === group && crd.kind === kind);
}

/**
 * True when a CRD in the shared folder defines `kind` in `apiVersion`'s group. The version is not
 * checked here: `validateAgainstCrd` reports a version the CRD does not serve.
 */
export function hasCrd(apiVersion: string, kind: string, dir?: string): boolean {
  return findCrd(apiVersion, kind, dir) !== undefined;
}

/** The apiVersions (`group/version`) the CRD for `kind` serves, e.g. `['kustomize.toolkit.fluxcd.io/v1']`. */
export function servedApiVersions(apiVersion: string, kind: string, dir?: string): string[] {
  const crd = findCrd(apiVersion, kind, dir);
  return crd ? crd.versions.filter((v) => v.served).map((v) => `${crd.group}/${v.name}`) : [];
}

/**
 * Walk `obj` against the served version of its CRD. Returns one message per problem, each prefixed with
 * `Kind namespace/name: `, e.g. `Kustomization flux-system/api: .spec.prune: must be of type boolean, got
 * string`. An empty list means valid.
 */
export function validateAgainstCrd(obj: unknown, dir?: string): string[] {
  if (!isPlainObject(obj)) return [`<object>: not an object (got ${describeType(obj)})`];
  const label = objectLabel(obj);
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || apiVersion === '')
    return [`${label}: .apiVersion: required field missing`];
  if (typeof kind !== 'string' || kind === '') return [`${label}: .kind: required field missing`];

  const crd = findCrd(apiVersion, kind, dir);
  if (!crd) {
    const known = loadCrds(dir)
      .map((c) => `${c.group}/${c.kind}`)
      .join(', ');
    return [`${label}: no CRD for ${apiVersion} ${kind} in ${dir ?? requireCrdsDir()} (it holds ${known})`];
  }

  const { version } = splitApiVersion(apiVersion);
  const served = crd.versions.filter((v) => v.served).map((v) => `${crd.group}/${v.name}`);
  const defined = crd.versions.find((v) => v.name === version);
  if (!defined?.served) {
    const why = defined ? `${version} is defined with served: false` : `the CRD does not define ${version}`;
    return [
      `${label}: .apiVersion: ${apiVersion} is not served by CRD ${crd.name} (${why}; served: ${served.join(', ') || 'none'})`,
    ];
  }

  const errors: string[] = [];
  const report = (path: string, message: string): void => {
    errors.push(`${label}: ${path}: ${message}`);
  };
  validateObjectMeta(obj.metadata, crd.scope, report);

  const root = defined.schema;
  if (root) {
    const rootFields = new Set(['apiVersion', 'kind', 'metadata']);
    for (const field of root.required ?? []) {
      if (!rootFields.has(field) && obj[field] === undefined)
        report(childPath('', field), 'required field missing');
    }
    for (const [field, value] of Object.entries(obj)) {
      if (rootFields.has(field)) continue;
      const sub = root.properties?.[field];
      if (sub) walk(value, sub, childPath('', field), report, true);
      else if (!root['x-kubernetes-preserve-unknown-fields']) report(childPath('', field), 'unknown field');
    }
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------------
// Loading

const cache = new Map<string, readonly CrdEntry[]>();

function requireCrdsDir(): string {
  const dir = sharedCrdsDir();
  if (!dir) {
    throw new Error(
      'The shared CRDs folder was not found (../shared/crds beside the project, or ENVMATRIX_CRDS_DIR). ' +
        'Guard tests with crdsAvailable().',
    );
  }
  return dir;
}

interface CrdDocument {
  kind?: unknown;
  metadata?: { name?: unknown };
  spec?: {
    group?: unknown;
    scope?: unknown;
    names?: { kind?: unknown };
    versions?: unknown;
  };
}

function readCrdFolder(dir: string): CrdEntry[] {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const entries: CrdEntry[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    // The files are large (the ApplicationSet CRD is 1.4 MB); `versions` is the last key of `spec` in
    // generated CRDs, so parse only what precedes it to index the folder, and the whole file on demand.
    const cut = text.indexOf('\n  versions:\n');
    const singleDoc = !/^---\s*$/m.test(text.slice(text.indexOf('\n')));
    const header = cut > 0 && singleDoc ? (parse(text.slice(0, cut)) as CrdDocument | null) : undefined;
    if (header && isCrdHeader(header)) {
      entries.push(lazyEntry(path, header, () => parse(text) as CrdDocument));
      continue;
    }
    for (const doc of parseAllDocuments(text)) {
      const full = doc.toJS() as CrdDocument | null;
      if (full && isCrdHeader(full)) entries.push(lazyEntry(path, full, () => full));
    }
  }
  return entries;
}

function isCrdHeader(doc: CrdDocument): boolean {
  return (
    doc.kind === 'CustomResourceDefinition' &&
    typeof doc.spec?.group === 'string' &&
    typeof doc.spec.names?.kind === 'string'
  );
}

function lazyEntry(file: string, header: CrdDocument, full: () => CrdDocument): CrdEntry {
  let versions: CrdVersion[] | undefined;
  return {
    file,
    name: asString(header.metadata?.name),
    group: asString(header.spec?.group),
    kind: asString(header.spec?.names?.kind),
    scope: asString(header.spec?.scope) || 'Namespaced',
    get versions(): readonly CrdVersion[] {
      versions ??= readVersions(full());
      return versions;
    },
  };
}

function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function readVersions(doc: CrdDocument): CrdVersion[] {
  const raw = doc.spec?.versions;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isPlainObject).map((v) => {
    const schema = isPlainObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
    return {
      name: asString(v.name),
      served: v.served === true,
      storage: v.storage === true,
      deprecated: v.deprecated === true,
      schema: isPlainObject(schema) ? schema : undefined,
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// The walk

type Report = (path: string, message: string) => void;

/**
 * Check `value` against `schema`. `structural` is false inside anyOf/oneOf/allOf/not branches, which in a
 * structural schema only add value validations and never declare fields.
 */
function walk(value: unknown, schema: CrdSchema, path: string, report: Report, structural: boolean): void {
  if (value === null) {
    // A null for a non-nullable field is pruned by the API server before validation.
    return;
  }
  if (!checkType(value, schema, path, report)) return;

  if (schema.enum && !schema.enum.some((allowed) => sameValue(allowed, value))) {
    const supported = schema.enum.map((v) => JSON.stringify(v)).join(', ');
    report(path, `unsupported value ${JSON.stringify(value)} (supported: ${supported})`);
  }

  if (typeof value === 'string') checkString(value, schema, path, report);
  else if (typeof value === 'number') checkNumber(value, schema, path, report);
  else if (Array.isArray(value)) checkArray(value, schema, path, report, structural);
  else if (isPlainObject(value)) checkObject(value, schema, path, report, structural);

  checkCombinators(value, schema, path, report);
}

function checkType(value: unknown, schema: CrdSchema, path: string, report: Report): boolean {
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value === 'string' || Number.isInteger(value)) return true;
    report(path, `must be an integer or a string, got ${describeType(value)}`);
    return false;
  }
  const ok = (() => {
    switch (schema.type) {
      case undefined:
        return true;
      case 'object':
        return isPlainObject(value);
      case 'array':
        return Array.isArray(value);
      case 'string':
        return typeof value === 'string';
      case 'boolean':
        return typeof value === 'boolean';
      case 'integer':
        return Number.isInteger(value);
      case 'number':
        return typeof value === 'number' && Number.isFinite(value);
      default:
        return true;
    }
  })();
  if (!ok) report(path, `must be of type ${schema.type}, got ${describeType(value)}`);
  return ok;
}

const patternCache = new Map<string, RegExp | null>();
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function checkString(value: string, schema: CrdSchema, path: string, report: Report): void {
  const length = [...value].length;
  if (schema.minLength !== undefined && length < schema.minLength) {
    report(path, `must be at least ${schema.minLength} characters long, got ${length}`);
  }
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    report(path, `must be at most ${schema.maxLength} characters long, got ${length}`);
  }
  if (schema.pattern !== undefined) {
    let re = patternCache.get(schema.pattern);
    if (re === undefined) {
      re = compilePattern(schema.pattern);
      patternCache.set(schema.pattern, re);
    }
    if (re && !re.test(value))
      report(path, `${JSON.stringify(value)} does not match pattern ${schema.pattern}`);
  }
  if (schema.format === 'date-time' && !rfc3339.test(value)) {
    report(path, `${JSON.stringify(value)} is not an RFC 3339 date-time`);
  }
}

/** Kubernetes patterns are Go RE2, unanchored; a construct JavaScript lacks is not checked rather than guessed. */
function compilePattern(pattern: string): RegExp | null {
  for (const flags of ['u', '']) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // try the next flags
    }
  }
  return null;
}

function checkNumber(value: number, schema: CrdSchema, path: string, report: Report): void {
  if (schema.minimum !== undefined) {
    if (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum) {
      report(
        path,
        `must be ${schema.exclusiveMinimum ? 'greater than' : 'at least'} ${schema.minimum}, got ${value}`,
      );
    }
  }
  if (schema.maximum !== undefined) {
    if (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum) {
      report(
        path,
        `must be ${schema.exclusiveMaximum ? 'less than' : 'at most'} ${schema.maximum}, got ${value}`,
      );
    }
  }
  if (
    schema.multipleOf !== undefined &&
    schema.multipleOf > 0 &&
    !Number.isInteger(value / schema.multipleOf)
  ) {
    report(path, `must be a multiple of ${schema.multipleOf}, got ${value}`);
  }
}

function checkArray(
  value: unknown[],
  schema: CrdSchema,
  path: string,
  report: Report,
  structural: boolean,
): void {
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    report(path, `must have at least ${schema.minItems} items, got ${value.length}`);
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    report(path, `must have at most ${schema.maxItems} items, got ${value.length}`);
  }
  const listType = schema['x-kubernetes-list-type'];
  if (schema.uniqueItems || listType === 'set') {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const key = canonical(item);
      if (seen.has(key)) report(`${path}[${i}]`, `duplicate value ${JSON.stringify(item)}`);
      seen.add(key);
    });
  }
  const mapKeys = schema['x-kubernetes-list-map-keys'];
  if (listType === 'map' && mapKeys && mapKeys.length > 0) {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      if (!isPlainObject(item)) return;
      const key = canonical(mapKeys.map((k) => item[k] ?? null));
      const shown = mapKeys.map((k) => `${k}=${JSON.stringify(item[k])}`).join(', ');
      if (seen.has(key)) report(`${path}[${i}]`, `duplicate entry with ${shown}`);
      seen.add(key);
    });
  }
  if (schema.items) {
    const items = schema.items;
    value.forEach((item, i) => {
      if (item === null && !items.nullable) {
        // Unlike a null field, a null list item is not pruned: it is validated, and fails its type.
        if (items.type || items['x-kubernetes-int-or-string']) {
          report(`${path}[${i}]`, `must be of type ${items.type ?? 'integer or string'}, got null`);
        }
        return;
      }
      walk(item, items, `${path}[${i}]`, report, structural);
    });
  }
}

const embeddedResourceFields = new Set(['apiVersion', 'kind', 'metadata']);

function checkObject(
  value: Record<string, unknown>,
  schema: CrdSchema,
  path: string,
  report: Report,
  structural: boolean,
): void {
  for (const field of schema.required ?? []) {
    if (value[field] === undefined) report(childPath(path, field), 'required field missing');
  }
  const count = Object.keys(value).length;
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    report(path, `must have at least ${schema.minProperties} properties, got ${count}`);
  }
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    report(path, `must have at most ${schema.maxProperties} properties, got ${count}`);
  }

  const properties = schema.properties ?? {};
  const additional = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  for (const [field, fieldValue] of Object.entries(value)) {
    const sub = properties[field];
    const fieldPath = childPath(path, field);
    if (sub) {
      walk(fieldValue, sub, fieldPath, report, structural);
    } else if (typeof additional === 'object') {
      walk(fieldValue, additional, fieldPath, report, structural);
    } else if (
      !structural ||
      preserve ||
      additional === true ||
      (embedded && embeddedResourceFields.has(field))
    ) {
      // Validation-only branch, preserved unknown fields, or a map of anything: nothing to check.
    } else {
      report(fieldPath, 'unknown field');
    }
  }
}

function checkCombinators(value: unknown, schema: CrdSchema, path: string, report: Report): void {
  // Branches are judged silently; only the overall outcome is reported, plus allOf's own messages.
  const passes = (branch: CrdSchema): boolean => {
    let ok = true;
    walk(value, branch, path, () => (ok = false), false);
    return ok;
  };
  if (schema.allOf) {
    for (const branch of schema.allOf) walk(value, branch, path, report, false);
  }
  if (schema.anyOf && !schema.anyOf.some(passes)) {
    // The int-or-string idiom (anyOf integer|string) was already reported by checkType.
    if (!schema['x-kubernetes-int-or-string']) report(path, 'must match at least one schema in anyOf');
  }
  if (schema.oneOf) {
    const matched = schema.oneOf.filter(passes).length;
    if (matched !== 1) report(path, `must match exactly one schema in oneOf, matched ${matched}`);
  }
  if (schema.not && passes(schema.not)) report(path, 'must not match the schema in not');
}

// ---------------------------------------------------------------------------------------------------
// metadata (ObjectMeta), validated loosely

const objectMetaFields = new Set([
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'finalizers',
  'ownerReferences',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNamePart = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function validateObjectMeta(meta: unknown, scope: string, report: Report): void {
  if (meta === undefined) {
    report('.metadata.name', 'required field missing');
    return;
  }
  if (!isPlainObject(meta)) {
    report('.metadata', `must be of type object, got ${describeType(meta)}`);
    return;
  }
  for (const field of Object.keys(meta)) {
    if (!objectMetaFields.has(field)) report(`.metadata.${field}`, 'unknown field');
  }
  const { name, generateName, namespace, labels, annotations, finalizers } = meta;
  if (name === undefined && generateName === undefined) {
    report('.metadata.name', 'required field missing');
  } else if (name !== undefined) {
    if (typeof name !== 'string')
      report('.metadata.name', `must be of type string, got ${describeType(name)}`);
    else if (name.length > 253 || !dns1123Subdomain.test(name)) {
      report('.metadata.name', `${JSON.stringify(name)} is not a valid name (lowercase RFC 1123 subdomain)`);
    }
  }
  if (namespace !== undefined) {
    if (typeof namespace !== 'string') {
      report('.metadata.namespace', `must be of type string, got ${describeType(namespace)}`);
    } else if (namespace.length > 63 || !dns1123Label.test(namespace)) {
      report('.metadata.namespace', `${JSON.stringify(namespace)} is not a valid namespace (RFC 1123 label)`);
    } else if (scope === 'Cluster') {
      report('.metadata.namespace', 'set on a cluster-scoped resource');
    }
  }
  checkStringMap(labels, '.metadata.labels', report, true);
  checkStringMap(annotations, '.metadata.annotations', report, false);
  if (finalizers !== undefined) {
    if (!Array.isArray(finalizers)) {
      report('.metadata.finalizers', `must be of type array, got ${describeType(finalizers)}`);
    } else {
      finalizers.forEach((f, i) => {
        if (typeof f !== 'string')
          report(`.metadata.finalizers[${i}]`, `must be of type string, got ${describeType(f)}`);
      });
    }
  }
}

function checkStringMap(map: unknown, path: string, report: Report, isLabels: boolean): void {
  if (map === undefined || map === null) return;
  if (!isPlainObject(map)) {
    report(path, `must be of type object, got ${describeType(map)}`);
    return;
  }
  for (const [key, value] of Object.entries(map)) {
    const keyPath = childPath(path, key);
    if (!isQualifiedName(key)) report(keyPath, `${JSON.stringify(key)} is not a valid key (qualified name)`);
    if (typeof value !== 'string') {
      report(keyPath, `must be of type string, got ${describeType(value)}`);
    } else if (isLabels && value !== '' && (value.length > 63 || !qualifiedNamePart.test(value))) {
      report(keyPath, `${JSON.stringify(value)} is not a valid label value`);
    }
  }
}

function isQualifiedName(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (
    prefix !== undefined &&
    (prefix.length === 0 || prefix.length > 253 || !dns1123Subdomain.test(prefix))
  ) {
    return false;
  }
  return name.length > 0 && name.length <= 63 && qualifiedNamePart.test(name);
}

// ---------------------------------------------------------------------------------------------------
// Helpers

/** `.spec` + `replicas` → `.spec.replicas`; keys that are not plain identifiers as `["app.kubernetes.io/name"]`. */
export function childPath(path: string, key: string): string {
  const parent = path === '.' ? '' : path;
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `Kind namespace/name`, or `Kind name`, as used at the start of every message. */
export function objectLabel(obj: Record<string, unknown>): string {
  const kind = typeof obj.kind === 'string' && obj.kind ? obj.kind : '<no kind>';
  const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' && meta.name ? meta.name : '<unnamed>';
  const namespace = typeof meta.namespace === 'string' && meta.namespace ? `${meta.namespace}/` : '';
  return `${kind} ${namespace}${name}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isPlainObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || canonical(a) === canonical(b);
}
