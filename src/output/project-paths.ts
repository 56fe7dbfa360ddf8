/**
 * Where a project's generated/ and envmatrix's caches live: a module of its own, so the CLI can name
 * them at start-up without importing synth or a cache.
 */
import { join } from 'node:path';

export function defaultOutDir(root: string): string {
  return join(root, 'generated');
}

/** The render, stat, matrix, up-to-date and compile caches: outside generated/, safe to delete. */
export function defaultCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'envmatrix');
}
