/**
 * Synth, check and diff over generated/: render, compare with what is on disk, and (for synth) hand the
 * new tree to the writer. Everything before the writer is read-only, so any error leaves generated/
 * as it was.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeLazily, unitInScope, type RenderCache, type RenderedFile } from '../generators/index.ts';
import type { Generator } from '../generators/types.ts';
import { compareStrings } from '../core/compare.ts';
import { UsageError } from '../core/errors.ts';
import type { ResolvedMatrix } from '../matrix/types.ts';
import { ownedByBootstrap } from './bootstrap-owned.ts';
import { INDEX_PATH, indexOf, parseIndex, serializeIndex, type GeneratedIndex } from './index-file.ts';
import { checkRemovals, DEFAULT_REMOVAL_THRESHOLD } from './removal-guard.ts';
import { DiskRenderCache, rendererFingerprint } from './render-cache.ts';
import { listFiles, readTextIfExists, readTree } from './tree.ts';
import { recoverInterruptedWrite, writeTree } from './writer.ts';
import { mapBounded } from './bounded.ts';

export interface SynthOptions {
  /** The generated/ folder. */
  readonly outDir: string;
  /** Only units within (or containing) this target prefix: `prod`, `prod/aws/us-east-1/main`. */
  readonly only?: string;
  readonly generators?: readonly Generator[];
  /** Allow removing more than the guard's share of an environment's deployments. @default false */
  readonly allowRemovals?: boolean;
  /** @default 0.3 */
  readonly removalThreshold?: number;
  /** Folder of the render cache (see render-cache.ts). @default no cache */
  readonly cacheDir?: string;
  /**
   * Take files whose sha256 in index.json matches their new content as unchanged without reading them.
   * @default false (read every file)
   */
  readonly trustIndex?: boolean;
  /**
   * planSynth only: the tree in outDir as the caller already read it (`readTree(outDir)`), so several
   * plans over one tree (the promotion bot) read it once. @default read from outDir
   */
  readonly current?: ReadonlyMap<string, string>;
}

