/**
 * Keeps a project's cache folder (node_modules/.cache/envmatrix) from growing without bound. Each cache
 * there keeps one entry per output folder, project root or Node version, and nothing removed entries
 * for folders that are gone (a test run leaves hundreds) or folders of layouts envmatrix no longer
 * writes. At most once a day, a synth removes:
 * - anything at the top that is not one of today's caches (an older layout);
 * - entries of the render, stat, up-to-date, matrix and compile caches not written for UNUSED_MS,
 *   except the ones this synth uses (`keep`), which an unchanged project may only have read since.
 * The caches only ever save time: what is removed is rebuilt by the next synth that needs it.
 * The CLI's bundle (`cli/`) is the CLI's own to sweep (bin/cli-bundle.js).
 */
import { readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The folders today's envmatrix keeps in a cache folder. */
const CACHES = ['cli', 'compile', 'matrix', 'render', 'stat', 'up-to-date'] as const;
/** The caches whose entries are swept by age. */
const SWEPT_BY_AGE = ['compile', 'matrix', 'render', 'stat', 'up-to-date'] as const;
const STAMP = '.swept';
const SWEEP_EVERY_MS = 24 * 60 * 60 * 1000;
export const UNUSED_MS = 14 * 24 * 60 * 60 * 1000;

/** When an entry was last written: its own mtime, or for a folder the newest of it and its files. */
function lastWritten(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, statSync(join(path, name)).mtimeMs);
  return newest;
}

function remove(path: string, removed: string[], cacheDir: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
    removed.push(relative(cacheDir, path).split('\\').join('/'));
  } catch {
    // Another process's, or not ours to remove: the next sweep tries again.
  }
}

/** Whether the last sweep of `cacheDir` was a day ago or more (or never): one stat. */
export function sweepDue(cacheDir: string, now: number = Date.now()): boolean {
  try {
    return now - statSync(join(cacheDir, STAMP)).mtimeMs >= SWEEP_EVERY_MS;
  } catch {
    return true;
  }
}

/**
 * Sweep `cacheDir` if it is due; the entries removed, relative to it. `keep`: absolute paths of the
 * entries this synth uses. Failures are ignored.
 */
export function sweepCaches(cacheDir: string, keep: readonly string[], now: number = Date.now()): string[] {
  const removed: string[] = [];
  if (!sweepDue(cacheDir, now)) return removed;
  const stamp = join(cacheDir, STAMP);
  try {
    writeFileSync(stamp, '');
    utimesSync(stamp, new Date(now), new Date(now));
    const kept = new Set(keep.map((path) => resolve(path)));
    for (const name of readdirSync(cacheDir)) {
      if (name === STAMP || (CACHES as readonly string[]).includes(name)) continue;
      remove(join(cacheDir, name), removed, cacheDir);
    }
    for (const cache of SWEPT_BY_AGE) {
      let names: string[];
      try {
        names = readdirSync(join(cacheDir, cache));
      } catch {
        continue;
      }
      for (const name of names) {
        const path = join(cacheDir, cache, name);
        if (kept.has(resolve(path))) continue;
        try {
          if (now - lastWritten(path) >= UNUSED_MS) remove(path, removed, cacheDir);
        } catch {
          // Gone meanwhile.
        }
      }
    }
  } catch {
    // No cache folder, or not writable: nothing to sweep.
  }
  return removed.sort();
}
