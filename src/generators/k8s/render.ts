/**
 * Rendering one app on one target: the folder every registered contributor composes
 * (src/generators/app-folder.ts). Loaded on the first render (see Generator.load): the contributors
 * pull in cdk8s and cdk8s-plus-28.
 */
import type { ProvenanceStep } from '../../matrix/types.ts';
import { composeAppFolder, type AppFolderContributor, type AppInput } from '../app-folder.ts';
import type { OutputFile } from '../types.ts';
import { K8S_CONTRIBUTORS } from './contributors.ts';
import { GENERATOR_NAME } from './generator-name.ts';

const NO_PROVENANCE: ReadonlyMap<string, readonly ProvenanceStep[]> = new Map();

/** Every file of the app's folder, sorted by path. */
export function renderApp(
  input: AppInput,
  provenance: ReadonlyMap<string, readonly ProvenanceStep[]> = NO_PROVENANCE,
  contributors: readonly AppFolderContributor[] = K8S_CONTRIBUTORS,
): OutputFile[] {
  return composeAppFolder(GENERATOR_NAME, { ...input, provenance }, contributors);
}
