/**
 * The kustomization.yaml of an app folder: lists its manifest.yaml, so `kubectl kustomize <folder>`
 * (what Argo CD and Flux run) builds exactly the app's objects. It sets nothing else (no namespace,
 * labels or name prefixes): the files already say everything, and what you read is what is applied.
 */
import { compareStrings } from '../../core/compare.ts';
import type { OutputFile } from '../types.ts';
import { KUSTOMIZATION_FILE } from './names.ts';

/** The one file of an app folder holding its objects, one YAML document each. */
export const MANIFEST_FILE = 'manifest.yaml';

export const KUSTOMIZATION_API_VERSION = 'kustomize.config.k8s.io/v1beta1';

export interface Kustomization {
  readonly apiVersion: typeof KUSTOMIZATION_API_VERSION;
  readonly kind: 'Kustomization';
  readonly resources: readonly string[];
}

export function kustomization(resources: readonly string[]): Kustomization {
  return {
    apiVersion: KUSTOMIZATION_API_VERSION,
    kind: 'Kustomization',
    resources: [...resources].sort(compareStrings),
  };
}

/** `<dir>/kustomization.yaml` listing `resources` (file names within `dir`). */
export function kustomizationFile(dir: string, resources: readonly string[]): OutputFile {
  return { path: `${dir}/${KUSTOMIZATION_FILE}`, format: 'yaml', data: kustomization(resources) };
}
