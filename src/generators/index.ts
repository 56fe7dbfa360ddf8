/**
 * Composition: run every generator's units, serialize, fail on two files with one path, and run each
 * generator's check across its units (Generator.checkFiles). Pure: no disk access; the writer in
 * src/output does all I/O.
 */
import { GeneratorError, OutputConflictError } from './errors.ts';
import type { ResolvedMatrix } from '../matrix/types.ts';
import { canonicalJson, sha256 } from '../core/canonical.ts';
import { serialize } from './serialize.ts';
import { argocdGenerator } from './argocd/index.ts';
import { fleetGenerator } from './fleet/index.ts';
import { fluxGenerator } from './flux/index.ts';
import { k8sGenerator } from './k8s/index.ts';
import { schemaGenerator } from './schema.ts';
import { terraformGenerator } from './terraform/index.ts';
import type { Generator, GeneratorUnit, RenderedFile } from './types.ts';
import { valuesGenerator } from './values.ts';

import packageJson from '../../package.json' with { type: 'json' };

/** Folded into every input hash: a new envmatrix may render the same input differently. */
export const ENVMATRIX_VERSION: string = packageJson.version;

/** Every generator, in the order their files are listed. */
export const generators: readonly Generator[] = [
  schemaGenerator,
  valuesGenerator,
  k8sGenerator,
  argocdGenerator,
  fluxGenerator,
  terraformGenerator,
  fleetGenerator,
];

export type { RenderedFile } from './types.ts';

/**
 * Whether a unit is part of an `--only` selection: units inside the selection, and units that contain
 * it (an environment's Argo CD files list the selected cluster's apps, so they are rendered too).
 */
export function unitInScope(scope: string, only: string | undefined): boolean {
  if (only === undefined || scope === '*') return true;
  return scope === only || scope.startsWith(`${only}/`) || only.startsWith(`${scope}/`);
}

/** What a unit's input hash covers: the input, and the code that renders it. */
const hashed = (generator: Generator, input: unknown) => ({
  envmatrix: ENVMATRIX_VERSION,
  generator: generator.name,
  version: generator.version,
  input,
});

export function inputHash(generator: Generator, input: unknown): string {
  return sha256(canonicalJson(hashed(generator, input)));
}

/**
 * A quick key for a unit's input: the sha256 of its JSON as built, key order included, without the
 * sorted copy inputHash makes. Equal quick keys mean equal data (JSON.stringify writes exactly the
 * data canonicalJson writes, in another key order), so a cache that recorded a render with its quick key
 * hands back the input hash with it. Sorting every input's keys was most of what hashing a fleet's
 * units cost: at 1,800 app instances (4 MB of inputs) ~60-90 ms against ~30 ms for the JSON as built.
 * Unequal quick keys say nothing (the same data may be built in another key order): then the input hash
 * decides, and the order never reaches generated/.
 */
export function quickInputKey(generator: Generator, input: unknown): string {
  return sha256(JSON.stringify(hashed(generator, input)));
}

/** The unit's identity within its generator (GeneratorUnit.key, else its scope). */
export function unitKey(unit: GeneratorUnit): string {
  return unit.key ?? unit.scope;
}

/**
 * Earlier renders of units. Rendering is pure, so a unit whose input hash is unchanged renders to the
 * same files; the output layer loads and saves the cache. A unit is named by its generator and `key`
 * (unitKey): several units may share a scope. `scope` is passed too, for caches that find renders by
 * scope and input hash (index.json records no keys; the input hashes of one scope's units differ).
 */
export interface RenderCache {
  get(generator: string, scope: string, inputHash: string, key: string): readonly RenderedFile[] | undefined;
  /** `quickKey`: the input's quickInputKey, for caches that find renders by it (getQuick). */
  set(
    generator: string,
    scope: string,
    inputHash: string,
    files: readonly RenderedFile[],
    key: string,
    quickKey?: string,
  ): void;
  /**
   * The unit's render recorded with this quick key (quickInputKey), and the input hash it was recorded
   * with; a cache without it is asked by input hash only.
   */
  getQuick?(generator: string, key: string, quickKey: string): CachedRender | undefined;
}

/** A render found by its quick key. */
export interface CachedRender {
  readonly inputHash: string;
  readonly files: readonly RenderedFile[];
}

export interface ComposeOptions {
  readonly only?: string;
  readonly generators?: readonly Generator[];
  /** Reuse renders of unchanged units. @default no cache: every unit renders */
  readonly cache?: RenderCache;
}

