/**
 * Issue 12: an interrupted bot run cleans up. SIGINT and SIGTERM (a cancelled workflow) remove the
 * worktree and exit 130 and 143; after a SIGKILL, which nothing can catch, the next run prunes the
 * stale worktree. The CLI runs as a child process against the smart-HTTP remote, held mid-push by a
 * pre-receive hook that waits for the test.
 */
import { chmod, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runGit } from '../support/git-remote.ts';
import { requireTool, which } from '../support/tools.ts';
import { cleanEnv, cli, startCli } from './cli-run.ts';
import { createWorkbench, REPO, type Workbench } from './workbench.ts';

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');

async function until(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe.skipIf(!git.available)('an interrupted bot run', { timeout: 120_000 }, () => {
  let wb: Workbench;
  let env: NodeJS.ProcessEnv;
  let marker: string;
  let release: string;
  const hook = () => join(wb.remote.root, `${REPO}.git`, 'hooks', 'pre-receive');
  const pin = ['pin', '--env', 'dev', '--app', 'web', '--tag', '2.3.0', '--push', '--mode', 'commit'];
  /** Worktrees git has registered in the clone besides the clone itself, and folders the bot left. */
  const leftovers = async () => ({
    registered:
      (await runGit(['worktree', 'list', '--porcelain'], { cwd: wb.clone }))
        .split('\n')
        .filter((line) => line.startsWith('worktree ')).length - 1,
    folders: await readdir(join(wb.clone, '.git/envmatrix/worktrees')).catch(() => []),
  });

  beforeAll(async () => {
    wb = await createWorkbench();
    env = cleanEnv({ GITHUB_TOKEN: wb.token, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: wb.github.baseUrl });
    marker = join(wb.remote.root, 'push-started');
    release = join(wb.remote.root, 'release');
  });
  beforeEach(async () => {
    await rm(marker, { force: true });
    await rm(release, { force: true });
    // Holds the push until the test releases it (at most 60 s), then refuses it.
    await writeFile(
      hook(),
      `#!/bin/sh\ntouch '${marker}'\ni=0\nwhile [ ! -f '${release}' ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done\nexit 1\n`,
    );
    await chmod(hook(), 0o755);
  });
  afterAll(async () => {
    if (release) await writeFile(release, '');
    await wb?.close();
  });

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`${signal} mid-push removes the worktree and exits ${code}`, async () => {
      const child = startCli(['--root', wb.clone, ...pin], env);
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      await until(() => exists(marker), 'the push to reach the remote');
      expect((await leftovers()).registered).toBe(1); // the run's worktree, while it pushes
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(stderr).toBe(`envmatrix: interrupted (${signal}); removed the bot's worktree\n`);
      expect(await leftovers()).toEqual({ registered: 0, folders: [] });
      await writeFile(release, '');
    });
  }

  it('after SIGKILL mid-push, the next run prunes the stale worktree and leaves none', async () => {
    const child = startCli(['--root', wb.clone, ...pin], env);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    await until(() => exists(marker), 'the push to reach the remote');
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const stale = await leftovers();
    expect(stale.registered).toBe(1); // what the issue saw: nothing could clean up
    expect(stale.folders).toHaveLength(2); // the worktree and its pid file
    await writeFile(release, '');
    await rm(hook());
    const next = await cli(['--root', wb.clone, ...pin], env);
    expect([next.code, next.stderr]).toEqual([0, '']);
    expect(next.stdout).toMatch(
      /^web 2\.3\.0 in dev \(was [^)]+\): committed [0-9a-f]{7} to the base branch\.\n$/,
    );
    expect(await leftovers()).toEqual({ registered: 0, folders: [] });
  });
});
