/**
 * A provider's schema as the cdktf binding package records it in its jsii assembly (`.jsii`): every
 * resource type with its config struct, each struct's properties with their Terraform names (from the
 * registry anchor in the doc comment), whether they are required, and which are nested blocks. The
 * bindings are generated from the provider's own schema (google 6.50.0, azurerm 4.55.0), so checking a
 * generated stack against it is what `terraform validate` would check of names and required fields,
 * without the provider binary (which cannot be downloaded here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../support/tools.ts';

interface JsiiType {
  readonly kind: string;
  readonly name: string;
  readonly fqn: string;
  readonly datatype?: boolean;
  readonly docs?: { readonly summary?: string; readonly remarks?: string };
  readonly initializer?: { readonly parameters?: readonly { readonly type: JsiiTypeRef }[] };
  readonly properties?: readonly JsiiProperty[];
}
interface JsiiProperty {
  readonly name: string;
  readonly optional?: boolean;
  readonly docs?: { readonly summary?: string; readonly remarks?: string };
  readonly type: JsiiTypeRef;
}
interface JsiiTypeRef {
  readonly fqn?: string;
  readonly primitive?: string;
  readonly union?: { readonly types: readonly JsiiTypeRef[] };
  readonly collection?: { readonly kind: string; readonly elementtype: JsiiTypeRef };
}

export interface Field {
  readonly required: boolean;
  /** The nested block's struct, or undefined for an attribute. */
  readonly block?: Struct;
}
export type Struct = ReadonlyMap<string, Field>;

export interface ProviderSchema {
  readonly provider: Struct;
  readonly resources: ReadonlyMap<string, Struct>;
}

/** Arguments Terraform accepts on every resource (cdktf.TerraformMetaArguments). */
const META_ARGUMENTS = new Set([
  'count',
  'depends_on',
  'for_each',
  'lifecycle',
  'provider',
  'provisioner',
  'connection',
]);
const ANCHOR = /#([a-z0-9_]+) [A-Za-z0-9]+#/;
const RESOURCE =
  /\{@link https:\/\/registry\.terraform\.io\/providers\/[^ ]+\/docs\/resources\/[a-z0-9_]+ ([a-z0-9_]+)\}/;

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function loadProviderSchema(pkg: string): ProviderSchema {
  const assembly = JSON.parse(readFileSync(join(projectRoot, 'node_modules', pkg, '.jsii'), 'utf8')) as {
    types: Record<string, JsiiType>;
  };
  const { types } = assembly;
  const cache = new Map<string, Map<string, Field>>();
  const structFqn = (ref: JsiiTypeRef): string | undefined => {
    if (ref.fqn && types[ref.fqn]?.datatype) return ref.fqn;
    if (ref.collection) return structFqn(ref.collection.elementtype);
    for (const inner of ref.union?.types ?? []) {
      const found = structFqn(inner);
      if (found) return found;
    }
    return undefined;
  };
  const struct = (fqn: string): Struct => {
    const known = cache.get(fqn);
    if (known) return known;
    const fields = new Map<string, Field>();
    cache.set(fqn, fields);
    for (const property of types[fqn]?.properties ?? []) {
      const docs = `${property.docs?.summary ?? ''} ${property.docs?.remarks ?? ''}`;
      const name = ANCHOR.exec(docs)?.[1] ?? snake(property.name);
      const nested = structFqn(property.type);
      fields.set(name, { required: property.optional !== true, ...(nested && { block: struct(nested) }) });
    }
    return fields;
  };
  const configOf = (type: JsiiType): Struct => struct(type.initializer!.parameters![2]!.type.fqn!);
  const resources = new Map<string, Struct>();
  let provider: Struct | undefined;
  for (const type of Object.values(types)) {
    if (type.kind !== 'class' || !type.initializer?.parameters?.[2]) continue;
    const summary = type.docs?.summary ?? '';
    const resource = RESOURCE.exec(summary);
    if (resource) resources.set(resource[1]!, configOf(type));
    else if (/^[A-Za-z]+Provider$/.test(type.name) && summary.startsWith('Represents a {@link'))
      provider = configOf(type);
  }
  if (!provider) throw new Error(`${pkg}: no provider class in the assembly`);
  return { provider, resources };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function checkBody(
  body: Record<string, unknown>,
  struct: Struct,
  at: string,
  meta: boolean,
  problems: string[],
): void {
  for (const [key, value] of Object.entries(body)) {
    if (meta && META_ARGUMENTS.has(key)) {
      if (key === 'lifecycle' && isObject(value)) {
        for (const path of (value.ignore_changes as string[] | undefined) ?? []) {
          const first = /^[a-z0-9_]+/.exec(path)?.[0] ?? '';
          if (!struct.has(first))
            problems.push(`${at}: lifecycle.ignore_changes names unknown attribute "${path}"`);
        }
      }
      continue;
    }
    const field = struct.get(key);
    if (!field) {
      problems.push(`${at}: unknown attribute "${key}"`);
      continue;
    }
    if (field.block) {
      const items = Array.isArray(value) ? value : [value];
      items.forEach((item, index) => {
        if (!isObject(item)) problems.push(`${at}.${key}: block is not an object`);
        else checkBody(item, field.block!, `${at}.${key}[${index}]`, false, problems);
      });
    }
  }
  for (const [key, field] of struct) {
    if (field.required && !(key in body)) problems.push(`${at}: missing required "${key}"`);
  }
}

/** Every problem of a stack's provider block and resources against the schema; [] when none. */
export function checkStack(
  stack: Record<string, unknown>,
  providerName: string,
  schema: ProviderSchema,
): string[] {
  const problems: string[] = [];
  const providers = (stack.provider as Record<string, unknown[]> | undefined)?.[providerName] ?? [];
  providers.forEach((body, index) => {
    if (isObject(body))
      checkBody(body, schema.provider, `provider.${providerName}[${index}]`, false, problems);
  });
  const resources = (stack.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [type, byName] of Object.entries(resources)) {
    const struct = schema.resources.get(type);
    if (!struct) {
      problems.push(`${type}: unknown resource type`);
      continue;
    }
    for (const [name, body] of Object.entries(byName))
      checkBody(body, struct, `${type}.${name}`, true, problems);
  }
  return problems;
}
