/**
 * An app's effective values on one target as a flat list of leaf paths, each with the layer and file
 * that set it (from the resolver's provenance), plus the target settings that shape the app's objects
 * (`target.*`: the external destinations it sends to, its hostname). The shared input of `compare` and
 * of the report page's compare view, so both classify a difference from the same facts.
 */
import { compareStrings } from '../core/compare.ts';
import { provenanceOf } from '../matrix/merge.ts';
import { gatewayHostname } from '../matrix/hostnames.ts';
import type { Layer, ProvenanceStep, ResolvedApp, ResolvedMatrix, ResolvedTarget } from '../matrix/types.ts';

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

/** Where flatValues shows the pin's `migrateDigest` (ResolvedApp.migrateImageRef), beside the image's. */
export const MIGRATE_DIGEST_PATH = 'migrate.digest';

/** The values a pin sets: a difference in one is a pin that lags (fleet/compare.ts). */
export const PIN_PATHS: ReadonlySet<string> = new Set(['image.tag', 'image.digest', MIGRATE_DIGEST_PATH]);

function hostnamePatternOf(target: ResolvedTarget): string | undefined {
  return target.gateway && 'hostnamePattern' in target.gateway ? target.gateway.hostnamePattern : undefined;
}

/** The hostname an exposed app gets on a target from the gateway's pattern, as its HTTPRoute renders it. */
export function patternHostname(target: ResolvedTarget, app: string): string | undefined {
  const pattern = hostnamePatternOf(target);
  return pattern === undefined ? undefined : gatewayHostname(pattern, app, target);
}

/**
 * Target-level settings an app's objects follow from, with the matrix entry that set each: a
 * destination's CIDRs and ports (defined per environment, cloud, region or cluster) render its
 * NetworkPolicy egress, and the gateway's hostname pattern (cluster, else environment) its HTTPRoute.
 * Without them two regions' different database ranges would look like hand edits.
 */
function targetSettings(target: ResolvedTarget, app: ResolvedApp): FlatValue[] {
  const settings: FlatValue[] = [];
  for (const name of app.values.egress?.external ?? []) {
    const destination = target.destinations[name];
    if (!destination) continue;
    const { layer, source } = destination;
    settings.push(
      { path: `target.destinations.${name}.cidrs`, value: text(destination.cidrs), layer, source },
      { path: `target.destinations.${name}.ports`, value: text(destination.ports), layer, source },
    );
  }
  const pattern = hostnamePatternOf(target);
  if (typeof app.values.expose === 'object' && pattern !== undefined && target.hostnamePatternFrom) {
    // The pattern, not the hostname it expands to: two regions under one pattern differ only in their
    // own coordinates, which is no difference (compare treats the expanded names as the targets' identity).
    settings.push({ path: 'target.hostnamePattern', value: pattern, ...target.hostnamePatternFrom });
  }
  return settings;
}

/** Every leaf value of `app` on `targetId`, sorted by path; empty when the app is not placed there. */
export function flatValues(matrix: ResolvedMatrix, targetId: string, app: string): FlatValue[] {
  const target = matrix.targets.find((t) => t.id === targetId);
  const resolved = target?.apps.find((a) => a.name === app);
  if (!target || !resolved) return [];
  const log = matrix.provenance.get(targetId)?.get(app) ?? new Map<string, readonly ProvenanceStep[]>();
  const out: [string, unknown][] = [];
  leaves(resolved.values, '', out);
  const setBy = (path: string) => {
    const chain = provenanceOf(log, path)[0]?.steps ?? [];
    return chain[chain.length - 1] ?? UNKNOWN;
  };
  // The migration image's digest is a pin's, not a value: shown as one, set where the tag is.
  const migrateDigest = resolved.migrateImageRef?.split('@')[1];
  const pin = setBy('image.tag');
  return [
    ...out.map(([path, value]) => {
      const last = setBy(path);
      return { path, value: text(value), layer: last.layer, source: last.source };
    }),
    ...(migrateDigest !== undefined
      ? [{ path: MIGRATE_DIGEST_PATH, value: migrateDigest, layer: pin.layer, source: pin.source }]
      : []),
    ...targetSettings(target, resolved),
  ].sort((a, b) => compareStrings(a.path, b.path));
}
