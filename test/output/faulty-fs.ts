/**
 * WriterFs wrappers for tests: the real node:fs/promises operations, with a fault at a chosen rename.
 * Renames are the apply step of the writer's transaction, so cutting there exercises its recovery.
 */
import { nodeWriterFs, type WriterFs } from '../../src/output/writer-fs.ts';

/** A Node system error, as the kernel would report it (code, syscall, path). */
export function systemError(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: i/o error, ${syscall} '${path}'`), { code, syscall, path });
}

/** Rename number `failAt` (counting from 0) fails once with EIO; everything else works. */
export function failingRenameFs(failAt: number): WriterFs & { readonly failed: () => boolean } {
  let renames = 0;
  let failed = false;
  return {
    ...nodeWriterFs,
    rename: (from, to) => {
      if (renames++ === failAt) {
        failed = true;
        return Promise.reject(systemError('EIO', 'rename', from));
      }
      return nodeWriterFs.rename(from, to);
    },
    failed: () => failed,
  };
}

export class ProcessKilled extends Error {
  override readonly name = 'ProcessKilled';
}

/**
 * A process killed after `renames` renames: from then on nothing it does reaches the disk, so no
 * in-process rollback can run and the journal is left for the next run.
 */
export function dyingFs(renames: number): WriterFs {
  let done = 0;
  let dead = false;
  const guard =
    <A extends unknown[], R>(op: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      dead ? Promise.reject(new ProcessKilled()) : op(...args);
  return {
    mkdir: guard(nodeWriterFs.mkdir),
    writeFile: guard(nodeWriterFs.writeFile),
    readFile: guard(nodeWriterFs.readFile),
    rm: guard(nodeWriterFs.rm),
    rmdir: guard(nodeWriterFs.rmdir),
    exists: guard(nodeWriterFs.exists),
    rename: guard((from: string, to: string) => {
      if (done++ >= renames) {
        dead = true;
        return Promise.reject(new ProcessKilled());
      }
      return nodeWriterFs.rename(from, to);
    }),
  };
}
