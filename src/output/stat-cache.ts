/**
 * The stat cache: for each file synth wrote in generated/, its size, mtime, ctime and inode, and the
 * sha256 of the bytes it held when they were recorded. A later synth takes a file whose stat data is
 * unchanged as holding those bytes without reading it, the way git's index lets `git status` skip
 * unchanged files; any edit changes the mtime (or, if a tool restores the mtime, the ctime), so plain
 * synth sees hand edits and repairs them while reading only files whose stat data moved.
 *
 * Racy files (git's "racily clean" problem): a file modified within the same timestamp tick as the
 * moment its stat was taken can keep the recorded mtime. An entry is trusted only when its mtime is at
 * least RACY_MS older than the start of the synth that recorded it; newer ones are read once more by the
 * next synth, which records them again. As in git, only the mtime is judged: a file whose mtime was set
 * back (cp -p) and that is edited in place and set back again within one ctime tick of being recorded
 * keeps all four values; that needs a filesystem with coarse ctimes (HFS+: 1 s) and a tool restoring
 * mtimes twice within that second.
 *
 * Kept outside generated/ (node_modules/.cache/envmatrix/stat/), one file per output folder; safe to
 * delete (the next synth reads every file). `synth --check` never uses it: it reads every byte.
 * https://git-scm.com/docs/racy-git describes the same scheme in git.
 */
import { statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sha256 } from '../core/canonical.ts';

/**
 * Wider than any filesystem's timestamp granularity (FAT: 2 s) and the lag of the kernel's coarse clock
 * behind Date.now() (a few ms): equal to FAT's would leave that lag as a window.
 */
export const RACY_MS = 3000;

/**
 * The mtime (ns since the epoch) from which a file is racy for a synth or check that started at
 * `startedAtMs`: one modified at or after it may be modified again without its stat data moving.
 */
export function racyFromNs(startedAtMs: number): bigint {
  return BigInt(startedAtMs - RACY_MS) * 1_000_000n;
}

/** What the cache compares: all four must match the recorded ones. */
export interface FileStat {
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly ino: bigint;
}

/** `[size, mtimeNs, ctimeNs, ino, sha256]`: compact, as a fleet has tens of thousands of files. */
type Entry = readonly [string, string, string, string, string];

interface StatCacheFile {
  readonly version: 1;
  readonly outDir: string;
  /** When the synth that recorded the entries started (ms since the epoch). */
  readonly startedAtMs: number;
  readonly files: Readonly<Record<string, Entry>>;
}

/** Whether two stat data are the same file as it was (both missing counts as the same). */
export function sameFileStat(a: FileStat | undefined, b: FileStat | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}

/** The stat data of a file; undefined when it is missing. */
export function statOf(path: string): FileStat | undefined {
  const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (!stat?.isFile()) return undefined;
  return { size: stat.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, ino: stat.ino };
}

export function statCacheFile(cacheDir: string, outDir: string): string {
  return join(cacheDir, 'stat', `${sha256(resolve(outDir)).slice(0, 16)}.json`);
}

export class StatCache {
  /**
   * Entries whose file's mtime is at or past this (ns since the epoch) are racy: RACY_MS before the
   * recording synth started. Computed once, as knownSha256 runs for every file of a fleet.
   */
  private readonly racyFrom: bigint | undefined;

  private constructor(
    private readonly file: string,
    private readonly recorded: StatCacheFile | undefined,
  ) {
    this.racyFrom = recorded && racyFromNs(recorded.startedAtMs);
  }

  /** The cache for `outDir`; empty when absent, damaged or recorded for another folder. */
  static async load(cacheDir: string, outDir: string): Promise<StatCache> {
    const file = statCacheFile(cacheDir, outDir);
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as StatCacheFile;
      const valid = parsed.version === 1 && parsed.outDir === resolve(outDir) && parsed.files;
      return new StatCache(file, valid ? parsed : undefined);
    } catch {
      return new StatCache(file, undefined);
    }
  }

  /**
   * The sha256 of the bytes `path` held when its stat data was recorded, if that stat data is
   * unchanged and was not racy; undefined means "read the file".
   */
  knownSha256(path: string, stat: FileStat): string | undefined {
    const entry = this.recorded?.files[path];
    if (!entry || this.racyFrom === undefined || stat.mtimeNs >= this.racyFrom) return undefined;
    const [size, mtimeNs, ctimeNs, ino, hash] = entry;
    const same =
      size === String(stat.size) &&
      mtimeNs === String(stat.mtimeNs) &&
      ctimeNs === String(stat.ctimeNs) &&
      ino === String(stat.ino);
    return same ? hash : undefined;
  }

  /**
   * Record the stat data and sha256 of files as they are on disk now. `startedAtMs` is when the synth
   * began, before it took any stat. Failures are ignored: the cache only ever saves reading.
   */
  async save(
    outDir: string,
    startedAtMs: number,
    files: ReadonlyMap<string, { readonly stat: FileStat; readonly sha256: string }>,
  ): Promise<void> {
    const entries = [...files]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, { stat, sha256: hash }]): [string, Entry] => [
        path,
        [String(stat.size), String(stat.mtimeNs), String(stat.ctimeNs), String(stat.ino), hash],
      ]);
    const content: StatCacheFile = {
      version: 1,
      outDir: resolve(outDir),
      startedAtMs,
      files: Object.fromEntries(entries),
    };
    try {
      await mkdir(join(this.file, '..'), { recursive: true });
      // Written aside and renamed, so a reader never sees half a cache.
      await writeFile(`${this.file}.${process.pid}.tmp`, JSON.stringify(content));
      await rename(`${this.file}.${process.pid}.tmp`, this.file);
    } catch {
      // Without a cache the next synth reads every file once.
    }
  }
}
