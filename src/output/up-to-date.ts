/**
 * The up-to-date record: which tree a matrix cache entry renders to, so a synth whose matrix comes from
 * the cache and whose generated/ still holds that tree can stop before importing a generator.
 *
 * Rendering is a pure function of the resolved matrix and envmatrix's code, and a matrix cache entry
 * names both (matrix-cache.ts: its header holds envmatrix's fingerprint, the inputs the load read, the
 * pins and the day, and the sha256 of the definition or of the resolved matrix). So "entry E renders to
 * tree T" stays true once a synth has seen it, however long ago. What needs checking each time is only
 * that generated/ still is T: every file is listed, and each must be known to the stat cache
 * (stat-cache.ts: same size, mtime, ctime and inode as when recorded, and not racy), which gives its
 * sha256 without reading it, or is read and hashed.
 * The paths and those hashes must give T's digest. Any other file, a file missing or changed, or what a
 * dead run left beside generated/ (its journal, scratch folders or lock) sends synth down its usual path,
 * which renders, repairs and cleans up.
 *
 * A check that finds T also records the digest of every file's stat data (when none is racy); the next
 * check whose listing and stat data give that digest is done without loading the stat cache or looking
 * a file up in it (about a fifth of a no-op synth's own work at 1,800 app instances, GC included).
 *
 * Kept outside generated/ (node_modules/.cache/envmatrix/up-to-date/, one file per output folder);
 * safe to delete. `synth --check`, `--no-cache` and `--only` never use it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sha256 } from '../core/canonical.ts';
import { mapBounded } from './bounded.ts';
import { racyFromNs, StatCache, statOf, type FileStat } from './stat-cache.ts';
import { listFiles, pathUnder } from './tree.ts';
import { lockPaths } from './project-paths.ts';
import { writeLeftBehind } from './writer.ts';

const VERSION = 1;

interface UpToDateRecord {
  readonly version: typeof VERSION;
  readonly outDir: string;
  /** The matrix cache entry (see MatrixCacheHit.entry). */
  readonly matrix: string;
  /** treeDigest of the tree that entry renders to. */
  readonly tree: string;
  readonly fileCount: number;
  /** Files synth left in place that it did not write (bootstrap-owned ones aside): warned about each run. */
  readonly unmanaged: readonly string[];
  /**
   * statDigest of the tree as a check last found it to be `tree`, when none of its files was racy then:
   * a later check whose listing and stat data give the same digest knows the tree without the stat
   * cache (the same trust the stat cache gives each file, for the whole tree at once).
   */
  readonly stats?: string;
}

/** What a synth that found nothing to do reports. */
export interface UpToDate {
  readonly fileCount: number;
  readonly unmanaged: readonly string[];
}

export function upToDateFile(cacheDir: string, outDir: string): string {
  return join(cacheDir, 'up-to-date', `${sha256(resolve(outDir)).slice(0, 16)}.json`);
}

/** One digest for a whole tree: every path with the sha256 of its bytes, in path order. */
export function treeDigest(files: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const path of [...files.keys()].sort()) hash.update(`${path}\u0000${files.get(path)!}\n`);
  return hash.digest('hex');
}

/**
 * One digest for a tree's stat data: every path with its size, mtime, ctime and inode, in listing order
 * (sorted). Equal digests mean no file was added, removed or touched, as far as stat data can tell.
 */
function statDigest(listed: readonly string[], stats: ReadonlyMap<string, FileStat>): string {
  const hash = createHash('sha256');
  for (const path of listed) {
    const { size, mtimeNs, ctimeNs, ino } = stats.get(path)!;
    hash.update(`${path}\u0000${size}\u0000${mtimeNs}\u0000${ctimeNs}\u0000${ino}\n`);
  }
  return hash.digest('hex');
}

async function writeRecord(file: string, record: UpToDateRecord): Promise<void> {
  try {
    await mkdir(join(file, '..'), { recursive: true });
    // Written aside and renamed, so a reader never sees half a record.
    await writeFile(`${file}.${process.pid}.tmp`, JSON.stringify(record));
    await rename(`${file}.${process.pid}.tmp`, file);
  } catch {
    // The next synth takes the usual path.
  }
}

