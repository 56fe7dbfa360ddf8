import { resolve } from 'node:path';
import { defaultCacheDir } from '../output/render-cache.ts';
import { checkGenerated, synth } from '../output/synth.ts';
import { formatCheck } from './format.ts';
import { formatHeldBack } from './held-back.ts';
import { load, outDirOf, type GlobalOptions } from './context.ts';

export interface SynthFlags extends GlobalOptions {
  readonly check?: boolean;
  readonly only?: string;
  readonly allowRemovals?: boolean;
  /** false with --no-cache. */
  readonly cache?: boolean;
}

export async function synthCommand(options: SynthFlags): Promise<number> {
  const { resolved } = await load(options);
  const outDir = outDirOf(options);
  if (options.check) {
    // Reads every byte and renders everything: no cache of any kind is trusted here.
    const result = await checkGenerated(resolved, { outDir });
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
