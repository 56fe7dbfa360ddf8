/**
 * The render cache on disk: `node_modules/.cache/envmatrix/<generator>/<scope hash>.json`, one file per
 * unit with its input hash and rendered files. Outside generated/, safe to delete (synth then renders
 * everything), and never read by `synth --check`.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RenderCache, RenderedFile } from '../generators/index.ts';
import { sha256 } from './canonical.ts';

interface CacheEntry {
  readonly inputHash: string;
  readonly files: readonly RenderedFile[];
}

/**
 * A hash of the code that renders: the generators and the serializer. Input hashes already fold in the
 * envmatrix and library versions; this also invalidates the cache when someone edits a generator
 * without bumping its version.
 */
export async function rendererFingerprint(): Promise<string> {
  const dirs = [new URL('../generators/', import.meta.url), new URL('./', import.meta.url)].map((url) =>
    fileURLToPath(url),
  );
  const files = (
    await Promise.all(
      dirs.map(async (dir) =>
        (await readdir(dir, { recursive: true }))
          .filter((f) => f.endsWith('.ts') || f.endsWith('.hbs'))
          .map((f) => join(dir, f)),
      ),
    )
  )
    .flat()
    .sort();
  const contents = await Promise.all(files.map((file) => readFile(file)));
  return sha256(
    Buffer.concat(contents.flatMap((content, i) => [Buffer.from(`${files[i]!.length}:`), content])),
  );
}

export function defaultCacheDir(root: string): string {
  return join(root, 'node_modules', '.cache', 'envmatrix');
}

const entryName = (scope: string) => `${sha256(scope).slice(0, 24)}.json`;
const key = (generator: string, scope: string) => `${generator}\u0000${scope}`;

/** A RenderCache preloaded from disk; `save()` writes back the units that changed. */
export class DiskRenderCache implements RenderCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly dirty = new Map<string, { generator: string; scope: string }>();

  private constructor(
    private readonly dir: string,
    private readonly fingerprint: string,
  ) {}

  /** Load every entry rendered by code with this fingerprint; others are misses. */
  static async load(dir: string, fingerprint: string): Promise<DiskRenderCache> {
    const cache = new DiskRenderCache(dir, fingerprint);
    const generators = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(
      generators.map(async (generator) => {
        const names = await readdir(join(dir, generator)).catch(() => [] as string[]);
        await Promise.all(
          names.map(async (name) => {
            try {
              const entry = JSON.parse(await readFile(join(dir, generator, name), 'utf8')) as CacheEntry & {
                scope: string;
                fingerprint: string;
              };
              if (entry.fingerprint !== fingerprint) return;
              cache.entries.set(key(generator, entry.scope), {
                inputHash: entry.inputHash,
                files: entry.files,
              });
            } catch {
              // A damaged entry is a miss: the unit renders again and the entry is rewritten.
            }
          }),
        );
      }),
    );
    return cache;
  }

  get(generator: string, scope: string, inputHash: string): readonly RenderedFile[] | undefined {
    const entry = this.entries.get(key(generator, scope));
    return entry?.inputHash === inputHash ? entry.files : undefined;
  }

  set(generator: string, scope: string, inputHash: string, files: readonly RenderedFile[]): void {
    this.entries.set(key(generator, scope), { inputHash, files });
    this.dirty.set(key(generator, scope), { generator, scope });
  }

  /** Write the entries set since loading. Failures are ignored: the cache only ever saves time. */
  async save(): Promise<void> {
    await Promise.all(
      [...this.dirty.values()].map(async ({ generator, scope }) => {
        const entry = this.entries.get(key(generator, scope))!;
        try {
          await mkdir(join(this.dir, generator), { recursive: true });
          await writeFile(
            join(this.dir, generator, entryName(scope)),
            JSON.stringify({ scope, fingerprint: this.fingerprint, ...entry }),
          );
        } catch {
          await rm(join(this.dir, generator, entryName(scope)), { force: true }).catch(() => undefined);
        }
      }),
    );
    this.dirty.clear();
  }
}
