/**
 * A platform repository for the promotion bot's tests: the example project's matrix (src/matrix,
 * src/apps, src/environments with its pins) plus a generated/ synthed from it, pushed to a real git
 * remote over smart HTTP, with a fake GitHub whose refs follow that remote. The bot runs against a
 * clone through its real adapters (simple-git, Octokit); the token is checked on every request.
 */
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { loadMatrix } from '../../src/matrix/load.ts';
import type { Pin } from '../../src/matrix/types.ts';
import { synth } from '../../src/output/synth.ts';
import { runPromotion, type ApplyOptions } from '../../src/promote/run.ts';
import { GitRepository } from '../../src/promote/scm/git.ts';
import { GitHubCodeHost } from '../../src/promote/scm/github.ts';
import { github as githubPlugin } from '../../src/promote/scm/github-plugin.ts';
import { composeScm, type Scm } from '../../src/promote/scm/scm.ts';
import { fastPluginOptions, startFakeGitHub, type FakeGitHub } from '../support/fake-github.ts';
import { basicAuthHeader, gitEnv, runGit, startGitRemote, type GitRemote } from '../support/git-remote.ts';
import { projectRoot } from '../support/tools.ts';

export const REPO = 'acme/platform';

/** A pins file as JSON (tests read them off branches). */
export interface PinsJson {
  readonly $schema?: string;
  readonly apps: Record<string, Pin>;
  readonly waves?: Record<string, Record<string, Pin>>;
}
export const pinsJson = (text: string): PinsJson => JSON.parse(text) as PinsJson;
/** A Wednesday, far from the weekend freeze of the example's prod. */
export const NOW = new Date('2025-03-05T10:00:00Z');
export const hours = (n: number): number => n * 3_600_000;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** The example project's matrix and pins, plus generated/, as a file map. */
async function platformFiles(): Promise<Record<string, string>> {
  const seed = await mkdtemp(join(tmpdir(), 'envmatrix-platform-seed-'));
  try {
    for (const dir of ['src/matrix', 'src/apps', 'src/environments'])
      await cp(join(projectRoot, dir), join(seed, dir), { recursive: true });
    const { resolved } = await loadMatrix({ root: seed });
    await synth(resolved, { outDir: join(seed, 'generated') });
    // A platform repository has a package.json; `"type": "module"` makes node (and tsx, in the CLI)
    // load the matrix module as ESM, as in the project itself.
    await writeFile(
      join(seed, 'package.json'),
      '{ "name": "platform", "private": true, "type": "module" }\n',
    );
    const files: Record<string, string> = {};
    for (const file of await listFiles(seed)) files[file] = await readFile(join(seed, file), 'utf8');
    return files;
  } finally {
    await rm(seed, { recursive: true, force: true });
  }
}

let seedFiles: Promise<Record<string, string>> | undefined;

export interface Workbench {
  readonly token: string;
  readonly remote: GitRemote;
  readonly github: FakeGitHub;
  /** The clone the bot runs in. */
  readonly clone: string;
  /** SHA of the seeded main commit (dated 2024-01-01). */
  readonly seedSha: string;
  readonly scm: Scm;
  /** Run the bot (defaults: the clone, NOW, the real adapters). */
  promote(options?: Partial<ApplyOptions>): ReturnType<typeof runPromotion>;
  /** Commit files on main from a scratch clone at `date` and push; the new main SHA. */
  commitToMain(files: Record<string, string>, message: string, date: Date): Promise<string>;
  /** Merge a bot branch into main with a merge commit at `date` (as GitHub's merge button); the merge SHA. */
  mergeBranch(branch: string, number: number, date: Date): Promise<string>;
  /** A human commits on a branch (not the bot: no trailers); the new head SHA. */
  commitOnBranch(branch: string, files: Record<string, string>): Promise<string>;
  /** A reviewer closes PR `number` without merging it. */
  closePullRequest(number: number): Promise<void>;
  /** Read a file on a remote branch. */
  show(ref: string, path: string): Promise<string>;
  close(): Promise<void>;
}

