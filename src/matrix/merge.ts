/**
 * Layering of app values with provenance: each layer's patch merges into the values below it, and every
 * value it sets records the layer, the value and where the layer was written.
 */
import { compareStrings } from '../core/compare.ts';
import type { Layer, ProvenanceStep } from './types.ts';

export type ProvenanceLog = Map<string, ProvenanceStep[]>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path` inside `node` (`['scaling', 'min']`), or undefined where the path leads nowhere. */
export function valueAt(node: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (at, key) => (at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined),
    node,
  );
}

/**
 * Objects that a layer replaces whole instead of merging: a strategy is one choice (a canary's `steps`
 * must not survive a switch to blue-green).
 */
function isAtomic(path: string): boolean {
  return path === 'strategy';
}

/** Merge `patch` over `base` (neither is mutated), logging each value set at `layer`. */
export function mergeLayer(
  base: Record<string, unknown>,
  patch: Record<string, unknown>,
  layer: Layer,
  source: string,
  log: ProvenanceLog,
  prefix = '',
): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const below = result[key];
    if (isPlainObject(value) && !isAtomic(path)) {
      result[key] = mergeLayer(isPlainObject(below) ? below : {}, value, layer, source, log, path);
    } else {
      result[key] = value;
      const steps = log.get(path) ?? [];
      steps.push({ layer, value, source });
      log.set(path, steps);
    }
  }
  return result;
}

/**
 * The provenance of `path`: the steps logged for it, or for the nearest enclosing value set whole
 * (asking for `strategy.steps` answers with the `strategy` steps), or for the values inside it.
 */
export function provenanceOf(
  log: ReadonlyMap<string, readonly ProvenanceStep[]>,
  path: string,
): {
  path: string;
  steps: readonly ProvenanceStep[];
}[] {
  const nested = (): { path: string; steps: readonly ProvenanceStep[] }[] =>
    [...log.entries()]
      .filter(([key]) => key.startsWith(`${path}.`))
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([key, steps]) => ({ path: key, steps }));
  const exact = log.get(path);
  // A value set whole below and as an object above (`expose: false`, then `expose: { paths, port }`)
  // has both: the scalar's steps, then the object's keys.
  if (exact) return [{ path, steps: exact }, ...nested()];
  const parts = path.split('.');
  for (let length = parts.length - 1; length > 0; length--) {
    const enclosing = parts.slice(0, length).join('.');
    const steps = log.get(enclosing);
    if (steps) return [{ path: enclosing, steps }];
  }
  return nested();
}
