/**
 * The render cache on disk: `node_modules/.cache/envmatrix/render/<output folder hash>/entries.log`,
 * a log with a record per unit render (see GeneratorUnit.key: its input hash and rendered files; the
 * record format is render-log.ts).
 * One folder per generated/ folder, so a full synth can drop what it no longer renders without touching
 * another project's entries (tests and checkouts that share a node_modules share the cache folder).
 * Outside generated/, safe to delete (synth then renders everything), and never read by `synth --check`.
 */
import { readFileSync } from 'node:fs';
import { appendFile, mkdir, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CachedRender, RenderCache, RenderedFile } from '../generators/index.ts';
import { sha256 } from '../core/canonical.ts';
import { filesUnder, hashFiles } from './file-hash.ts';
import { decodeLog, encodeRecord, type FramedRecord, type LogRecord } from './render-log.ts';

/**
 * The layers of src/ a renderer can import: the generators and, below them, the matrix (resolve,
 * defaults, the pins schema that releases.schema.json is built from) and core. The import rules
 * (.dependency-cruiser.cjs: core ← matrix ← generators ← output) keep every other folder out of their
 * reach. output/ holds the cache itself; counted too, so a change to how entries are kept drops them.
 */
export const RENDERER_SOURCE_DIRS = ['core', 'matrix', 'generators', 'output'] as const;

const SRC_DIR = fileURLToPath(new URL('../', import.meta.url));

/**
 * A hash of the code that renders: every file in RENDERER_SOURCE_DIRS of `srcDir`. Input hashes
 * already fold in the envmatrix and library versions; this also invalidates the cache when someone
 * edits a generator, or anything a generator imports, without bumping a version.
 */
export function rendererFingerprint(srcDir: string = SRC_DIR): string {
  const files = RENDERER_SOURCE_DIRS.flatMap((dir) => filesUnder(join(srcDir, dir)));
  return hashFiles(files, srcDir);
}

/** The render cache folder of one output folder. */
export function renderCacheDir(cacheDir: string, outDir: string): string {
  return join(cacheDir, 'render', sha256(resolve(outDir)).slice(0, 16));
}

/** The entry log of a render cache folder. */
export const ENTRY_LOG = 'entries.log';

/**
 * The log of earlier versions, a JSON line per unit render: never read (parsing it was the cost the
 * new format removes, and its renders are by other code anyway), and removed by the next save.
 */
export const OLD_ENTRY_LOG = 'entries.jsonl';

const key = (generator: string, unitKey: string) => `${generator}\u0000${unitKey}`;

/**
 * The log is rewritten once it is more than this many times the size of its live records, i.e. once
 * its dead bytes (replaced renders, other code, damage) outweigh the live ones. Why bytes: every synth
 * reads and scans the whole log, so its size is what a synth pays, and records differ in size by
 * orders of magnitude (a pin bump at 1,800 app instances appends ~0.9 MB in ~30 records, the fleet
 * report alone 129 KB); counting records let a 22 MB live log grow past 75 MB before a rewrite.
 * Why 2: a rewrite then follows at least as many appended bytes as it writes, so the bytes written
 * stay within twice the bytes appended, and a load reads at most twice the live log (1.5× on
 * average). Measured at 1,800 app instances (22 MB live): a load takes ~75-105 ms at 22 MB and
 * ~125 ms at 45 MB, a save that rewrites ~85 ms against ~15 ms for an append; so a tighter bound
 * (1.5: a rewrite every ~12 pin bumps instead of ~25) would save ~10 ms a synth on average, for
 * twice the rewrites of the whole log: not worth the disk traffic.
 */
const MAX_LOG_TO_LIVE = 2;

/**
 * An entry as the log holds it: two literals rather than a spread of the optional quick key (thousands
 * of entries, and a spread is a slow path).
 */
function entryOf(
  generator: string,
  key: string,
  fingerprint: string,
  inputHash: string,
  files: readonly RenderedFile[],
  quickKey: string | undefined,
): LogRecord {
  return quickKey === undefined
    ? { generator, key, fingerprint, inputHash, files }
    : { generator, key, fingerprint, inputHash, quickKey, files };
}

/** A record in the log that stands for an entry, with what it takes to write it again. */
interface LoggedRecord {
  /** Its length in bytes. */
  readonly bytes: number;
  /**
   * Its bytes: `source.slice(at, at + bytes)` as latin1 when loaded (a slice of the log's text,
   * render-log.ts), `source` whole as UTF-8 when encoded by this process (`at` undefined).
   */
  readonly source: string;
  readonly at: number | undefined;
}

