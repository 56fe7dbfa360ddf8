/** Reading the generated/ tree as it is on disk. */
import { readdirSync, type Dirent } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { mapBounded } from './bounded.ts';

/**
 * Every file under `dir` as a relative forward-slash path, sorted; empty when `dir` does not exist.
 *
 * Synchronous on purpose: on Node 20, `readdir(dir, { recursive: true })` walks folder after folder
 * through the promise API and takes about five times as long as readdirSync over a fleet's generated/
 * (20,000 files: 0.2 s against 0.04 s), and synth has nothing to do meanwhile.
 */
export function listFiles(dir: string): Promise<string[]> {
  // An error thrown in the executor rejects the promise, as from an async function.
  return new Promise((resolvePromise) => resolvePromise(listFilesNow(dir)));
}

function listFilesNow(dir: string): string[] {
  const root = resolve(dir);
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Entries below the root have `parentPath` = join(root, folder): slicing is cheaper than relative().
  const base = root.endsWith(sep) ? root : `${root}${sep}`;
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) =>
      entry.parentPath === root ? entry.name : `${entry.parentPath.slice(base.length)}${sep}${entry.name}`,
    );
  return (sep === '/' ? files : files.map((file) => file.split(sep).join('/'))).sort();
}

/**
 * The absolute path of a path listFiles gave under `dir`, by concatenation: listed paths are already
 * normal, and path.join normalises each one again (~5 ms for the 3,654 files of 1,800 app instances).
 */
export function pathUnder(dir: string): (path: string) => string {
  const root = resolve(dir);
  const base = root.endsWith(sep) ? root : `${root}${sep}`;
  return (path) => `${base}${path}`;
}

export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Contents of every file under `dir`, keyed by relative path. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  const files = await listFiles(dir);
  const contents = await mapBounded(files, (file) => readFile(join(dir, file), 'utf8'));
  return new Map(files.map((file, i) => [file, contents[i]!]));
}