export async function createWorkbench(options: { token?: string } = {}): Promise<Workbench> {
  const token = options.token ?? 'ghs_workbenchTOKEN0123456789abcdefABCDEF';
  const scratch = await mkdtemp(join(tmpdir(), 'envmatrix-bot-'));
  const remote = await startGitRemote({ token });
  const repo = await remote.createBareRepo(REPO, { initialFiles: await (seedFiles ??= platformFiles()) });
  const github = await startFakeGitHub({
    repos: [{ fullName: REPO, teams: ['sre', 'security'] }],
    token,
    resolveRef: (_repo, ref) => remote.revParse(REPO, ref),
  });
  const auth = {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: basicAuthHeader(token),
  };
  const clone = join(scratch, 'clone');
  await runGit(['clone', '--quiet', repo.url, clone], { env: auth });
  const scm = composeScm(
    await GitRepository.open({
      dir: clone,
      credentials: githubPlugin.gitCredentials(token),
      credentialsHint: githubPlugin.messages.credentialsHint,
      env: gitEnv(),
      retryDelayMs: 10,
    }),
    new GitHubCodeHost({ repository: REPO, token, apiUrl: github.baseUrl, ...fastPluginOptions() }),
  );
  let scratchClones = 0;
  const workClone = async (): Promise<string> => {
    const dir = join(scratch, `work-${scratchClones++}`);
    await runGit(['clone', '--quiet', repo.url, dir], { env: auth });
    return dir;
  };
  const dated = (date: Date) => ({
    ...auth,
    GIT_AUTHOR_DATE: date.toISOString(),
    GIT_COMMITTER_DATE: date.toISOString(),
  });
  return {
    token,
    remote,
    github,
    clone,
    seedSha: repo.sha,
    scm,
    promote: (overrides = {}) =>
      runPromotion({ root: clone, scm, now: NOW, from: 'staging', to: 'prod', ...overrides }),
    async commitToMain(files, message, date) {
      const dir = await workClone();
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), content);
      }
      await runGit(['add', '--all'], { cwd: dir });
      await runGit(['commit', '--quiet', '-m', message], { cwd: dir, env: dated(date) });
      await runGit(['push', '--quiet', 'origin', 'HEAD:main'], { cwd: dir, env: auth });
      return (await runGit(['rev-parse', 'HEAD'], { cwd: dir })).trim();
    },
    async mergeBranch(branch, number, date) {
      const dir = await workClone();
      await runGit(['fetch', '--quiet', 'origin', branch], { cwd: dir, env: auth });
      await runGit(
        ['merge', '--quiet', '--no-ff', '-m', `Merge pull request #${number} from ${branch}`, 'FETCH_HEAD'],
        {
          cwd: dir,
          env: dated(date),
        },
      );
      await runGit(['push', '--quiet', 'origin', 'HEAD:main'], { cwd: dir, env: auth });
      const sha = (await runGit(['rev-parse', 'HEAD'], { cwd: dir })).trim();
      await github.mergePullRequest(number, sha);
      return sha;
    },
    async commitOnBranch(branch, files) {
      const dir = await workClone();
      await runGit(['fetch', '--quiet', 'origin', branch], { cwd: dir, env: auth });
      await runGit(['checkout', '--quiet', 'FETCH_HEAD'], { cwd: dir });
      for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content);
      await runGit(['add', '--all'], { cwd: dir });
      await runGit(['commit', '--quiet', '-m', 'A human edit'], { cwd: dir, env: auth });
      await runGit(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], { cwd: dir, env: auth });
      return (await runGit(['rev-parse', 'HEAD'], { cwd: dir })).trim();
    },
    async closePullRequest(number) {
      const response = await fetch(`${github.baseUrl}/repos/${REPO}/pulls/${number}`, {
        method: 'PATCH',
        headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'closed' }),
      });
      if (!response.ok) throw new Error(`closing #${number}: ${response.status}`);
    },
    show: (ref, path) => runGit(['show', `${ref}:${path}`], { cwd: repo.dir }),
    async close() {
      await github.close();
      await remote.close();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