function renderUnit(generator: Generator, unit: GeneratorUnit, hash: string): RenderedFile[] {
  return unit.render().map((file) => {
    const content = serialize(file);
    return {
      path: file.path,
      content,
      generator: generator.name,
      scope: unit.scope,
      ...(file.app !== undefined && { app: file.app }),
      inputHash: hash,
      sha256: sha256(content),
    };
  });
}

interface PlannedUnit {
  readonly generator: Generator;
  readonly unit: GeneratorUnit;
  readonly hash: string;
  readonly cached: readonly RenderedFile[] | undefined;
  /** The input's quick key, when the cache finds renders by it. */
  readonly quickKey: string | undefined;
  /** Whether the cache found the render by its quick key (else, when cached, by its input hash). */
  readonly foundQuickly: boolean;
}

function planUnits(matrix: ResolvedMatrix, options: ComposeOptions): PlannedUnit[] {
  return (options.generators ?? generators).flatMap((generator) => {
    const keys = new Set<string>();
    return generator.units(matrix).flatMap((unit): PlannedUnit[] => {
      const key = unitKey(unit);
      // Two units with one key would take each other's renders from the cache.
      if (keys.has(key)) {
        throw new GeneratorError(
          generator.name,
          unit.scope,
          undefined,
          `two units have the key "${key}"`,
          'give every unit of the generator its own GeneratorUnit.key',
        );
      }
      keys.add(key);
      if (!unitInScope(unit.scope, options.only)) return [];
      const cache = options.cache;
      const quickKey = cache?.getQuick ? quickInputKey(generator, unit.input) : undefined;
      const quick = quickKey !== undefined ? cache?.getQuick?.(generator.name, key, quickKey) : undefined;
      if (quick)
        return [
          { generator, unit, hash: quick.inputHash, cached: quick.files, quickKey, foundQuickly: true },
        ];
      const hash = inputHash(generator, unit.input);
      const cached = cache?.get(generator.name, unit.scope, hash, key);
      return [{ generator, unit, hash, cached, quickKey, foundQuickly: false }];
    });
  });
}

function renderPlanned(
  matrix: ResolvedMatrix,
  planned: readonly PlannedUnit[],
  cache: RenderCache | undefined,
): Map<string, RenderedFile> {
  const files = new Map<string, RenderedFile>();
  for (const { generator, unit, hash, cached, quickKey, foundQuickly } of planned) {
    let rendered = cached;
    if (!rendered) {
      rendered = renderUnit(generator, unit, hash);
      cache?.set(generator.name, unit.scope, hash, rendered, unitKey(unit), quickKey);
    } else if (quickKey !== undefined && !foundQuickly) {
      // Found by input hash, the same data built in another key order (or recorded without a quick
      // key): recorded again with this quick key, so the next synth finds it quickly.
      cache?.set(generator.name, unit.scope, hash, rendered, unitKey(unit), quickKey);
    }
    for (const file of rendered) {
      const existing = files.get(file.path);
      if (existing) throw new OutputConflictError(file.path, [existing.generator, generator.name]);
      files.set(file.path, file);
    }
  }
  for (const generator of new Set(planned.map((p) => p.generator))) {
    if (!generator.checkFiles) continue;
    generator.checkFiles(
      matrix,
      [...files.values()].filter((file) => file.generator === generator.name),
    );
  }
  return files;
}

/** Load the renderers of these generators (see Generator.load). */
export async function loadRenderers(list: readonly Generator[] = generators): Promise<void> {
  await Promise.all(list.flatMap((generator) => (generator.load ? [generator.load()] : [])));
}

/**
 * Render the selected units of every generator into files keyed by path. Synchronous: generators with
 * a `load` step must have been loaded (loadRenderers), or use composeLazily.
 */
export function compose(matrix: ResolvedMatrix, options: ComposeOptions = {}): Map<string, RenderedFile> {
  return renderPlanned(matrix, planUnits(matrix, options), options.cache);
}

/** compose, loading only the renderers of generators that have a unit to render (a cache miss). */
export async function composeLazily(
  matrix: ResolvedMatrix,
  options: ComposeOptions = {},
): Promise<Map<string, RenderedFile>> {
  const planned = planUnits(matrix, options);
  await loadRenderers([...new Set(planned.filter((p) => !p.cached).map((p) => p.generator))]);
  return renderPlanned(matrix, planned, options.cache);
}
