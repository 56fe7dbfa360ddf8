import { resolve } from 'node:path';
import type { ResolvedMatrix } from '../matrix/types.ts';
import {
  lookUpResolvedMatrix,
  matrixCacheFile,
  matrixModulesFile,
  saveResolvedMatrix,
  type MatrixCacheLookup,
} from '../output/matrix-cache.ts';
import { defaultCacheDir, defaultOutDir } from '../output/project-paths.ts';
import { recordUpToDate, upToDate, upToDateFile } from '../output/up-to-date.ts';
import type { SynthSession } from '../output/synth.ts';
import { printWarnings } from './warnings.ts';
import { formatHeldBack } from './held-back.ts';
import type { GlobalOptions } from './context.ts';
import { enterProject } from './project-root.ts';

export interface SynthFlags extends GlobalOptions {
  readonly check?: boolean;
  readonly only?: string;
  readonly allowRemovals?: boolean;
  /** false with --no-cache. */
  readonly cache?: boolean;
  /** --verbose: also say where the resolved matrix came from. */
  readonly verbose?: boolean;
}

/** The resolved matrix, and the matrix cache entry that holds it when there is one. */
interface MatrixSource {
  readonly resolved: ResolvedMatrix;
  readonly entry?: string;
}

/** A `--verbose` line: `matrix: …` says where the matrix came from, `generated: …` why nothing rendered. */
function verbose(options: SynthFlags, topic: 'matrix' | 'generated' | 'cache', message: string): void {
  if (options.verbose) console.error(`${topic}: ${message}`);
}

const FROM_CACHE = 'unchanged since the last synth; taken from the cache';

/**
 * The resolved matrix: from the matrix cache (matrix-cache.ts) when nothing the last load read has
 * changed; from the cached definition and the pins read again when only the pins changed; else loaded,
 * recording what it read so the next synth can skip the load. `--check` and `--no-cache` always load.
 */
async function resolvedMatrix(
  options: SynthFlags,
  lookup: MatrixCacheLookup | undefined,
): Promise<MatrixSource> {
  const note = (message: string) => verbose(options, 'matrix', message);
  if (lookup?.hit) {
    note(FROM_CACHE);
    printWarnings(lookup.hit.warnings);
    return { resolved: await lookup.hit.resolved(), entry: lookup.hit.entry };
  }
  // Imported here: loading pulls in validation and its libraries, which a cache hit does without.
  const { load, loadRecorded } = await import('./context.ts');
  if (!lookup) return { resolved: (await load(options)).resolved };
  const loaded = await loadRecorded(options, lookup.reuse);
  const saved = loaded.unproven
    ? { notSaved: loaded.unproven }
    : loaded.inputs && (await saveResolvedMatrix(lookup.miss, loaded, loaded.inputs));
  const how = lookup.reuse ? 'loaded the pins only, the matrix modules are unchanged' : 'loaded';
  note(
    `${how} (${lookup.why}); ${saved?.notSaved ? `not cached: ${saved.notSaved}` : 'cached for the next synth'}`,
  );
  return { resolved: loaded.resolved, ...(saved?.entry !== undefined && { entry: saved.entry }) };
}

/**
 * Once a day, after a synth that succeeded: remove cache entries nothing has written for two weeks,
 * except this project's own (cache-sweep.ts). Imported only when due.
 */
async function sweepIfDue(
  options: SynthFlags,
  root: string,
  cacheDir: string,
  outDir: string,
): Promise<void> {
  if (options.cache === false) return;
  const { sweepCaches, sweepDue } = await import('../output/cache-sweep.ts');
  if (!sweepDue(cacheDir)) return;
  const [{ renderCacheDir }, { statCacheFile }, { compileCacheFolder }] = await Promise.all([
    import('../output/render-cache.ts'),
    import('../output/stat-cache.ts'),
    import('./compile-cache.ts'),
  ]);
  const removed = sweepCaches(cacheDir, [
    renderCacheDir(cacheDir, outDir),
    statCacheFile(cacheDir, outDir),
    upToDateFile(cacheDir, outDir),
    matrixCacheFile({ root, matrixFile: options.matrix, cacheDir }),
    matrixModulesFile({ root, matrixFile: options.matrix, cacheDir }),
    compileCacheFolder(cacheDir),
  ]);
  if (removed.length > 0)
    verbose(options, 'cache', `removed ${removed.length} entries unused for two weeks or of older layouts`);
}

