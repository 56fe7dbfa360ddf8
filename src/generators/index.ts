/**
 * Composition: run every generator's units, serialize, and fail on two files with one path. Pure: no
 * disk access; the writer in src/output does all I/O.
 */
import { OutputConflictError } from '../matrix/errors.ts';
import type { ResolvedMatrix } from '../matrix/types.ts';
import { canonicalJson, sha256 } from '../output/canonical.ts';
import { serialize } from '../output/serialize.ts';
import { argocdGenerator } from './argocd/index.ts';
import { fluxGenerator } from './flux/index.ts';
import { k8sGenerator } from './k8s/index.ts';
import { schemaGenerator } from './schema.ts';
import { terraformGenerator } from './terraform/index.ts';
import type { Generator, GeneratorUnit } from './types.ts';
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
];

/** One generated file with what index.json records about it. */
export interface RenderedFile {
  readonly path: string;
  readonly content: string;
  readonly generator: string;
  readonly scope: string;
  readonly app?: string;
  readonly inputHash: string;
}

/**
 * Whether a unit is part of an `--only` selection: units inside the selection, and units that contain
 * it (an environment's Argo CD files list the selected cluster's apps, so they are rendered too).
 */
export function unitInScope(scope: string, only: string | undefined): boolean {
  if (only === undefined || scope === '*') return true;
  return scope === only || scope.startsWith(`${only}/`) || only.startsWith(`${scope}/`);
}

export function inputHash(generator: Generator, input: unknown): string {
  return sha256(
    canonicalJson({
      envmatrix: ENVMATRIX_VERSION,
      generator: generator.name,
      version: generator.version,
      input,
    }),
  );
}

/**
 * Earlier renders of units, keyed by generator, scope and input hash. Rendering is pure, so a unit whose
 * input hash is unchanged renders to the same files; the output layer loads and saves the cache.
 */
export interface RenderCache {
  get(generator: string, scope: string, inputHash: string): readonly RenderedFile[] | undefined;
  set(generator: string, scope: string, inputHash: string, files: readonly RenderedFile[]): void;
}

export interface ComposeOptions {
  readonly only?: string;
  readonly generators?: readonly Generator[];
  /** Reuse renders of unchanged units. @default no cache: every unit renders */
  readonly cache?: RenderCache;
}

function renderUnit(generator: Generator, unit: GeneratorUnit, hash: string): RenderedFile[] {
  return unit.render().map((file) => ({
    path: file.path,
    content: serialize(file),
    generator: generator.name,
    scope: unit.scope,
    ...(file.app !== undefined && { app: file.app }),
    inputHash: hash,
  }));
}

/** Render the selected units of every generator into files keyed by path. */
export function compose(matrix: ResolvedMatrix, options: ComposeOptions = {}): Map<string, RenderedFile> {
  const files = new Map<string, RenderedFile>();
  for (const generator of options.generators ?? generators) {
    for (const unit of generator.units(matrix)) {
      if (!unitInScope(unit.scope, options.only)) continue;
      const hash = inputHash(generator, unit.input);
      let rendered = options.cache?.get(generator.name, unit.scope, hash);
      if (!rendered) {
        rendered = renderUnit(generator, unit, hash);
        options.cache?.set(generator.name, unit.scope, hash, rendered);
      }
      for (const file of rendered) {
        const existing = files.get(file.path);
        if (existing) throw new OutputConflictError(file.path, [existing.generator, generator.name]);
        files.set(file.path, file);
      }
    }
  }
  return files;
}