export interface TreeChanges {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

export interface SynthPlan {
  /** The complete new tree, index.json included. */
  readonly files: ReadonlyMap<string, string>;
  readonly index: GeneratedIndex;
  readonly changes: TreeChanges;
  /** Files in generated/ that envmatrix did not write (bootstrap-owned ones aside); carried over untouched. */
  readonly unmanaged: readonly string[];
  /** What is on disk now. */
  readonly current: ReadonlyMap<string, string>;
}

function keptFromIndex(
  index: GeneratedIndex | undefined,
  disk: ReadonlyMap<string, string>,
  only: string,
): RenderedFile[] {
  if (!index) return [];
  return Object.entries(index.files)
    .filter(([path, entry]) => !unitInScope(entry.scope, only) && disk.has(path))
    .map(([path, entry]) => ({ path, content: disk.get(path)!, ...entry }));
}

/**
 * The current tree, reading only what may have changed: a file whose sha256 in the previous index.json
 * equals the new content's is taken to hold that content, as the last synth wrote it. Hand edits to
 * generated files are not looked for here; `synth --check` reads every byte.
 */
async function readTreeTrustingIndex(
  outDir: string,
  rendered: ReadonlyMap<string, RenderedFile>,
): Promise<Map<string, string>> {
  const indexText = await readTextIfExists(join(outDir, INDEX_PATH));
  const previous = parseIndex(indexText);
  const listed = await listFiles(outDir);
  const current = new Map<string, string>();
  if (indexText !== undefined) current.set(INDEX_PATH, indexText);
  const toRead: string[] = [];
  for (const path of listed) {
    if (path === INDEX_PATH) continue;
    const next = rendered.get(path);
    const recorded = previous?.files[path]?.sha256;
    if (next && recorded !== undefined && recorded === next.sha256) current.set(path, next.content);
    else toRead.push(path);
  }
  const contents = await mapBounded(toRead, (path) => readFile(join(outDir, path), 'utf8'));
  toRead.forEach((path, i) => current.set(path, contents[i]!));
  return current;
}

function compareTrees(current: ReadonlyMap<string, string>, next: ReadonlyMap<string, string>): TreeChanges {
  const added: string[] = [];
  const changed: string[] = [];
  for (const [path, content] of next) {
    const before = current.get(path);
    if (before === undefined) added.push(path);
    else if (before !== content) changed.push(path);
  }
  const removed = [...current.keys()].filter((path) => !next.has(path));
  return {
    added: added.sort(compareStrings),
    changed: changed.sort(compareStrings),
    removed: removed.sort(compareStrings),
  };
}

/** Work out the new tree without writing anything. */
export async function planSynth(
  matrix: ResolvedMatrix,
  options: SynthOptions,
  cache?: RenderCache,
): Promise<SynthPlan> {
  const rendered = await composeLazily(matrix, {
    ...(options.only !== undefined && { only: options.only }),
    ...(options.generators && { generators: options.generators }),
    ...(cache && { cache }),
  });
  if (options.only !== undefined && ![...rendered.values()].some((file) => file.scope !== '*')) {
    const targets = matrix.targets.map((target) => target.id).join(', ');
    throw new UsageError(
      `--only ${options.only} selects no target; use an environment or a target id: ${targets}`,
    );
  }
  const current =
    options.current ??
    (options.trustIndex
      ? await readTreeTrustingIndex(options.outDir, rendered)
      : await readTree(options.outDir));
  const previous = parseIndex(current.get(INDEX_PATH));
  const desired = new Map<string, RenderedFile>(rendered);
  if (options.only !== undefined) {
    for (const file of keptFromIndex(previous, current, options.only))
      if (!desired.has(file.path)) desired.set(file.path, file);
  }
  const index = indexOf(desired.values());
  const files = new Map<string, string>([...desired].map(([path, file]) => [path, file.content]));
  files.set(INDEX_PATH, serializeIndex(index));
  const unmanaged = [...current.keys()].filter(
    (path) => path !== INDEX_PATH && !files.has(path) && !previous?.files[path],
  );
  for (const path of unmanaged) files.set(path, current.get(path)!);
  const untouched = unmanaged.filter((path) => !ownedByBootstrap(path));
  if (!options.allowRemovals)
    checkRemovals(previous, index, options.removalThreshold ?? DEFAULT_REMOVAL_THRESHOLD);
  return { files, index, changes: compareTrees(current, files), unmanaged: untouched, current };
}

export interface SynthResult extends TreeChanges {
  readonly written: boolean;
  readonly unmanaged: readonly string[];
  readonly fileCount: number;
}

/** Render and write generated/; a no-op when nothing changed. */
export async function synth(matrix: ResolvedMatrix, options: SynthOptions): Promise<SynthResult> {
  // Roll back an update that an interrupted run left half-applied, so the plan compares against it.
  await recoverInterruptedWrite(options.outDir);
  const cache = options.cacheDir
    ? await DiskRenderCache.load(options.cacheDir, await rendererFingerprint())
    : undefined;
  const plan = await planSynth(matrix, options, cache);
  const { added, changed, removed } = plan.changes;
  const written = added.length + changed.length + removed.length > 0;
  if (written) {
    const unchanged = new Set(
      [...plan.files.keys()].filter((path) => plan.current.get(path) === plan.files.get(path)),
    );
    await writeTree(options.outDir, { files: plan.files, unchanged });
  }
  await cache?.save();
  return { ...plan.changes, written, unmanaged: plan.unmanaged, fileCount: plan.files.size };
}

export interface CheckResult {
  readonly ok: boolean;
  /** On disk with other bytes than a fresh synth gives. */
  readonly stale: readonly string[];
  /** A fresh synth writes them; they are not on disk. */
  readonly missing: readonly string[];
  /** On disk; a fresh synth does not write them. */
  readonly extra: readonly string[];
}

/** Compare generated/ with a fresh full synth (no cache, no --only). */
export async function checkGenerated(
  matrix: ResolvedMatrix,
  options: Pick<SynthOptions, 'outDir' | 'generators'>,
): Promise<CheckResult> {
  const rendered = await composeLazily(matrix, options.generators ? { generators: options.generators } : {});
  const expected = new Map([...rendered].map(([path, file]) => [path, file.content]));
  expected.set(INDEX_PATH, serializeIndex(indexOf(rendered.values())));
  const current = new Map([...(await readTree(options.outDir))].filter(([path]) => !ownedByBootstrap(path)));
  const changes = compareTrees(current, expected);
  return {
    ok: changes.added.length + changes.changed.length + changes.removed.length === 0,
    stale: changes.changed,
    missing: changes.added,
    extra: changes.removed,
  };
}

export function defaultOutDir(root: string): string {
  return join(root, 'generated');
}
