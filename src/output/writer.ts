/**
 * The one module that writes generated/. The new tree is built beside the old one and swapped in with
 * renames, so a failed or interrupted synth leaves the previous tree byte-for-byte intact. Unchanged
 * files are hard-linked from the old tree, which keeps a synth that changes little cheap.
 */
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const NEW_SUFFIX = '.envmatrix-new';
const OLD_SUFFIX = '.envmatrix-old';

/** What the new tree holds: every file's content, and which ones are unchanged from the old tree. */
export interface TreeUpdate {
  readonly files: ReadonlyMap<string, string>;
  /** Paths whose bytes equal the current file on disk; linked instead of written. */
  readonly unchanged: ReadonlySet<string>;
}

/**
 * Finish or undo a swap that an earlier run did not complete: if generated/ is missing but the old tree
 * is beside it, put it back; drop any half-built new tree.
 */
export async function recoverInterruptedSwap(outDir: string): Promise<void> {
  const old = outDir + OLD_SUFFIX;
  if (!existsSync(outDir) && existsSync(old)) await rename(old, outDir);
  await rm(old, { recursive: true, force: true });
  await rm(outDir + NEW_SUFFIX, { recursive: true, force: true });
}

async function placeFile(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

/** Replace `outDir` with exactly `update.files`, atomically from a reader's point of view. */
export async function writeTree(outDir: string, update: TreeUpdate): Promise<void> {
  await recoverInterruptedSwap(outDir);
  const staging = outDir + NEW_SUFFIX;
  await mkdir(staging, { recursive: true });
  try {
    const dirs = new Set([...update.files.keys()].map((path) => dirname(join(staging, path))));
    await Promise.all([...dirs].map((dir) => mkdir(dir, { recursive: true })));
    await Promise.all(
      [...update.files].map(([path, content]) =>
        update.unchanged.has(path)
          ? placeFile(join(outDir, path), join(staging, path))
          : writeFile(join(staging, path), content),
      ),
    );
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  const old = outDir + OLD_SUFFIX;
  const hadTree = existsSync(outDir);
  if (hadTree) await rename(outDir, old);
  await rename(staging, outDir);
  if (hadTree) await rm(old, { recursive: true, force: true });
}
