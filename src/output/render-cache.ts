/**
 * The render cache on disk: `node_modules/.cache/envmatrix/render/<output folder hash>/<generator>/
 * <unit key hash>.json`, one file per unit (see GeneratorUnit.key) with its input hash and rendered
 * files. One folder per generated/ folder, so a full synth can drop what it no longer renders without
 * touching another project's entries (tests and checkouts that share a node_modules share the cache
 * folder). Outside generated/, safe to delete (synth then renders everything), and never read by
 * `synth --check`.
 */
import { readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RenderCache, RenderedFile } from '../generators/index.ts';
import { sha256 } from '../core/canonical.ts';
import { mapBounded } from './bounded.ts';
import { filesUnder, hashFiles } from './file-hash.ts';

interface CacheEntry {
  readonly inputHash: string;
  readonly files: readonly RenderedFile[];
}

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

export function defaultCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'envmatrix');
}

/** The render cache folder of one output folder. */
export function renderCacheDir(cacheDir: string, outDir: string): string {
  return join(cacheDir, 'render', sha256(resolve(outDir)).slice(0, 16));
}

/** The names in a folder; none when it is missing or unreadable (the cache only ever saves time). */
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const entryName = (unitKey: string) => `${sha256(unitKey).slice(0, 24)}.json`;
const key = (generator: string, unitKey: string) => `${generator}\u0000${unitKey}`;

/**
 * A RenderCache preloaded from disk; `save()` writes back the units that changed and, after a full
 * synth, removes the entries that synth did not use.
 */
export class DiskRenderCache implements RenderCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly dirty = new Map<string, { generator: string; unitKey: string }>();
  /** Every entry file found on disk, as `<generator>/<name>`: what pruning may remove. */
  private readonly found = new Set<string>();
  /** The entry files of the units this synth asked for (`<generator>/<name>`): what pruning keeps. */
  private readonly used = new Set<string>();

  private constructor(
    private readonly dir: string,
    private readonly fingerprint: string,
  ) {}

  /**
   * Load every entry rendered by code with this fingerprint; others are misses. Synchronous reads on
   * purpose: there is an entry per unit (thousands in a fleet), and small files read through the
   * promise API cost several times as much (1,800 entries: 0.22 s against 0.06 s), while synth has
   * nothing else to do until the cache is loaded.
   */
  static load(dir: string, fingerprint: string): Promise<DiskRenderCache> {
    const cache = new DiskRenderCache(dir, fingerprint);
    for (const generator of namesIn(dir)) {
      for (const name of namesIn(join(dir, generator))) {
        cache.found.add(`${generator}/${name}`);
        try {
          const entry = JSON.parse(readFileSync(join(dir, generator, name), 'utf8')) as CacheEntry & {
            key: string;
            fingerprint: string;
          };
          if (entry.fingerprint !== fingerprint) continue;
          cache.entries.set(key(generator, entry.key), { inputHash: entry.inputHash, files: entry.files });
        } catch {
          // A damaged entry is a miss: the unit renders again and the entry is rewritten.
        }
      }
    }
    return Promise.resolve(cache);
  }

  /** One entry per unit: the unit's last render, a miss when its input hash has changed since. */
  get(
    generator: string,
    _scope: string,
    inputHash: string,
    unitKey: string,
  ): readonly RenderedFile[] | undefined {
    this.used.add(`${generator}/${entryName(unitKey)}`);
    const entry = this.entries.get(key(generator, unitKey));
    return entry?.inputHash === inputHash ? entry.files : undefined;
  }

  set(
    generator: string,
    _scope: string,
    inputHash: string,
    files: readonly RenderedFile[],
    unitKey: string,
  ): void {
    this.used.add(`${generator}/${entryName(unitKey)}`);
    this.entries.set(key(generator, unitKey), { inputHash, files });
    this.dirty.set(key(generator, unitKey), { generator, unitKey });
  }

  /**
   * Write the entries set since loading. With `prune` (a synth that planned every unit, not an
   * `--only` one), also remove every entry file it did not ask for: units the matrix no longer has,
   * renders by older code, damaged files. Without it each removed app or cluster would leave its
   * entries behind for every later synth to read. Failures are ignored: the cache only ever saves time.
   */
  async save(options: { readonly prune?: boolean } = {}): Promise<void> {
    await mapBounded([...this.dirty.values()], async ({ generator, unitKey }) => {
      const entry = this.entries.get(key(generator, unitKey))!;
      try {
        await mkdir(join(this.dir, generator), { recursive: true });
        await writeFile(
          join(this.dir, generator, entryName(unitKey)),
          JSON.stringify({ key: unitKey, fingerprint: this.fingerprint, ...entry }),
        );
      } catch {
        await rm(join(this.dir, generator, entryName(unitKey)), { force: true }).catch(() => undefined);
      }
    });
    this.dirty.clear();
    if (!options.prune) return;
    const unused = [...this.found].filter((file) => !this.used.has(file));
    await mapBounded(unused, (file) => rm(join(this.dir, file), { force: true }).catch(() => undefined));
    for (const file of unused) this.found.delete(file);
    // A generator with no unit left: its folder goes too (rmdir fails, harmlessly, while it holds files).
    for (const generator of new Set(unused.map((file) => file.slice(0, file.indexOf('/')))))
      try {
        rmdirSync(join(this.dir, generator));
      } catch {
        // Still holds entries.
      }
  }
}
