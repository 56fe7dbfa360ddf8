/**
 * Where a project's generated/ and envmatrix's caches live: a module of its own, so the CLI can name
 * them at start-up without importing synth or a cache.
 */
import { join, resolve } from 'node:path';

export function defaultOutDir(root: string): string {
  return join(root, 'generated');
}

/** The render, stat, matrix, up-to-date and compile caches: outside generated/, safe to delete. */
export function defaultCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'envmatrix');
}

/**
 * The write lock beside an output folder (lock.ts): proper-lockfile's folder, and who holds it. Named
 * here so a check that only looks for them does not load proper-lockfile.
 */
export function lockPaths(outDir: string): { lock: string; owner: string } {
  const base = resolve(outDir);
  return { lock: `${base}.envmatrix-lock`, owner: `${base}.envmatrix-lock.json` };
}