/**
 * Record that the matrix cache entry `matrix` renders to `files` (path → sha256), as a synth of the
 * whole matrix just left generated/. Failures are ignored: the record only ever saves time.
 */
export async function recordUpToDate(
  cacheDir: string,
  outDir: string,
  matrix: string,
  files: ReadonlyMap<string, string>,
  unmanaged: readonly string[],
): Promise<void> {
  const file = upToDateFile(cacheDir, outDir);
  // No stat digest: the files this synth wrote are racy until RACY_MS have passed; the next check adds it.
  await writeRecord(file, {
    version: VERSION,
    outDir: resolve(outDir),
    matrix,
    tree: treeDigest(files),
    fileCount: files.size,
    unmanaged,
  });
}

/**
 * Whether generated/ holds the tree the matrix cache entry `matrix` renders to; undefined when it does
 * not (then synth takes its usual path). Files the stat cache vouches for are not read; the others (a
 * synth's own writes stay racy until the next run, a cold synth's are all racy) are read and hashed, and
 * their stat data recorded, so the next run reads none.
 */
export async function upToDate(
  cacheDir: string,
  outDir: string,
  matrix: string,
): Promise<UpToDate | undefined> {
  const file = upToDateFile(cacheDir, outDir);
  let recordText: string;
  let record: UpToDateRecord;
  try {
    recordText = await readFile(file, 'utf8');
    record = JSON.parse(recordText) as UpToDateRecord;
  } catch {
    return undefined;
  }
  if (record.version !== VERSION || record.outDir !== resolve(outDir) || record.matrix !== matrix)
    return undefined;
  // A dead run's journal, scratch folders or lock: the usual path takes the lock (a stale one is taken
  // over) and cleans them up. A live run's lock: the usual path waits for it rather than check a tree
  // that run is changing.
  const { lock, owner } = lockPaths(outDir);
  if (writeLeftBehind(outDir) || existsSync(lock) || existsSync(owner)) return undefined;
  // Before any stat is taken: what the stat cache's racy rule measures from.
  const startedAtMs = Date.now();
  const listed = await listFiles(outDir);
  if (listed.length !== record.fileCount) return undefined;
  const stats = new Map<string, FileStat>();
  const under = pathUnder(outDir);
  for (const path of listed) {
    const stat = statOf(under(path));
    if (!stat) return undefined;
    stats.set(path, stat);
  }
  const current = { fileCount: record.fileCount, unmanaged: record.unmanaged };
  const digest = statDigest(listed, stats);
  // Nothing touched since a check found this very tree: no file needs its sha256.
  if (record.stats === digest) return current;
  const statCache = await StatCache.load(cacheDir, outDir);
  const files = new Map<string, string>();
  const toRead: string[] = [];
  for (const path of listed) {
    const known = statCache.knownSha256(path, stats.get(path)!);
    if (known === undefined) toRead.push(path);
    else files.set(path, known);
  }
  const hashes = await mapBounded(toRead, async (path) => sha256(await readFile(under(path))));
  toRead.forEach((path, i) => files.set(path, hashes[i]!));
  if (treeDigest(files) !== record.tree) return undefined;
  if (toRead.length > 0)
    await statCache.save(
      outDir,
      startedAtMs,
      new Map([...files].map(([path, hash]) => [path, { stat: stats.get(path)!, sha256: hash }])),
    );
  // The tree is the record's: keep its stat data for the next check, unless a file is racy (modified
  // within RACY_MS of this check's start, so a later edit could keep its mtime).
  const racyFrom = racyFromNs(startedAtMs);
  if ([...stats.values()].every((stat) => stat.mtimeNs < racyFrom)) {
    // A synth that ran meanwhile recorded its own tree: keep that record rather than this older one.
    const now = await readFile(file, 'utf8').catch(() => undefined);
    if (now === recordText) await writeRecord(file, { ...record, stats: digest });
  }
  return current;
}
