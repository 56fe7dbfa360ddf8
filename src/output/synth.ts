/**
 * Synth, check and diff over generated/: render, compare with what is on disk, and (for synth) hand the
 * new tree to the writer. Everything before the writer is read-only, so any error leaves generated/
 * as it was.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeLazily, type RenderCache, type RenderedFile } from '../generators/index.ts';
import type { Generator } from '../generators/types.ts';
import { sha256 } from '../core/canonical.ts';
import { compareStrings } from '../core/compare.ts';
import type { ResolvedMatrix } from '../matrix/types.ts';
import { ownedByBootstrap } from './bootstrap-owned.ts';
import { INDEX_PATH, indexOf, parseIndex, serializeIndex, type GeneratedIndex } from './index-file.ts';
import { checkRemovals, DEFAULT_REMOVAL_THRESHOLD } from './removal-guard.ts';
import { DiskRenderCache, ENTRY_LOG, rendererFingerprint, renderCacheDir } from './render-cache.ts';
import { listFiles, pathUnder, readTextIfExists, readTree } from './tree.ts';
import { recoverInterruptedWrite, writeTree } from './writer.ts';
import { mapBounded } from './bounded.ts';
import { withWriteLock, type WriteLockOptions } from './lock.ts';
import { checkSelector, insideSelection } from './selection.ts';
import { sameFileStat, StatCache, statOf, type FileStat } from './stat-cache.ts';

export interface SynthOptions {
  /** The generated/ folder. */
  readonly outDir: string;
  /**
   * Only this environment or target prefix: `prod`, `prod/aws/us-east-1/main`. It must match a target.
   * Files of units above it (the environment's, a region's stack when one cluster is selected, the
   * matrix-wide ones) are left as they are and reported in `heldBack` when the matrix changes them.
   */
  readonly only?: string;
  /**
   * With `only`: render and write the files of units above the selection too (from the whole matrix), as
   * the promotion bot and `pin` need: their change is the pins alone, and their commit must leave
   * generated/ current (`synth --check` green) once merged. @default false (the CLI holds them back)
   */
  readonly writeFilesAbove?: boolean;
  readonly generators?: readonly Generator[];
  /** Allow removing more than the guard's share of an environment's deployments. @default false */
  readonly allowRemovals?: boolean;
  /** @default 0.3 */
  readonly removalThreshold?: number;
  /**
   * Folder of the render cache (render-cache.ts) and the stat cache (stat-cache.ts): with it, synth
   * renders only units whose input changed and reads only files whose stat data moved since the last
   * synth. @default no cache: render every unit, read every file
   */
  readonly cacheDir?: string;
  /** How synth waits for the write lock (lock.ts). */
  readonly lock?: WriteLockOptions;
  /**
   * What a process that synthesizes again and again (`synth --watch`) keeps from one synth to the next:
   * the render cache, loaded from disk once instead of every time (~50 ms at 1,800 app instances).
   * @default nothing kept
   */
  readonly session?: SynthSession;
  /**
   * planSynth only: the tree in outDir as the caller already read it (`readTree(outDir)`), so several
   * plans over one tree (the promotion bot) read it once. @default read from outDir
   */
  readonly current?: ReadonlyMap<string, string>;
}

/**
 * See SynthOptions.session. The render cache kept here still saves to disk after every synth, so other
 * processes see its renders, and is loaded again when its log changed since.
 */
export interface SynthSession {
  renderCache?: {
    readonly dir: string;
    readonly fingerprint: string;
    readonly cache: DiskRenderCache;
    /**
     * The log's stat data as the kept cache last loaded or saved it: different, another process (the
     * watch's own child synths included) wrote the log since, and it is loaded again.
     */
    logStat: FileStat | undefined;
  };
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
  /**
   * With --only: files outside the selection that the matrix changes (or no longer produces) but that
   * this synth leaves as they are (see SynthOptions.only).
   */
  readonly heldBack: readonly string[];
  /** How many files of generated/ were read (the others were known from the stat cache). */
  readonly read: number;
}

/** The tree on disk as planning saw it, and the stat data taken before reading. */
interface CurrentTree {
  readonly current: ReadonlyMap<string, string>;
  readonly stats: ReadonlyMap<string, FileStat>;
  readonly read: number;
}

function keptFromIndex(
  index: GeneratedIndex | undefined,
  disk: ReadonlyMap<string, string>,
  only: string,
): RenderedFile[] {
  if (!index) return [];
  return (
    Object.entries(index.files)
      .filter(([path, entry]) => !insideSelection(entry.scope, only) && disk.has(path))
      // The sha256 of what is on disk, not what the index says: a hand edit kept here must not be recorded
      // (in index.json or the stat cache) as the bytes synth wrote.
      .map(([path, entry]) => {
        const content = disk.get(path)!;
        return { path, content, ...entry, sha256: sha256(content) };
      })
  );
}