const encoded = (record: LogRecord): LoggedRecord => {
  const { text, bytes } = encodeRecord(record);
  return { bytes, source: text, at: undefined };
};

/**
 * A RenderCache preloaded from disk. Entries live in one append-only log per output folder
 * (entries.log, a record per unit render, the last record of a unit winning): a cold synth of a fleet
 * writes one file instead of one per unit (1,800 small files took longer to create than generated/'s
 * own writes, on a busy disk), a one-app change appends its few units, and loading reads one file and
 * parses only each record's metadata (render-log.ts). `save()` rewrites the log when more of its bytes,
 * or more of its records, are dead than live, and after a full synth when it holds entries that synth
 * did not use (units the matrix no longer has, renders by older code, damaged records).
 */
export class DiskRenderCache implements RenderCache {
  private readonly entries = new Map<string, LogRecord>();
  private readonly dirty = new Set<string>();
  /** Keys this synth asked for: what pruning keeps. */
  private readonly used = new Set<string>();
  /** Records in the log that no entry stands for (replaced, other code, damaged). */
  private dead = 0;
  /** Of those, the records that are garbage rather than history: other code, damaged, pruned. */
  private garbage = 0;
  /** Where the log's damaged tail (a torn append) starts, when it ends in one. */
  private tornAt: number | undefined;
  /** Each entry whose record is in the log (not set since): that record. */
  private readonly logged = new Map<string, LoggedRecord>();
  /** The sum of `logged`'s bytes: the log's live bytes. */
  private liveBytes = 0;
  /** The log's length in bytes, a torn tail not counted (the next save cuts it off). */
  private logBytes = 0;

  private constructor(
    private readonly dir: string,
    private readonly fingerprint: string,
  ) {}

