import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFiles, readTree } from '../../src/output/tree.ts';
import { recoverInterruptedWrite, writeTree } from '../../src/output/writer.ts';
import { nodeWriterFs, type WriterFs } from '../../src/output/writer-fs.ts';
import { dyingFs, failingRenameFs, ProcessKilled, systemError } from './faulty-fs.ts';

let root: string;
let outDir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'envmatrix-writer-'));
  outDir = join(root, 'generated');
});
afterEach(() => rm(root, { recursive: true, force: true }));

const before = new Map([
  ['a/one.yaml', 'one\n'],
  ['a/two.yaml', 'two\n'],
  ['b/deep/three.yaml', 'three\n'],
  ['index.json', '{"v":1}\n'],
]);
const after = new Map([
  ['a/one.yaml', 'one\n'],
  ['a/two.yaml', 'TWO\n'],
  ['c/four.yaml', 'four\n'],
  ['index.json', '{"v":2}\n'],
]);
const unchangedIn = (next: Map<string, string>, current: Map<string, string>) =>
  new Set([...next].filter(([path, content]) => current.get(path) === content).map(([path]) => path));
const SCRATCH = [
  '.envmatrix-new',
  '.envmatrix-old',
  '.envmatrix-journal.json',
  '.envmatrix-journal.json.tmp',
];
const leftovers = () => SCRATCH.filter((suffix) => existsSync(outDir + suffix));

// Seven renames in all: the journal commit, three displaced (two.yaml and index.json replaced,
// three.yaml removed), then three moved in (two.yaml, four.yaml, index.json). Every cut point is tried.
const CUTS = [0, 1, 2, 3, 4, 5, 6];

describe('writeTree', () => {
  it('writes a new tree, then applies only the differences, pruning emptied folders', async () => {
    await writeTree(outDir, { files: before, unchanged: new Set() });
    expect(await readTree(outDir)).toEqual(before);
    const untouched = await stat(join(outDir, 'a/one.yaml'));
    await writeTree(outDir, { files: after, unchanged: unchangedIn(after, before) });
    expect(await readTree(outDir)).toEqual(after);
    // The unchanged file is the same file on disk, not a rewrite of it.
    expect((await stat(join(outDir, 'a/one.yaml'))).ino).toBe(untouched.ino);
    expect(existsSync(join(outDir, 'b'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('writes a file the caller called unchanged when it is missing on disk', async () => {
    await writeTree(outDir, { files: before, unchanged: new Set() });
    await rm(join(outDir, 'a/two.yaml'));
    await writeTree(outDir, { files: before, unchanged: new Set(before.keys()) });
    expect(await readTree(outDir)).toEqual(before);
  });

  for (const cut of CUTS) {
    it(`rolls back in process, byte-for-byte, when rename ${cut} fails with a real error`, async () => {
      await writeTree(outDir, { files: before, unchanged: new Set() });
      const fs = failingRenameFs(cut);
      const error = await writeTree(
        outDir,
        { files: after, unchanged: unchangedIn(after, before) },
        { fs },
      ).catch((e: unknown) => e);
      expect(fs.failed()).toBe(true);
      // The caller sees the error that stopped the apply, not one from the rollback.
      expect(error).toMatchObject({ code: 'EIO', syscall: 'rename' });
      // No recovery call here: the writer itself put the previous tree back and cleaned up.
      expect(await readTree(outDir)).toEqual(before);
      expect(leftovers()).toEqual([]);
      await writeTree(outDir, { files: after, unchanged: unchangedIn(after, before) });
      expect(await readTree(outDir)).toEqual(after);
    });
  }

  for (const cut of CUTS) {
    it(`rolls back to the previous tree byte-for-byte when the process dies after ${cut} renames`, async () => {
      await writeTree(outDir, { files: before, unchanged: new Set() });
      await expect(
        writeTree(outDir, { files: after, unchanged: unchangedIn(after, before) }, { fs: dyingFs(cut) }),
      ).rejects.toThrow(ProcessKilled);
      // A dead process rolls nothing back: from the journal commit on, the journal is left behind.
      expect(existsSync(`${outDir}.envmatrix-journal.json`)).toBe(cut > 0);
      await recoverInterruptedWrite(outDir);
      expect(await readTree(outDir)).toEqual(before);
      expect(leftovers()).toEqual([]);
      // And the next write goes through.
      await writeTree(outDir, { files: after, unchanged: unchangedIn(after, before) });
      expect(await readTree(outDir)).toEqual(after);
    });
  }

  it('replaces the listing the caller planned against, leaving a file that appeared since alone', async () => {
    await writeTree(outDir, { files: before, unchanged: new Set() });
    // Written after synth listed the tree (by hand, meanwhile): no plan saw it, so nothing removes it.
    await writeFile(join(outDir, 'late.txt'), 'mine\n');
    await writeTree(outDir, { files: after, unchanged: unchangedIn(after, before), existing: before.keys() });
    expect(await readTree(outDir)).toEqual(new Map([...after, ['late.txt', 'mine\n']]));
  });

  it('lists the tree again, rather than trust the caller, when it rolls back a dead run first', async () => {
    await writeTree(outDir, { files: before, unchanged: new Set() });
    // Killed after committing the journal, displacing three files and moving one in: the tree now
    // lacks b/deep/three.yaml, which the rollback restores.
    await expect(
      writeTree(outDir, { files: after, unchanged: unchangedIn(after, before) }, { fs: dyingFs(5) }),
    ).rejects.toThrow(ProcessKilled);
    const listedBeforeRollback = await listFiles(outDir);
    expect(listedBeforeRollback).not.toContain('b/deep/three.yaml');
    await writeTree(outDir, {
      files: after,
      unchanged: unchangedIn(after, before),
      existing: listedBeforeRollback,
    });
    expect(await readTree(outDir)).toEqual(after);
    expect(leftovers()).toEqual([]);
  });

  it('keeps the journal for the next run when the in-process rollback fails as well', async () => {
    await writeTree(outDir, { files: before, unchanged: new Set() });
    let renames = 0;
    const fs: WriterFs = {
      ...nodeWriterFs,
      // The third rename fails, and so does every rename after it (the rollback's included).
      rename: (from, to) =>
        ++renames >= 3 ? Promise.reject(systemError('EIO', 'rename', from)) : nodeWriterFs.rename(from, to),
    };
    await expect(
      writeTree(outDir, { files: after, unchanged: unchangedIn(after, before) }, { fs }),
    ).rejects.toMatchObject({ code: 'EIO' });
    expect(existsSync(`${outDir}.envmatrix-journal.json`)).toBe(true);
    await recoverInterruptedWrite(outDir);
    expect(await readTree(outDir)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  it('leaves the tree untouched when staging fails', async () => {
    await writeTree(outDir, { files: before, unchanged: new Set() });
    // `clash` is both a file and a folder, so staging fails after writing some files.
    const broken = new Map([...after, ['clash', 'x'], ['clash/inner', 'y']]);
    await expect(writeTree(outDir, { files: broken, unchanged: new Set() })).rejects.toThrow();
    expect(await readTree(outDir)).toEqual(before);
    expect(existsSync(`${outDir}.envmatrix-new`)).toBe(false);
  });
});
