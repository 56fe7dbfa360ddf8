import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/core/errors.ts';
import { WriteLockedError, type LockOwner } from '../../src/output/errors.ts';
import { withWriteLock } from '../../src/output/lock.ts';
import { lockPaths } from '../../src/output/project-paths.ts';
import { projectRoot } from '../support/tools.ts';

let root: string;
let outDir: string;
const children: ChildProcess[] = [];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'envmatrix-lock-'));
  outDir = join(root, 'generated');
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

/** Another process holding the lock on outDir, once it says so. */
async function holder(command: string): Promise<ChildProcess> {
  const child = spawn(
    'node',
    [
      join(projectRoot, 'bin/run-ts.js'),
      join(projectRoot, 'test/output/fixtures/hold-lock.ts'),
      outDir,
      command,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('locked')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return child;
}

describe('withWriteLock (finding 5)', () => {
  it('finding 5: runs in one process take turns, and the lock is reentrant within one run', async () => {
    const events: string[] = [];
    const run = (name: string) =>
      withWriteLock(outDir, async () => {
        events.push(`${name} in`);
        // pin holds the lock around its synth, which takes it again.
        await withWriteLock(outDir, async () => sleep(150));
        events.push(`${name} out`);
      });
    await Promise.all([run('a'), run('b')]);
    // Either may win the lock (both race to create it); what matters is that the other waits.
    const [first, second] = events[0] === 'a in' ? ['a', 'b'] : ['b', 'a'];
    expect(events).toEqual([`${first} in`, `${first} out`, `${second} in`, `${second} out`]);
    expect([lockPaths(outDir).lock, lockPaths(outDir).owner].filter((p) => existsSync(p))).toEqual([]);
  });

  it('finding 5: a run that waits too long exits 1 with "another synth is running (pid N, since …)"', async () => {
    const child = await holder('pin');
    const owner = JSON.parse(await readFile(lockPaths(outDir).owner, 'utf8')) as LockOwner;
    expect(owner).toMatchObject({ pid: child.pid, command: 'pin' });
    let waitedFor: LockOwner | undefined;
    const error = await withWriteLock(outDir, () => Promise.resolve('ran'), {
      waitMs: 800,
      onWait: (o) => (waitedFor = o),
    }).catch((e: unknown) => e);
    expect(waitedFor).toEqual(owner);
    expect(error).toBeInstanceOf(WriteLockedError);
    expect((error as WriteLockedError).message).toBe(
      `another pin is running (pid ${child.pid}, since ${owner.since}).`,
    );
    expect(error).toMatchObject({
      exitCode: EXIT.problems,
      fix: 'let it finish, then run the command again (this run waited 0.8 s; a lock left by a killed run is taken over after 10 s)',
    });
  });

  it('finding 5: a lock left by a killed run is taken over', { timeout: 40_000 }, async () => {
    const child = await holder('synth');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    // The dead run's lock and owner file are still there…
    expect(existsSync(lockPaths(outDir).lock)).toBe(true);
    // …and go stale once nobody refreshes them (10 s); the next run waits for that, then takes over.
    const startedAt = Date.now();
    const owner = await withWriteLock(
      outDir,
      async () => JSON.parse(await readFile(lockPaths(outDir).owner, 'utf8')) as LockOwner,
    );
    expect(owner).toMatchObject({ pid: process.pid, command: 'synth' });
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    expect(existsSync(lockPaths(outDir).lock)).toBe(false);
  });
});
