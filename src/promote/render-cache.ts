/**
 * Planning renders only what a promotion changes. generated/index.json records, for every file, the
 * generator, unit scope and input hash that produced it, and the sha256 of its bytes; a unit whose input
 * hash is unchanged and whose files on disk still have those bytes renders to exactly those files
 * (rendering is pure), so the planner takes them from disk instead of rendering them again. A unit with
 * a new input (the promoted targets, or a matrix change nobody synthed) or a hand-edited file misses the
 * cache and is rendered. Files are checked against their recorded sha256 only when their unit is asked
 * for. Entries rendered during a run are kept in memory for the next plan.
 */
import type { RenderCache, RenderedFile } from '../generators/index.ts';
import { sha256 } from '../core/canonical.ts';
import { INDEX_PATH, parseIndex, type IndexEntry } from '../output/index-file.ts';

const key = (generator: string, scope: string, hash: string): string =>
  `${generator}\u0000${scope}\u0000${hash}`;

/** A render cache seeded from a generated/ tree (`path → content`, index.json included). */
export function indexedRenderCache(tree: ReadonlyMap<string, string>): RenderCache {
  const recorded = new Map<string, [string, IndexEntry][]>();
  for (const [path, entry] of Object.entries(parseIndex(tree.get(INDEX_PATH))?.files ?? {})) {
    const k = key(entry.generator, entry.scope, entry.inputHash);
    recorded.set(k, [...(recorded.get(k) ?? []), [path, entry]]);
  }
  const verified = new Map<string, readonly RenderedFile[] | undefined>();
  const fromDisk = (k: string): readonly RenderedFile[] | undefined => {
    if (verified.has(k)) return verified.get(k);
    const entries = recorded.get(k);
    let files: RenderedFile[] | undefined = [];
    for (const [path, entry] of entries ?? []) {
      const content = tree.get(path);
      if (content === undefined || sha256(content) !== entry.sha256) {
        files = undefined; // missing or edited by hand: render the unit again
        break;
      }
      files.push({
        path,
        content,
        generator: entry.generator,
        scope: entry.scope,
        ...(entry.app !== undefined && { app: entry.app }),
        inputHash: entry.inputHash,
        sha256: entry.sha256,
      });
    }
    const result = entries && files ? files : undefined;
    verified.set(k, result);
    return result;
  };
  const rendered = new Map<string, readonly RenderedFile[]>();
  return {
    get: (generator, scope, hash) =>
      rendered.get(key(generator, scope, hash)) ?? fromDisk(key(generator, scope, hash)),
    set: (generator, scope, hash, files) => void rendered.set(key(generator, scope, hash), files),
  };
}
