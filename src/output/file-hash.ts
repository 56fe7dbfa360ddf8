/**
 * Hashing sets of files, for the caches that must notice when a file they depend on changes: the
 * render cache's code fingerprint (render-cache.ts) and the matrix cache's key (matrix-cache.ts).
 * Synchronous reads: a couple of hundred small files, and nothing else can happen until a cache is judged.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Files under `dir`, recursively, sorted; none when it is missing. */
export function filesUnder(dir: string): string[] {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
  } catch {
    return [];
  }
}

/**
 * sha256 over each file's name and bytes (a missing file counts as such). Names are relative to `base`
 * when given, so a project copied elsewhere hashes alike; absolute otherwise.
 */
export function hashFiles(files: readonly string[], base?: string): string {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${base === undefined ? file : relative(base, file)}\u0000`);
    try {
      const bytes = readFileSync(file);
      hash.update(`${bytes.length}\u0000`).update(bytes);
    } catch {
      hash.update('missing\u0000');
    }
  }
  return hash.digest('hex');
}
