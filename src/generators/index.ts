/**
 * Composition: run every generator's units, serialize, and fail on two files with one path. Pure: no
 * disk access; the writer in src/output does all I/O.
 */
import { OutputConflictError } from '../matrix/errors.ts';
import type { ResolvedMatrix } from '../matrix/types.ts';
import { canonicalJson, sha256 } from '../output/canonical.ts';
import { serialize } from '../output/serialize.ts';
import { schemaGenerator } from './schema.ts';
import type { Generator } from './types.ts';
import { valuesGenerator } from './values.ts';

import packageJson from '../../package.json' with { type: 'json' };

/** Folded into every input hash: a new envmatrix may render the same input differently. */
export const ENVMATRIX_VERSION: string = packageJson.version;

/** Every generator, in the order their files are listed. */
export const generators: readonly Generator[] = [schemaGenerator, valuesGenerator];

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

export interface ComposeOptions {
  readonly only?: string;
  readonly generators?: readonly Generator[];
}

/** Render the selected units of every generator into files keyed by path. */
export function compose(matrix: ResolvedMatrix, options: ComposeOptions = {}): Map<string, RenderedFile> {
  const files = new Map<string, RenderedFile>();
  for (const generator of options.generators ?? generators) {
    for (const unit of generator.units(matrix)) {
      if (!unitInScope(unit.scope, options.only)) continue;
      const hash = inputHash(generator, unit.input);
      for (const file of unit.render()) {
        const existing = files.get(file.path);
        if (existing) throw new OutputConflictError(file.path, [existing.generator, generator.name]);
        files.set(file.path, {
          path: file.path,
          content: serialize(file),
          generator: generator.name,
          scope: unit.scope,
          ...(file.app !== undefined && { app: file.app }),
          inputHash: hash,
        });
      }
    }
  }
  return files;
}
