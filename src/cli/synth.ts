import { resolve } from 'node:path';
import type { ResolvedMatrix } from '../matrix/types.ts';
import { lookUpResolvedMatrix, saveResolvedMatrix } from '../output/matrix-cache.ts';
import { printWarnings } from './warnings.ts';
import { defaultCacheDir } from '../output/render-cache.ts';
import { checkGenerated, defaultOutDir, synth } from '../output/synth.ts';
import { formatHeldBack } from './held-back.ts';
import type { GlobalOptions } from './context.ts';

export interface SynthFlags extends GlobalOptions {
  readonly check?: boolean;
  readonly only?: string;
  readonly allowRemovals?: boolean;
  /** false with --no-cache. */
  readonly cache?: boolean;
  /** --verbose: also say where the resolved matrix came from. */
  readonly verbose?: boolean;
}

/**
 * The resolved matrix: from the matrix cache (matrix-cache.ts) when nothing the last load read has
 * changed; from the cached definition and the pins read again when only the pins changed; else loaded,
 * recording what it read so the next synth can skip the load. `--check` and `--no-cache` always load.
 */
async function resolvedMatrix(options: SynthFlags): Promise<ResolvedMatrix> {
  const root = resolve(options.root);
  const lookup =
    options.check || options.cache === false
      ? undefined
      : lookUpResolvedMatrix({ root, matrixFile: options.matrix, cacheDir: defaultCacheDir(root) });
  const note = (message: string) => {
    if (options.verbose) console.error(`matrix: ${message}`);
  };
  if (lookup?.resolved) {
    // As load() does: messages name paths relative to the project root.
    if (process.cwd() !== root) process.chdir(root);
    note('unchanged since the last synth; taken from the cache');
    printWarnings(lookup.warnings);
    return lookup.resolved;
  }
  // Imported here: loading pulls in validation and its libraries, which a cache hit does without.
  const { load, loadRecorded } = await import('./context.ts');
  if (!lookup) return (await load(options)).resolved;
  const loaded = await loadRecorded(options, lookup.reuse);
  const notSaved =
    loaded.unproven ?? (loaded.inputs && (await saveResolvedMatrix(lookup.miss, loaded, loaded.inputs)));
  const how = lookup.reuse ? 'loaded the pins only, the matrix modules are unchanged' : 'loaded';
  note(`${how} (${lookup.why}); ${notSaved ? `not cached: ${notSaved}` : 'cached for the next synth'}`);
  return loaded.resolved;
}

export async function synthCommand(options: SynthFlags): Promise<number> {
  const resolved = await resolvedMatrix(options);
  const outDir = defaultOutDir(resolve(options.root));
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
    ...(options.cache !== false && { cacheDir: defaultCacheDir(resolve(options.root)) }),
    lock: {
      command: 'synth',
      onWait: (owner) =>
        console.error(
          `waiting for another ${owner?.command ?? 'synth'} to finish${owner ? ` (pid ${owner.pid}, since ${owner.since})` : ''}…`,
        ),
    },
  });
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
  for (const path of result.unmanaged)
    console.warn(
      `warning: generated/${path} was not written by envmatrix; left in place (synth --check reports it as extra).`,
    );
  return 0;
}
