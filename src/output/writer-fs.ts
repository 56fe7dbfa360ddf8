/**
 * The file operations the writer performs, as one small interface. Production passes node:fs/promises;
 * tests pass a wrapper that fails at a chosen step, so the writer's real recovery code runs against real
 * errors (an in-process rollback) and against a process that stops touching the disk (a kill).
 */
import { access, mkdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';

export interface WriterFs {
  readonly mkdir: (path: string) => Promise<void>;
  readonly writeFile: (path: string, content: string) => Promise<void>;
  readonly readFile: (path: string) => Promise<string>;
  readonly rename: (from: string, to: string) => Promise<void>;
  /** Remove a file or a folder tree; nothing when it is absent. */
  readonly rm: (path: string) => Promise<void>;
  /** Remove an empty folder; rejects when it is not empty. */
  readonly rmdir: (path: string) => Promise<void>;
  readonly exists: (path: string) => Promise<boolean>;
}

export const nodeWriterFs: WriterFs = {
  mkdir: async (path) => {
    await mkdir(path, { recursive: true });
  },
  writeFile: (path, content) => writeFile(path, content),
  readFile: (path) => readFile(path, 'utf8'),
  rename: (from, to) => rename(from, to),
  rm: (path) => rm(path, { recursive: true, force: true }),
  rmdir: (path) => rmdir(path),
  exists: (path) =>
    access(path).then(
      () => true,
      () => false,
    ),
};
