import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  basicAuthHeader,
  GitCommandError,
  gitEnv,
  runGit,
  startGitRemote,
  type GitRemote,
} from './git-remote.ts';
import { requireTool, which } from './tools.ts';

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');

const scratch: string[] = [];
async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'envmatrix-git-test-'));
  scratch.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Clone `url` into a new scratch folder and return the work tree path. */
async function clone(url: string, extraArgs: string[] = []): Promise<string> {
  const dir = join(await scratchDir(), 'clone');
  await runGit([...extraArgs, 'clone', '--quiet', url, dir]);
  return dir;
}

async function commitFile(dir: string, path: string, content: string): Promise<string> {
  await writeFile(join(dir, path), content);
  await runGit(['add', path], { cwd: dir });
  await runGit(['commit', '--quiet', '-m', `edit ${path}`], { cwd: dir });
  return (await runGit(['rev-parse', 'HEAD'], { cwd: dir })).trim();
}

describe.skipIf(!git.available)('git remote over smart HTTP (no auth)', () => {
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await startGitRemote();
  });
  afterAll(async () => {
    await remote.close();
  });

  it('clones the seeded commit with real git, through upload-pack', async () => {
    const repo = await remote.createBareRepo('acme/platform', {
      initialFiles: { 'README.md': 'hello\n', 'src/environments/releases/prod.json': '{}\n' },
    });
    const dir = await clone(repo.url);
    expect(await readFile(join(dir, 'src/environments/releases/prod.json'), 'utf8')).toBe('{}\n');
    expect((await runGit(['rev-parse', 'HEAD'], { cwd: dir })).trim()).toBe(repo.sha);
    expect((await runGit(['symbolic-ref', '--short', 'HEAD'], { cwd: dir })).trim()).toBe('main');
    const served = remote.calls.filter((call) => call.path.startsWith('/acme/platform.git/'));
    expect(served.map((call) => [call.method, call.service, call.status])).toEqual(
      expect.arrayContaining([
        ['GET', 'git-upload-pack', 200],
        ['POST', 'git-upload-pack', 200],
      ]),
    );
  });

  it('seeds the same SHA for the same files on every run (fixed identity and dates)', async () => {
    const a = await remote.createBareRepo('same-a', { initialFiles: { 'x.txt': 'x\n' } });
    const b = await remote.createBareRepo('same-b', { initialFiles: { 'x.txt': 'x\n' } });
    expect(a.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(a.sha).toBe(b.sha);
  });

  it('pushes a branch and another clone fetches it', async () => {
    const repo = await remote.createBareRepo('push-fetch');
    const writer = await clone(repo.url);
    const reader = await clone(repo.url);
    await runGit(['checkout', '--quiet', '-b', 'promote/prod'], { cwd: writer });
    const sha = await commitFile(writer, 'pin.txt', '1.5.0\n');
    await runGit(['push', '--quiet', 'origin', 'promote/prod'], { cwd: writer });

    expect(await remote.revParse('push-fetch', 'promote/prod')).toBe(sha);
    await runGit(['fetch', '--quiet', 'origin'], { cwd: reader });
    expect((await runGit(['rev-parse', 'origin/promote/prod'], { cwd: reader })).trim()).toBe(sha);
    expect(remote.calls).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/push-fetch.git/git-receive-pack', status: 200 }),
    );
  });

  it('works through simple-git: clone, commit, push, fetch', async () => {
    const repo = await remote.createBareRepo('simple');
    const base = await scratchDir();
    await simpleGit({ baseDir: base }).env(gitEnv()).clone(repo.url, 'a');
    const a = simpleGit({ baseDir: join(base, 'a') }).env(gitEnv());
    await writeFile(join(base, 'a', 'file.txt'), 'from simple-git\n');
    await a.add('file.txt');
    const commit = await a.commit('add file');
    await a.push('origin', 'main');

    await simpleGit({ baseDir: base }).env(gitEnv()).clone(repo.url, 'b');
    const b = simpleGit({ baseDir: join(base, 'b') }).env(gitEnv());
    expect(await readFile(join(base, 'b', 'file.txt'), 'utf8')).toBe('from simple-git\n');
    await writeFile(join(base, 'a', 'file.txt'), 'second\n');
    await a.add('file.txt');
    await a.commit('second');
    await a.push('origin', 'main');
    await b.fetch('origin');
    const log = await b.log({ from: 'main', to: 'origin/main' });
    expect(log.all.map((entry) => entry.message)).toEqual(['second']);
    expect(await remote.revParse('simple', 'main~1')).toMatch(new RegExp(`^${commit.commit}`));
  });

  it('refuses pushes to a repository created with receivePack: false', async () => {
    const repo = await remote.createBareRepo('read-only', { receivePack: false });
    const dir = await clone(repo.url);
    await commitFile(dir, 'x.txt', 'x\n');
    await expect(runGit(['push', 'origin', 'main'], { cwd: dir })).rejects.toThrow(/403/);
    expect(await remote.revParse('read-only', 'main')).toBe(repo.sha);
  });

  it('answers 404 for a repository that does not exist', async () => {
    await expect(runGit(['ls-remote', remote.url('missing')])).rejects.toThrow(/not found|404/i);
  });

  it('rejects repository names that could escape the root', () => {
    expect(() => remote.url('../etc')).toThrow(/Invalid repository name/);
  });
});