/**
 * The current tree, reading only what may have changed: a file the new render produces, whose stat
 * data matches the stat cache and whose recorded sha256 equals the new content's, is taken to hold the
 * new content. Everything else is read. Stat data is taken before reading, so an edit made meanwhile
 * shows up as changed stat data next time.
 */
async function readTreeWithStats(
  outDir: string,
  rendered: ReadonlyMap<string, RenderedFile>,
  statCache: StatCache,
): Promise<CurrentTree> {
  const indexStat = statOf(join(outDir, INDEX_PATH));
  const indexText = await readTextIfExists(join(outDir, INDEX_PATH));
  const listed = await listFiles(outDir);
  const current = new Map<string, string>();
  // Every file's, index.json and files synth did not write included: the stat cache records them all,
  // so the up-to-date check (up-to-date.ts) can vouch for a whole tree without reading it.
  const stats = new Map<string, FileStat>();
  if (indexText !== undefined) current.set(INDEX_PATH, indexText);
  if (indexText !== undefined && indexStat) stats.set(INDEX_PATH, indexStat);
  const toRead: string[] = [];
  const under = pathUnder(outDir);
  for (const path of listed) {
    if (path === INDEX_PATH) continue;
    const next = rendered.get(path);
    const stat = statOf(under(path));
    if (stat) stats.set(path, stat);
    if (next && stat && statCache.knownSha256(path, stat) === next.sha256) current.set(path, next.content);
    else toRead.push(path);
  }
  const contents = await mapBounded(toRead, (path) => readFile(under(path), 'utf8'));
  toRead.forEach((path, i) => current.set(path, contents[i]!));
  return { current, stats, read: toRead.length };
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
  return (await planWithStats(matrix, options, cache)).plan;
}

