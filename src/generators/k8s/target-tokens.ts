/**
 * Stand-in coordinates for rendering an app folder once and filling in each target afterwards
 * (shared-render.ts). A token target keeps the real environment and cloud; its region, cluster and id
 * are tokens, strings that occur nowhere else. instanceName (labels.ts) asks this module for a token
 * instead of building the `app.kubernetes.io/instance` value from the coordinates, because that value is
 * truncated to 63 characters and only the real coordinates say where; labelValue refuses any other
 * value built around a token. Filling in replaces every token with the real value.
 *
 * Tokens are lowercase letters and digits (valid in label values and hostnames) and long (19
 * characters), so a name cut some other way than by labelValue most likely cuts a token short, which
 * tokensWhole sees.
 */
import type { TargetCoordinates } from '../app-folder.ts';

/** What every token starts with. */
export const TOKEN_MARK = 'zq9envmatrixtoken';
const TOKEN = /zq9envmatrixtoken(?:([rkd])|i(\d+))x/g;
const token = (code: string) => `${TOKEN_MARK}${code}x`;
/** A string that ends in the first part of a token: one cut short, as labelValue cuts at 63 characters. */
const CUT_TOKEN = new RegExp(
  `(?:${[...TOKEN_MARK].map((_, i) => TOKEN_MARK.slice(0, i + 1)).join('|')})(?:[rkd]|i\\d*)?$`,
);

/** Thrown by a render that cannot be shared: the group renders each target for real instead. */
export class UnsharedRender extends Error {}

/**
 * Throws UnsharedRender when `raw` holds a token but is not one whole token: a label value made from it
 * would be sanitized and truncated around the token, and only the real name says where. labelValue
 * calls this, so a render that builds such a name is never shared, wherever the cut would fall.
 */
export function refuseBuiltTokenNames(raw: string): void {
  if (raw.includes(TOKEN_MARK) && raw.replace(TOKEN, '') !== '') throw new UnsharedRender(raw);
}

/** Token target → the apps whose instance label it was asked for, by token index. */
const instanceApps = new WeakMap<object, string[]>();

/**
 * A fresh token target in `real`'s environment and cloud, and the list of apps its instance tokens stand
 * for (filled as they are asked).
 */
export function tokenTarget(real: TargetCoordinates): {
  readonly target: TargetCoordinates;
  readonly apps: readonly string[];
} {
  const target = {
    id: token('d'),
    env: real.env,
    cloud: real.cloud,
    region: token('r'),
    cluster: token('k'),
  };
  const apps: string[] = [];
  instanceApps.set(target, apps);
  return { target, apps };
}

/** The token for `app`'s `app.kubernetes.io/instance` on a token target; undefined on a real target. */
export function instanceToken(target: object, app: string): string | undefined {
  const apps = instanceApps.get(target);
  if (apps === undefined) return undefined;
  const index = apps.indexOf(app);
  return token(`i${index >= 0 ? index : apps.push(app) - 1}`);
}

/**
 * Whether every token in `text` is whole. Truncation keeps the start of a name, so a token cut short is
 * the start of one at the end of the text (a text that merely ends in `z` counts too: it is then
 * rendered for real, which is only slower).
 */
export function tokensWhole(text: string): boolean {
  return !CUT_TOKEN.test(text.replace(TOKEN, ''));
}

/** The real values tokens stand for: the target, and each instance token's label value by index. */
export interface TokenValues {
  readonly target: TargetCoordinates;
  readonly instances: readonly string[];
}

/**
 * `text` with each token replaced; undefined if a token has no value (an instance index out of range) or
 * was cut short.
 */
export function fillText(text: string, values: TokenValues): string | undefined {
  let unknown = false;
  const filled = text.replace(TOKEN, (_whole, code: string | undefined, index: string | undefined) => {
    const value =
      code === 'r'
        ? values.target.region
        : code === 'k'
          ? values.target.cluster
          : code === 'd'
            ? values.target.id
            : values.instances[Number(index)];
    if (value === undefined) unknown = true;
    return value ?? '';
  });
  // A token cut short (a name built around instanceName) no longer matches, and its mark stays.
  return unknown || filled.includes(TOKEN_MARK) ? undefined : filled;
}

const UNFILLABLE = Symbol('unfillable');

function fillValue(value: unknown, values: TokenValues): unknown {
  if (typeof value === 'string') {
    return value.includes(TOKEN_MARK) ? (fillText(value, values) ?? UNFILLABLE) : value;
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const list = value as readonly unknown[];
    let copy: unknown[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const filled = fillValue(list[i], values);
      if (filled === UNFILLABLE) return UNFILLABLE;
      if (filled !== list[i]) (copy ??= [...list])[i] = filled;
    }
    return copy ?? list;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(value)) {
    // Keys are sorted in the output: a key made from a coordinate would sort by its token.
    if (key.includes(TOKEN_MARK)) return UNFILLABLE;
    const filled = fillValue(field, values);
    if (filled === UNFILLABLE) return UNFILLABLE;
    if (filled !== field) (copy ??= { ...value })[key] = filled;
  }
  return copy ?? value;
}

/**
 * `value` (plain data) with every token replaced by the real value, sharing every part that holds no
 * token; undefined when a token cannot be filled in (cut short, unknown, or in an object key).
 */
export function fillTokens<T>(value: T, values: TokenValues): T | undefined {
  const filled = fillValue(value, values);
  return filled === UNFILLABLE ? undefined : (filled as T);
}
