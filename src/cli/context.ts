/** What every command shares: where the project is, and loading its matrix. */
import { resolve } from 'node:path';
import { loadMatrix, type LoadedMatrix } from '../matrix/load.ts';
import {
  loadMatrixRecorded,
  loadMatrixWithDefinitionRecorded,
  type RecordedLoad,
} from '../matrix/load-inputs.ts';
import type { DefinitionReuse } from '../output/matrix-cache.ts';
import { defaultOutDir } from '../output/synth.ts';
import { enterProject } from './project-root.ts';
import { printWarnings } from './warnings.ts';

export interface GlobalOptions {
  readonly root: string;
  readonly matrix: string;
}

export function outDirOf(options: GlobalOptions): string {
  return defaultOutDir(resolve(options.root));
}

export async function load(options: GlobalOptions): Promise<LoadedMatrix> {
  const root = resolve(options.root);
  enterProject(root);
  const loaded = await loadMatrix({ root, matrixFile: options.matrix });
  // Every command that reads the matrix shows what validation only warns about.
  printWarnings(loaded.warnings);
  return loaded;
}

/**
 * load, recording what the load read (for the matrix cache); with `reuse`, the matrix modules' earlier
 * definition is taken instead of importing them, and only the pins are read again.
 */
export async function loadRecorded(options: GlobalOptions, reuse?: DefinitionReuse): Promise<RecordedLoad> {
  const root = resolve(options.root);
  enterProject(root);
  const loadOptions = { root, matrixFile: options.matrix };
  const loaded = reuse
    ? await loadMatrixWithDefinitionRecorded(loadOptions, reuse.definition, reuse.inputs)
    : await loadMatrixRecorded(loadOptions);
  printWarnings(loaded.warnings);
  return loaded;
}
