/**
 * An app's effective values on one target as a flat list of leaf paths, each with the layer and file
 * that set it (from the resolver's provenance). The shared input of `compare` and of the report page's
 * compare view, so both classify a difference from the same facts.
 */
import { compareStrings } from '../core/compare.ts';
import { provenanceOf } from '../matrix/merge.ts';
import type { Layer, ProvenanceStep, ResolvedMatrix } from '../matrix/types.ts';

export interface FlatValue {
  /** `scaling.min`, `config.LOG_LEVEL`, `image.tag`, `strategy` (a strategy is one value). */
  readonly path: string;
  /** Scalars as they are; objects and lists as canonical JSON text. */
  readonly value: string;
  /** The layer that set the effective value, and where it was written. */
  readonly layer: Layer;
  readonly source: string;
}

/** Layers that an override entry of the matrix (or a pin) writes: what makes two targets differ on purpose. */
export const OVERRIDE_LAYERS: ReadonlySet<Layer> = new Set<Layer>([
  'app override',
  'environment',
  'cloud',
  'region',
  'cluster',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Values merged whole (see matrix/merge.ts): compared as one value. */
const ATOMIC = new Set(['strategy']);

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function leaves(value: unknown, prefix: string, out: [string, unknown][]): void {
  if (isPlainObject(value) && !ATOMIC.has(prefix)) {
    for (const key of Object.keys(value)) {
      if (value[key] === undefined) continue;
      leaves(value[key], prefix ? `${prefix}.${key}` : key, out);
    }
  } else out.push([prefix, value]);
}

const UNKNOWN: ProvenanceStep = { layer: 'default', value: undefined, source: 'envmatrix default' };

/** Every leaf value of `app` on `targetId`, sorted by path; empty when the app is not placed there. */
export function flatValues(matrix: ResolvedMatrix, targetId: string, app: string): FlatValue[] {
  const target = matrix.targets.find((t) => t.id === targetId);
  const resolved = target?.apps.find((a) => a.name === app);
  if (!resolved) return [];
  const log = matrix.provenance.get(targetId)?.get(app) ?? new Map<string, readonly ProvenanceStep[]>();
  const out: [string, unknown][] = [];
  leaves(resolved.values, '', out);
  return out
    .map(([path, value]) => {
      const chain = provenanceOf(log, path)[0]?.steps ?? [];
      const last = chain[chain.length - 1] ?? UNKNOWN;
      return { path, value: text(value), layer: last.layer, source: last.source };
    })
    .sort((a, b) => compareStrings(a.path, b.path));
}
