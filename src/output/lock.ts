/**
 * The write lock on generated/: synth and pin hold it while they read, plan and write, so concurrent runs
 * take turns instead of undoing each other's half-applied updates (the writer's recovery step removes a
 * running update's scratch folders).
 *
 * proper-lockfile makes the lock: an atomic mkdir of `generated.envmatrix-lock/` whose mtime the holder
 * refreshes every 5 s; a lock not refreshed for 10 s (its process was killed) is stale and the next run
 * takes it over. Who holds it (pid, command, since) is written beside it, for the message of a run that
 * gives up waiting. The lock is reentrant within one async call chain, so `pin` can hold it around
 * writing a pins file and the synth that follows.
 * https://github.com/moxystudio/node-proper-lockfile#readme
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { WriteLockedError, WriteLockLostError, type LockOwner } from './errors.ts';
import { lockPaths } from './project-paths.ts';

/** How long a run waits for another one before giving up. */
export const DEFAULT_LOCK_WAIT_MS = 30_000;
/** A lock whose holder has not refreshed it for this long is taken over (proper-lockfile's default). */
const STALE_MS = 10_000;

export interface WriteLockOptions {
  /** What the holder is, for the message of a run that waits: `synth` or `pin`. @default 'synth' */
  readonly command?: string;
  /** @default 30 s */
  readonly waitMs?: number;
  /** Called once when the lock is held by another run and this one starts waiting. */
  readonly onWait?: (owner: LockOwner | undefined) => void;
}

const held = new AsyncLocalStorage<ReadonlySet<string>>();

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

async function acquire(outDir: string, options: WriteLockOptions, onCompromised: (error: Error) => void) {
  const paths = lockPaths(outDir);
  const waitMs = options.waitMs ?? DEFAULT_LOCK_WAIT_MS;
  const startedAt = Date.now();
  await mkdir(dirname(paths.lock), { recursive: true });
  let delay = 100;
  let waiting = false;
  for (;;) {
    try {
      return await lockfile.lock(resolve(outDir), {
        lockfilePath: paths.lock,
        realpath: false,
        stale: STALE_MS,
        onCompromised,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      const waited = Date.now() - startedAt;
      if (waited >= waitMs) throw new WriteLockedError(await readOwner(paths.owner), waitMs);
      if (!waiting) options.onWait?.(await readOwner(paths.owner));
      waiting = true;
      await sleep(Math.min(delay, Math.max(waitMs - waited, 1)));
      delay = Math.min(delay * 2, 1000);
    }
  }
}

/** Run `fn` holding the write lock on `outDir` (see the module comment). */
export async function withWriteLock<T>(
  outDir: string,
  fn: () => Promise<T>,
  options: WriteLockOptions = {},
): Promise<T> {
  const key = resolve(outDir);
  const mine = held.getStore();
  if (mine?.has(key)) return fn();
  const paths = lockPaths(outDir);
  let lost: Error | undefined;
  const release = await acquire(outDir, options, (error) => {
    lost = error;
  });
  try {
    const owner: LockOwner = {
      pid: process.pid,
      command: options.command ?? 'synth',
      since: new Date().toISOString(),
    };
    await writeFile(`${paths.owner}.${process.pid}.tmp`, `${JSON.stringify(owner)}\n`);
    await rename(`${paths.owner}.${process.pid}.tmp`, paths.owner);
    const result = await held.run(new Set([...(mine ?? []), key]), fn);
    if (lost) throw new WriteLockLostError(paths.lock, lost);
    return result;
  } finally {
    if (!lost) {
      await rm(paths.owner, { force: true });
      await release();
    }
  }
}