function reportUnmanaged(unmanaged: readonly string[]): void {
  for (const path of unmanaged)
    console.warn(
      `warning: generated/${path} was not written by envmatrix; left in place (synth --check reports it as extra).`,
    );
}

/** The matrix cache lookup synth starts from: none for `--check` and `--no-cache`. */
export function lookUpForSynth(options: SynthFlags): MatrixCacheLookup | undefined {
  const root = resolve(options.root);
  return options.check || options.cache === false
    ? undefined
    : lookUpResolvedMatrix({ root, matrixFile: options.matrix, cacheDir: defaultCacheDir(root) });
}

/**
 * `lookup`: lookUpForSynth(options), when the caller has it already; `session`: what synths in this
 * process keep between them (`synth --watch`, see SynthOptions.session).
 */
export async function synthCommand(
  options: SynthFlags,
  lookup: MatrixCacheLookup | undefined = lookUpForSynth(options),
  session?: SynthSession,
): Promise<number> {
  const root = resolve(options.root);
  const outDir = defaultOutDir(root);
  const cacheDir = defaultCacheDir(root);
  const hit = lookup?.hit;
  // As load() does: messages name paths relative to the project root.
  if (hit) enterProject(root);
  // The matrix is as a synth of the whole matrix last rendered it, and generated/ still holds that
  // render: nothing to do, and no generator to import (up-to-date.ts).
  const current = hit && options.only === undefined ? await upToDate(cacheDir, outDir, hit.entry) : undefined;
  if (hit && current) {
    verbose(options, 'matrix', FROM_CACHE);
    verbose(
      options,
      'generated',
      'holds what this matrix renders to (the last synth left it so); nothing rendered',
    );
    printWarnings(hit.warnings);
    console.log(`generated/ is up to date: ${current.fileCount} files, nothing to write.`);
    reportUnmanaged(current.unmanaged);
    await sweepIfDue(options, root, cacheDir, outDir);
    return 0;
  }
  const { resolved, entry } = await resolvedMatrix(options, lookup);
  // Imported here: synth imports every generator, which an up-to-date tree does without.
  const { checkGenerated, synth } = await import('../output/synth.ts');
  if (options.check) {
    // Reads every byte and renders everything: no cache of any kind is trusted here.
    const result = await checkGenerated(resolved, { outDir });
    // Imported here: format.ts loads cli-table3, which plain synth never prints with.
    const { formatCheck } = await import('./format.ts');
    (result.ok ? console.log : console.error)(formatCheck(result));
    return result.ok ? 0 : 1;
  }
  const result = await synth(resolved, {
    outDir,
    ...(options.only !== undefined && { only: options.only }),
    allowRemovals: options.allowRemovals ?? false,
    // --no-cache renders every unit and reads every file; with the cache, synth still reads every file
    // whose size, mtime, ctime or inode changed since the last synth, so hand edits are repaired.
    ...(options.cache !== false && { cacheDir }),
    ...(session && { session }),
    lock: {
      command: 'synth',
      onWait: (owner) =>
        console.error(
          `waiting for another ${owner?.command ?? 'synth'} to finish${owner ? ` (pid ${owner.pid}, since ${owner.since})` : ''}…`,
        ),
    },
  });
  if (entry !== undefined && options.only === undefined)
    await recordUpToDate(cacheDir, outDir, entry, result.tree, result.unmanaged);
  const scope = options.only ? ` (${options.only})` : '';
  if (!result.written) {
    console.log(`generated/ is up to date${scope}: ${result.fileCount} files, nothing to write.`);
  } else {
    console.log(
      `synth${scope}: ${result.added.length} added, ${result.changed.length} changed, ${result.removed.length} removed; ${result.fileCount} files in generated/.`,
    );
  }
  if (options.only !== undefined && result.heldBack.length > 0)
    console.warn(formatHeldBack(options.only, result.heldBack));
  reportUnmanaged(result.unmanaged);
  await sweepIfDue(options, root, cacheDir, outDir);
  return 0;
}
