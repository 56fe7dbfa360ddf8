/**
 * The one module that writes generated/. An update is a small transaction whose cost follows the number
 * of files that change, not the size of the tree:
 *
 * 1. stage: new and changed files are written beside generated/ (`generated.envmatrix-new/`); a failure
 *    here leaves generated/ untouched;
 * 2. commit: a journal (`generated.envmatrix-journal.json`) lists what will be written and removed;
 * 3. apply: displaced files move to `generated.envmatrix-old/`, staged files move into place (renames);
 * 4. done: the journal is deleted, then the scratch folders.
 *
 * A run that dies during apply leaves the journal behind; the next run rolls the tree back from it, so
 * a failed or interrupted synth leaves the previous tree byte-for-byte intact.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { listFiles } from './tree.ts';
import { mapBounded } from './bounded.ts';

const STAGING_SUFFIX = '.envmatrix-new';
const BACKUP_SUFFIX = '.envmatrix-old';
const JOURNAL_SUFFIX = '.envmatrix-journal.json';

/** What the new tree holds: every file's content, and which ones are unchanged from the old tree. */
export interface TreeUpdate {
  readonly files: ReadonlyMap<string, string>;
  /** Paths whose bytes equal the current file on disk; left as they are. */
  readonly unchanged: ReadonlySet<string>;
}

interface Journal {
  readonly version: 1;
  /** Files moved in from staging. */
  readonly write: readonly string[];
  /** Of those, the ones that existed before (their old bytes wait in the backup folder). */
  readonly replaced: readonly string[];
  /** Files moved out to the backup folder for good. */
  readonly remove: readonly string[];
}

/** Options for tests that simulate the process dying part-way through applying an update. */
export interface WriteTreeTestHooks {
  /** Stop (without rolling back, as a killed process would) after this many renames. */
  readonly dieAfterRenames?: number;
}

export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

const paths = (outDir: string) => ({
  staging: outDir + STAGING_SUFFIX,
  backup: outDir + BACKUP_SUFFIX,
  journal: outDir + JOURNAL_SUFFIX,
});

async function ensureDirs(root: string, files: Iterable<string>): Promise<void> {
  const dirs = new Set([...files].map((file) => dirname(join(root, file))));
  await mapBounded([...dirs], (dir) => mkdir(dir, { recursive: true }));
}

/** Remove folders left empty by removed files, up to (not including) `root`. */
async function pruneEmptyDirs(root: string, files: Iterable<string>): Promise<void> {
  const dirs = new Set<string>();
  for (const file of files) {
    for (let dir = dirname(file); dir !== '.' && dir !== ''; dir = dirname(dir)) dirs.add(dir);
  }
  // Deepest first, so a parent is tried after its children.
  for (const dir of [...dirs].sort((a, b) => b.split('/').length - a.split('/').length)) {
    await rmdir(join(root, dir)).catch(() => undefined);
  }
}

/**
 * Undo an update that a dead process left half-applied (its journal is still there), and drop the
 * scratch folders of any earlier run. Safe to run again if it is itself interrupted.
 */
export async function recoverInterruptedWrite(outDir: string): Promise<void> {
  const { staging, backup, journal } = paths(outDir);
  if (existsSync(journal)) {
    const entry = JSON.parse(await readFile(journal, 'utf8')) as Journal;
    const replaced = new Set(entry.replaced);
    for (const file of [...entry.write, ...entry.remove]) {
      const saved = join(backup, file);
      if (existsSync(saved)) {
        await mkdir(dirname(join(outDir, file)), { recursive: true });
        await rename(saved, join(outDir, file));
      } else if (!replaced.has(file) && entry.write.includes(file)) {
        await rm(join(outDir, file), { force: true });
      }
    }
    await pruneEmptyDirs(
      outDir,
      entry.write.filter((file) => !replaced.has(file)),
    );
    await rm(journal);
  }
  await rm(staging, { recursive: true, force: true });
  await rm(backup, { recursive: true, force: true });
}

/** Make `outDir` hold exactly `update.files`, as one transaction (see the module comment). */
export async function writeTree(
  outDir: string,
  update: TreeUpdate,
  hooks: WriteTreeTestHooks = {},
): Promise<void> {
  await recoverInterruptedWrite(outDir);
  const { staging, backup, journal } = paths(outDir);
  const existing = new Set(await listFiles(outDir));
  const write = [...update.files.keys()].filter((file) => !update.unchanged.has(file) || !existing.has(file));
  const remove = [...existing].filter((file) => !update.files.has(file));
  if (write.length === 0 && remove.length === 0) return;

  try {
    await ensureDirs(staging, write);
    await mapBounded(write, (file) => writeFile(join(staging, file), update.files.get(file)!));
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }

  if (!existsSync(outDir)) {
    // Nothing to displace: one rename puts the whole staged tree in place.
    await rename(staging, outDir);
    return;
  }
  const replaced = write.filter((file) => existing.has(file));
  const entry: Journal = { version: 1, write, replaced, remove };
  await writeFile(`${journal}.tmp`, JSON.stringify(entry));
  await rename(`${journal}.tmp`, journal);

  let renames = 0;
  const move = async (from: string, to: string) => {
    if (hooks.dieAfterRenames !== undefined && renames >= hooks.dieAfterRenames) throw new SimulatedCrash();
    renames++;
    await rename(from, to);
  };
  try {
    const displaced = [...replaced, ...remove];
    await ensureDirs(backup, displaced);
    await mapBounded(displaced, (file) => move(join(outDir, file), join(backup, file)));
    await ensureDirs(outDir, write);
    await mapBounded(write, (file) => move(join(staging, file), join(outDir, file)));
  } catch (error) {
    if (error instanceof SimulatedCrash) throw error;
    await recoverInterruptedWrite(outDir);
    throw error;
  }
  await rm(journal);
  await pruneEmptyDirs(outDir, remove);
  await rm(staging, { recursive: true, force: true });
  await rm(backup, { recursive: true, force: true });
}