async function planWithStats(
  matrix: ResolvedMatrix,
  options: SynthOptions,
  cache?: RenderCache,
  statCache?: StatCache,
): Promise<{ plan: SynthPlan; stats: ReadonlyMap<string, FileStat> }> {
  const { only } = options;
  if (only !== undefined)
    checkSelector(
      only,
      matrix.targets.map((target) => target.id),
    );
  const rendered = await composeLazily(matrix, {
    ...(only !== undefined && { only }),
    ...(options.generators && { generators: options.generators }),
    ...(cache && { cache }),
  });
  const { current, stats, read } = options.current
    ? { current: options.current, stats: new Map<string, FileStat>(), read: 0 }
    : statCache
      ? await readTreeWithStats(options.outDir, rendered, statCache)
      : await readTree(options.outDir).then((tree) => ({
          current: tree,
          stats: new Map<string, FileStat>(),
          read: tree.size,
        }));
  const previous = parseIndex(current.get(INDEX_PATH));
  const desired = new Map<string, RenderedFile>(rendered);
  const heldBack: string[] = [];
  if (only !== undefined && !options.writeFilesAbove) {
    // Units above the selection were rendered only to tell whether they are out of date: their files
    // stay as they are, so --only never changes what another target deploys.
    for (const [path, file] of rendered) {
      if (insideSelection(file.scope, only)) continue;
      desired.delete(path);
      if (current.get(path) !== file.content) heldBack.push(path);
    }
    // A file of a unit above the selection that the unit no longer writes: kept as well, and reported.
    const renderedAbove = new Set(
      [...rendered.values()].filter((file) => !insideSelection(file.scope, only)).map((file) => file.scope),
    );
    for (const [path, entry] of Object.entries(previous?.files ?? {}))
      if (renderedAbove.has(entry.scope) && !rendered.has(path) && current.has(path)) heldBack.push(path);
  }
  if (only !== undefined) {
    // Units outside the selection that were not rendered keep their files as they are on disk.
    const renderedScopes = new Set([...rendered.values()].map((file) => file.scope));
    for (const file of keptFromIndex(previous, current, only))
      if (!options.writeFilesAbove || !renderedScopes.has(file.scope)) desired.set(file.path, file);
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
  const plan: SynthPlan = {
    files,
    index,
    changes: compareTrees(current, files),
    unmanaged: untouched,
    current,
    heldBack: heldBack.sort(compareStrings),
    read,
  };
  return { plan, stats };
}

export interface SynthResult extends TreeChanges {
  readonly written: boolean;
  /** Every file of generated/ as this synth left it, with the sha256 of its bytes. */
  readonly tree: ReadonlyMap<string, string>;
  readonly unmanaged: readonly string[];
  readonly fileCount: number;
  /** See SynthPlan. */
  readonly heldBack: readonly string[];
  /** How many files of generated/ planning read (the rest were known from the stat cache). */
  readonly read: number;
}

/**
 * Render and write generated/, holding the write lock; a no-op when nothing changed. With a cacheDir,
 * the stat data of every generated file is recorded afterwards for the next run.
 */
export function synth(matrix: ResolvedMatrix, options: SynthOptions): Promise<SynthResult> {
  return withWriteLock(options.outDir, () => synthLocked(matrix, options), options.lock);
}

async function synthLocked(matrix: ResolvedMatrix, options: SynthOptions): Promise<SynthResult> {
  const startedAtMs = Date.now();
  // Roll back an update that an interrupted run left half-applied, so the plan compares against it.
  await recoverInterruptedWrite(options.outDir);
  const cache = options.cacheDir
    ? await renderCacheFor(renderCacheDir(options.cacheDir, options.outDir), options.session)
    : undefined;
  const statCache = options.cacheDir ? await StatCache.load(options.cacheDir, options.outDir) : undefined;
  const { plan, stats } = await planWithStats(matrix, options, cache, statCache);
  const { added, changed, removed } = plan.changes;
  const written = added.length + changed.length + removed.length > 0;
  const write = async () => {
    if (!written) return;
    const unchanged = new Set(
      [...plan.files.keys()].filter((path) => plan.current.get(path) === plan.files.get(path)),
    );
    // The tree as planning listed it, under this lock (options.current is the caller's, not a listing).
    const existing = options.current ? undefined : plan.current.keys();
    await writeTree(options.outDir, { files: plan.files, unchanged, ...(existing && { existing }) });
  };
  // The render cache is saved while the tree is written: both wait on the disk, and renders are pure,
  // so entries saved beside a write that fails are still right. A synth of the whole matrix asked for
  // every unit: entries it did not ask for are garbage, and go (a write that fails loses only time).
  await Promise.all([write(), cache?.save({ prune: options.only === undefined })]);
  const kept = options.session?.renderCache;
  if (kept && kept.cache === cache) kept.logStat = renderLogStat(kept.dir);
  const tree = treeHashes(plan);
  // Nothing read and nothing written: every entry was trusted and still holds; the cache stays as it
  // is, unless it cannot vouch for index.json (which planning always reads).
  const indexStat = stats.get(INDEX_PATH);
  const indexKnown =
    indexStat !== undefined && statCache?.knownSha256(INDEX_PATH, indexStat) === tree.get(INDEX_PATH);
  if (statCache && (written || plan.read > 0 || !indexKnown))
    await statCache.save(options.outDir, startedAtMs, recordedStats(options.outDir, plan, stats, tree));
  return {
    ...plan.changes,
    written,
    tree,
    unmanaged: plan.unmanaged,
    fileCount: plan.files.size,
    heldBack: plan.heldBack,
    read: plan.read,
  };
}

/** The render cache of `dir`: the session's when it has the one of this folder and renderer code. */
async function renderCacheFor(dir: string, session: SynthSession | undefined): Promise<DiskRenderCache> {
  const fingerprint = rendererFingerprint();
  const kept = session?.renderCache;
  const logStat = renderLogStat(dir);
  if (kept?.dir === dir && kept.fingerprint === fingerprint && sameFileStat(kept.logStat, logStat)) {
    kept.cache.beginSynth();
    return kept.cache;
  }
  const cache = await DiskRenderCache.load(dir, fingerprint);
  if (session) session.renderCache = { dir, fingerprint, cache, logStat };
  return cache;
}

const renderLogStat = (dir: string) => statOf(join(dir, ENTRY_LOG));

/** Every file of the planned tree with the sha256 of its bytes: the index knows the generated ones. */
function treeHashes(plan: SynthPlan): Map<string, string> {
  return new Map(
    [...plan.files].map(([path, content]) => [path, plan.index.files[path]?.sha256 ?? sha256(content)]),
  );
}

/**
 * The stat data to record for every file now on disk: taken during planning for files this synth did
 * not write (before they were read, if they were), taken now for the ones it wrote.
 */
function recordedStats(
  outDir: string,
  plan: SynthPlan,
  planned: ReadonlyMap<string, FileStat>,
  tree: ReadonlyMap<string, string>,
): Map<string, { stat: FileStat; sha256: string }> {
  const written = new Set([...plan.changes.added, ...plan.changes.changed]);
  const recorded = new Map<string, { stat: FileStat; sha256: string }>();
  for (const [path, hash] of tree) {
    const stat = (!written.has(path) && planned.get(path)) || statOf(join(outDir, path));
    if (stat) recorded.set(path, { stat, sha256: hash });
  }
  return recorded;
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

export { defaultOutDir } from './project-paths.ts';