  /**
   * Load every entry rendered by code with this fingerprint; other records are misses. A synchronous
   * read: synth has nothing else to do until the cache is loaded.
   */
  static load(dir: string, fingerprint: string): Promise<DiskRenderCache> {
    const cache = new DiskRenderCache(dir, fingerprint);
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, ENTRY_LOG));
    } catch {
      // No log yet: every unit is a miss.
      return Promise.resolve(cache);
    }
    const log = decodeLog(bytes);
    if (log.intactBytes < bytes.length) cache.tornAt = log.intactBytes;
    cache.logBytes = log.intactBytes;
    // Damaged records before the last intact one stay in the log until a rewrite; a damaged tail is
    // cut off by the next save.
    cache.dead = log.damaged;
    cache.garbage = log.damaged;
    // Each key's last record of this fingerprint, whose files alone are decoded.
    const last = new Map<string, FramedRecord>();
    for (const record of log.records) {
      if (record.fingerprint !== fingerprint) {
        // Rendered by other code: a miss, dropped at the next rewrite.
        cache.dead++;
        cache.garbage++;
        continue;
      }
      const k = key(record.generator, record.key);
      if (last.has(k)) cache.dead++;
      last.set(k, record);
    }
    for (const [k, record] of last) {
      const files = record.files();
      if (files) {
        // Not a spread of the record (see entryOf): thousands of records.
        const { generator, key: unitKey, inputHash, quickKey, at, bytes: recordBytes } = record;
        cache.entries.set(k, entryOf(generator, unitKey, fingerprint, inputHash, files, quickKey));
        cache.logged.set(k, { bytes: recordBytes, source: log.text, at });
        cache.liveBytes += recordBytes;
      } else {
        // A damaged content: a miss, dropped at the next rewrite.
        cache.dead++;
        cache.garbage++;
      }
    }
    return Promise.resolve(cache);
  }

  /**
   * A cache kept for another synth (SynthOptions.session): forget which entries the last one asked
   * for, so the next save prunes by what this one asks for.
   */
  beginSynth(): void {
    this.used.clear();
  }

  /** One entry per unit: the unit's last render, a miss when its input hash has changed since. */
  get(
    generator: string,
    _scope: string,
    inputHash: string,
    unitKey: string,
  ): readonly RenderedFile[] | undefined {
    this.used.add(key(generator, unitKey));
    const entry = this.entries.get(key(generator, unitKey));
    return entry?.inputHash === inputHash ? entry.files : undefined;
  }

  /** The unit's last render when it was recorded with this quick key. */
  getQuick(generator: string, unitKey: string, quickKey: string): CachedRender | undefined {
    this.used.add(key(generator, unitKey));
    const entry = this.entries.get(key(generator, unitKey));
    return entry?.quickKey === quickKey ? entry : undefined;
  }

  set(
    generator: string,
    _scope: string,
    inputHash: string,
    files: readonly RenderedFile[],
    unitKey: string,
    quickKey?: string,
  ): void {
    const k = key(generator, unitKey);
    this.used.add(k);
    this.unlog(k);
    this.entries.set(k, entryOf(generator, unitKey, this.fingerprint, inputHash, files, quickKey));
    this.dirty.add(k);
  }

  /** The entry's record in the log, if any, is dead from now on (replaced or pruned). */
  private unlog(k: string): void {
    const record = this.logged.get(k);
    if (record === undefined) return;
    this.logged.delete(k);
    this.liveBytes -= record.bytes;
    this.dead++;
  }

  /**
   * Write the entries set since loading: appended to the log, or the whole log rewritten when, with
   * the appended records, it would hold more dead bytes than live ones (MAX_LOG_TO_LIVE) or more
   * dead records than live ones (each record costs a metadata parse on load, however small), or,
   * with `prune` (a synth that planned every unit, not an `--only` one), garbage: entries that synth
   * did not ask for, renders by other code, damaged records. Failures are ignored: the cache only
   * ever saves time (a log that cannot be written is removed, so no half-written state is trusted).
   */
  async save(options: { readonly prune?: boolean } = {}): Promise<void> {
    const log = join(this.dir, ENTRY_LOG);
    if (options.prune) {
      for (const k of this.entries.keys()) {
        if (this.used.has(k)) continue;
        this.entries.delete(k);
        // Only a record in the log is garbage (an entry set since loading is one this synth used).
        if (this.logged.has(k)) this.garbage++;
        this.unlog(k);
      }
    }
    const encode = (k: string) => encoded(this.entries.get(k)!);
    const appended = new Map([...this.dirty].map((k) => [k, encode(k)]));
    let appendedBytes = 0;
    for (const record of appended.values()) appendedBytes += record.bytes;
    const live = this.liveBytes + appendedBytes;
    const rewrite =
      (options.prune === true && this.garbage > 0) ||
      this.dead > this.entries.size ||
      this.logBytes + appendedBytes > MAX_LOG_TO_LIVE * live;
    // A rewrite copies the records loaded from the log as they are: encoding 1,800 units again took
    // ~250 ms at 1,800 app instances, copying their bytes a small fraction of that.
    const written = rewrite
      ? new Map([...this.entries.keys()].map((k) => [k, appended.get(k) ?? this.logged.get(k) ?? encode(k)]))
      : appended;
    let writtenBytes = 0;
    for (const record of written.values()) writtenBytes += record.bytes;
    try {
      await mkdir(this.dir, { recursive: true });
      if (rewrite) {
        // Rewritten whole, then renamed into place: a reader never sees a partial log.
        await writeFile(`${log}.tmp`, concat(written.values(), writtenBytes));
        await rename(`${log}.tmp`, log);
        this.logged.clear();
        this.liveBytes = 0;
        this.logBytes = 0;
        this.dead = 0;
        this.garbage = 0;
      } else {
        // A torn append (a run killed while writing) left bytes that are no record: cut them off, so
        // the records appended next start at a record boundary rather than inside the damage.
        if (this.tornAt !== undefined) await truncate(log, this.tornAt);
        if (written.size > 0)
          await appendFile(log, [...written.values()].map((record) => record.source).join(''));
      }
      for (const [k, record] of written) this.logged.set(k, record);
      this.liveBytes += writtenBytes;
      this.logBytes += writtenBytes;
      this.tornAt = undefined;
    } catch {
      await rm(log, { force: true }).catch(() => undefined);
      // No log: nothing in it is live or dead, and no damaged tail to cut off.
      this.tornAt = undefined;
      this.logged.clear();
      this.liveBytes = 0;
      this.logBytes = 0;
      this.dead = 0;
      this.garbage = 0;
    }
    // An old-format log is never read again (an unlink of a missing file costs next to nothing).
    await rm(join(this.dir, OLD_ENTRY_LOG), { force: true }).catch(() => undefined);
    this.dirty.clear();
  }
}

/** The records' bytes back to back. */
function concat(records: Iterable<LoggedRecord>, bytes: number): Buffer {
  const buffer = Buffer.allocUnsafe(bytes);
  let offset = 0;
  for (const { source, at, bytes: length } of records) {
    const written =
      at === undefined
        ? buffer.write(source, offset, 'utf8')
        : buffer.write(source.slice(at, at + length), offset, 'latin1');
    // Never short in practice (the lengths are the records'); a log cut short would misframe.
    if (written !== length) throw new Error(`a record of ${length} bytes wrote ${written}`);
    offset += written;
  }
  return buffer;
}