describe.skipIf(!git.available)('git remote push faults', () => {
  let remote: GitRemote;
  beforeAll(async () => {
    remote = await startGitRemote();
  });
  afterAll(async () => {
    await remote.close();
  });

  it('drops the next push once: git push fails, the ref is unchanged, and a retry succeeds', async () => {
    const repo = await remote.createBareRepo('flaky');
    const dir = await clone(repo.url);
    const sha = await commitFile(dir, 'a.txt', 'a\n');
    remote.failNextPush();

    const first = await runGit(['push', 'origin', 'main'], { cwd: dir }).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(GitCommandError);
    expect(await remote.revParse('flaky', 'main')).toBe(repo.sha);
    expect(remote.calls.at(-1)).toMatchObject({ service: 'git-receive-pack', status: 'dropped' });

    await runGit(['push', 'origin', 'main'], { cwd: dir });
    expect(await remote.revParse('flaky', 'main')).toBe(sha);
  });

  it('drops mid-body with afterBytes: the server read part of the pack, and nothing changed', async () => {
    const repo = await remote.createBareRepo('flaky-bytes');
    const dir = await clone(repo.url);
    // Incompressible content, so the pack is far larger than afterBytes.
    await commitFile(dir, 'big.txt', randomBytes(30_000).toString('hex'));
    remote.failNextPush({ afterBytes: 100 });
    await expect(runGit(['push', 'origin', 'main'], { cwd: dir })).rejects.toBeInstanceOf(GitCommandError);
    expect(await remote.revParse('flaky-bytes', 'main')).toBe(repo.sha);
    const drops = remote.calls.filter((call) => call.path === '/flaky-bytes.git/git-receive-pack');
    expect(drops[0]?.bodyBytesBeforeDrop).toBeGreaterThanOrEqual(100);
    expect(drops[0]?.bodyBytesBeforeDrop).toBeLessThan(60_000);
    await runGit(['push', 'origin', 'main'], { cwd: dir });
    expect(await remote.revParse('flaky-bytes', 'main')).not.toBe(repo.sha);
  });

  it('afterUpdate: the push lands but the client sees a failure; re-pushing is a no-op', async () => {
    const repo = await remote.createBareRepo('ambiguous');
    const dir = await clone(repo.url);
    const sha = await commitFile(dir, 'a.txt', 'a\n');
    remote.failNextPush({ afterUpdate: true });
    await expect(runGit(['push', 'origin', 'main'], { cwd: dir })).rejects.toBeInstanceOf(GitCommandError);
    expect(await remote.revParse('ambiguous', 'main')).toBe(sha);
    await runGit(['push', 'origin', 'main'], { cwd: dir });
    expect(await remote.revParse('ambiguous', 'main')).toBe(sha);
  });
});

describe.skipIf(!git.available)('git remote with a required token', () => {
  const token = 'ghs_testtoken_0123456789';
  let remote: GitRemote;
  let url: string;
  beforeAll(async () => {
    remote = await startGitRemote({ token });
    url = (await remote.createBareRepo('secured')).url;
  });
  afterAll(async () => {
    await remote.close();
  });
  afterEach(() => {
    // every call in the log is token-free by construction; check it stays that way
    expect(JSON.stringify(remote.calls)).not.toContain(token);
  });

  it('rejects a clone without credentials (401, no prompt)', async () => {
    const error = await runGit(['ls-remote', url]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as GitCommandError).stderr).toMatch(/could not read Username|Authentication failed/);
    expect(remote.calls.at(-1)).toMatchObject({ status: 401, authorized: false });
  });

  it('rejects a wrong token', async () => {
    const header = basicAuthHeader('not-the-token');
    await expect(runGit(['-c', `http.extraHeader=${header}`, 'ls-remote', url])).rejects.toThrow(
      /Authentication failed|could not read Username/,
    );
  });

  it('accepts the token as an extra header, clones and pushes, and never stores it in the clone', async () => {
    const dir = join(await scratchDir(), 'clone');
    // GIT_CONFIG_COUNT keeps the header out of argv and out of .git/config.
    const env = {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: basicAuthHeader(token),
    };
    await runGit(['clone', '--quiet', url, dir], { env });
    const sha = await commitFile(dir, 'b.txt', 'b\n');
    await runGit(['push', '--quiet', 'origin', 'main'], { cwd: dir, env });
    expect(await remote.revParse('secured', 'main')).toBe(sha);

    expect(await readFile(join(dir, '.git/config'), 'utf8')).not.toContain(token);
    expect(remote.calls.filter((call) => call.authorized).length).toBeGreaterThanOrEqual(4);
    await expect(runGit(['fetch', 'origin'], { cwd: dir })).rejects.toThrow(/could not read Username/);
  });
});

describe.skipIf(!git.available)('git remote lifecycle', () => {
  it('close() stops the server and removes the root it created', async () => {
    const remote = await startGitRemote();
    await remote.createBareRepo('gone');
    const { root, baseUrl } = remote;
    expect(existsSync(join(root, 'gone.git'))).toBe(true);
    await remote.close();
    expect(existsSync(root)).toBe(false);
    await expect(fetch(`${baseUrl}/gone.git/info/refs?service=git-upload-pack`)).rejects.toThrow();
  });
});
