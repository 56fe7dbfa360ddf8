/**
 * The git half of the Scm: a clone of the platform repository driven with simple-git.
 *
 * Credentials: the token is handed to git per command through the environment (`GIT_CONFIG_COUNT`,
 * `GIT_CONFIG_KEY_n=http.<origin>/.extraheader`), never on the command line (visible in `ps`) and never
 * in a remote URL or `.git/config` on disk. Edits happen in a git worktree under the repository's git
 * directory, so the user's checkout is never touched, and node resolves the matrix module's imports
 * from the project's node_modules as usual.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { GitOperationError, refusalRule, type ScmErrorKind } from './errors.ts';
import { basicAuthorization, credentialSecrets, redact, type GitCredentials } from './secrets.ts';
import type { PinsRevision } from './scm.ts';
import type { BranchHead, CommitIdentity, GitOperations, Workspace } from './scm.ts';

export const BOT_BRANCHES = 'envmatrix/promote';

export interface GitRepositoryOptions {
  /** A clone of the platform repository (the user's checkout, or CI's). */
  readonly dir: string;
  /** @default 'origin' */
  readonly remote?: string;
  /** Sent to the remote as a basic-auth header, as actions/checkout does; the code host says which user. */
  readonly credentials?: GitCredentials;
  /**
   * Where the user fixes the credentials, for messages. @default 'the token'
   * (the code host names its variable, e.g. 'the token (GITHUB_TOKEN)').
   */
  readonly credentialsHint?: string;
  /** Environment for git. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Tries for a fetch or push that fails in transport (dropped connection, 5xx). @default 3 */
  readonly attempts?: number;
  /** Wait before the first retry, doubled after each. @default 500 */
  readonly retryDelayMs?: number;
}

/** Variables git would run programs from or read config paths from; kept only when the caller set them. */
const UNSAFE = {
  allowUnsafeConfigEnvCount: true,
  allowUnsafeConfigPaths: true,
  allowUnsafeAskPass: true,
  allowUnsafeSshCommand: true,
  allowUnsafeEditor: true,
  allowUnsafePager: true,
} as const;

/** The ref moved under the push (lease or fast-forward), or the server lost a race to lock it. */
const CONFLICT =
  /\[rejected\]|stale info|non-fast-forward|fetch first|cannot lock ref|incorrect old value|failed to update ref/i;
/** The server declined the update itself: a hook, a protected branch, a permission (GitHub: GH006). */
const REFUSED = /\[remote rejected\]|hook declined|protected branch|GH006|GH013/i;
const AUTH =
  /authentication failed|could not read username|terminal prompts disabled|\b40[13]\b|permission denied|access denied/i;

/** A git failure's neutral kind, from what git printed. */
export function classifyGitFailure(detail: string): ScmErrorKind {
  if (CONFLICT.test(detail)) return 'conflict';
  if (REFUSED.test(detail)) return 'refused';
  if (AUTH.test(detail)) return 'auth';
  return 'network';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether process `pid` is running (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user. Only ESRCH says it is gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

export class GitRepository implements GitOperations {
  /** Worktrees this process opened and has not closed: removed on SIGINT/SIGTERM (closeAllSync). */
  private readonly openDirs = new Set<string>();

  private constructor(
    private readonly options: GitRepositoryOptions,
    private readonly remote: string,
    private readonly remoteUrl: string,
    private readonly gitDir: string,
  ) {}

  /** Open a clone; reads the remote URL (to scope the auth header) and the git directory. */
  static async open(options: GitRepositoryOptions): Promise<GitRepository> {
    const remote = options.remote ?? 'origin';
    const git = simpleGit({ baseDir: options.dir, unsafe: UNSAFE }).env(baseEnv(options.env));
    try {
      const remoteUrl = ((await git.remote(['get-url', remote]).catch(() => '')) || '').trim();
      const common = (await git.raw(['rev-parse', '--git-common-dir'])).trim();
      const repository = new GitRepository(
        options,
        remote,
        remoteUrl,
        isAbsolute(common) ? common : join(options.dir, common),
      );
      await repository.pruneStaleWorkspaces();
      return repository;
    } catch (error) {
      throw new GitOperationError(
        'open',
        redact(message(error), credentialSecrets(options.credentials)),
        `run the bot in a clone of the platform repository with a remote named ${remote}`,
        'invalid-input',
      );
    }
  }

  private git(dir = this.options.dir, network = false, extra: NodeJS.ProcessEnv = {}): SimpleGit {
    return simpleGit({ baseDir: dir, unsafe: UNSAFE }).env({ ...this.env(network), ...extra });
  }

  private env(network: boolean): NodeJS.ProcessEnv {
    const env = baseEnv(this.options.env);
    if (!network || !this.options.credentials) return env;
    const match = /^(https?:\/\/[^/]+)\//.exec(this.remoteUrl);
    if (!match) return env;
    const index = Number(env.GIT_CONFIG_COUNT ?? 0) || 0;
    return {
      ...env,
      GIT_CONFIG_COUNT: String(index + 1),
      [`GIT_CONFIG_KEY_${index}`]: `http.${match[1]}/.extraheader`,
      [`GIT_CONFIG_VALUE_${index}`]: basicAuthorization(this.options.credentials),
    };
  }

  private fail(operation: string, error: unknown, fix?: string): GitOperationError {
    const detail = redact(message(error), credentialSecrets(this.options.credentials));
    const kind = classifyGitFailure(detail);
    const hint = this.options.credentialsHint ?? 'the token';
    return new GitOperationError(
      operation,
      detail,
      fix ??
        (kind === 'conflict'
          ? 'someone else updated the branch at the same time; run again (the bot starts from what is there now)'
          : kind === 'refused'
            ? `the remote refused the push${refusalRule(detail) ? ` (${refusalRule(detail)})` : ' (a protected branch or a pre-receive hook)'}; a rerun will not change that: lift the rule for the bot or push where it allows`
            : kind === 'auth'
              ? `check ${hint}: it needs contents: write on the repository`
              : 'check the network and the remote, then run again; a rerun picks up where this one stopped'),
      kind,
    );
  }

  /** Run a network operation, retrying transport failures; `landed` says whether a failed try took effect. */
  private async withRetry(
    operation: string,
    run: () => Promise<unknown>,
    landed?: () => Promise<boolean>,
  ): Promise<void> {
    const attempts = this.options.attempts ?? 3;
    let delay = this.options.retryDelayMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        await run();
        return;
      } catch (error) {
        const failure = this.fail(operation, error);
        // Only transport failures are worth another try; a rerun cannot change a refusal or a race.
        if (failure.kind !== 'network') throw failure;
        if (landed && (await landed().catch(() => false))) return;
        if (attempt >= attempts) throw failure;
        await sleep(delay);
        delay *= 2;
      }
    }
  }

  async fetch(base: string): Promise<{ base: string; branches: Map<string, BranchHead> }> {
    const remote = this.remote;
    await this.withRetry('fetch', () =>
      this.git(undefined, true).raw([
        'fetch',
        '--quiet',
        '--prune',
        '--no-tags',
        remote,
        `+refs/heads/${base}:refs/remotes/${remote}/${base}`,
        `+refs/heads/${BOT_BRANCHES}/*:refs/remotes/${remote}/${BOT_BRANCHES}/*`,
      ]),
    );
    const git = this.git();
    const baseSha = (
      await git.raw(['rev-parse', '--verify', `refs/remotes/${remote}/${base}^{commit}`])
    ).trim();
    return { base: baseSha, branches: await this.remoteHeads() };
  }

  private async remoteHeads(): Promise<Map<string, BranchHead>> {
    const prefix = `refs/remotes/${this.remote}/`;
    const out = await this.git().raw([
      'for-each-ref',
      '--format=%(refname)%00%(objectname)%00%(tree)%00%(parent)%00%(contents)%1e',
      `${prefix}${BOT_BRANCHES}/`,
    ]);
    const heads = new Map<string, BranchHead>();
    for (const record of out.split('\x1e')) {
      const [ref, sha, tree, parents, contents] = record.replace(/^\n/, '').split('\0');
      if (!ref || !sha || !tree) continue;
      heads.set(ref.slice(prefix.length), {
        sha,
        tree,
        parents: (parents ?? '').split(' ').filter(Boolean),
        message: contents ?? '',
      });
    }
    return heads;
  }

  /** The checkout's HEAD commit (a dry run's evaluation point, for the PR body); local, no network. */
  async head(): Promise<string> {
    return (await this.git().revparse(['HEAD'])).trim();
  }

  async history(ref: string, paths: readonly string[], limit: number): Promise<Map<string, PinsRevision[]>> {
    const result = new Map<string, PinsRevision[]>(paths.map((p) => [p, []]));
    let log: string;
    try {
      log = await this.git().raw([
        'log',
        '--first-parent',
        `--max-count=${limit * paths.length}`,
        '--format=%x1e%H%x1f%cI',
        '--raw',
        '--no-abbrev',
        '--no-renames',
        ref,
        '--',
        ...paths,
      ]);
    } catch {
      return result; // no commits yet (or not a repository): no history
    }
    const blobs = new Set<string>();
    const entries: { sha: string; at: string; path: string; blob: string | undefined }[] = [];
    for (const record of log.split('\x1e')) {
      const [header, ...lines] = record.trim().split('\n');
      if (!header) continue;
      const [sha, at] = header.split('\x1f');
      if (!sha || !at) continue;
      for (const line of lines) {
        const match = /^:\d+ \d+ [0-9a-f]+ ([0-9a-f]+) \w+\t(.+)$/.exec(line.trim());
        if (!match || !paths.includes(match[2]!)) continue;
        const blob = /^0+$/.test(match[1]!) ? undefined : match[1]!;
        if (blob) blobs.add(blob);
        entries.push({ sha, at: new Date(at).toISOString(), path: match[2]!, blob });
      }
    }
    const contents = await this.readBlobs([...blobs]);
    for (const entry of entries) {
      const list = result.get(entry.path)!;
      if (list.length >= limit) continue;
      list.push({ sha: entry.sha, at: entry.at, text: entry.blob ? contents.get(entry.blob) : undefined });
    }
    return result;
  }

  /** Blob contents by id, in one `git cat-file --batch`. */
  private readBlobs(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return Promise.resolve(new Map<string, string>());
    return new Promise((resolve, reject) => {
      const child = spawn('git', ['cat-file', '--batch'], { cwd: this.options.dir, env: this.env(false) });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0)
          return reject(new GitOperationError('cat-file', `exited ${code}`, 'check the repository'));
        const out = Buffer.concat(chunks);
        const map = new Map<string, string>();
        let offset = 0;
        while (offset < out.length) {
          const newline = out.indexOf(0x0a, offset);
          if (newline < 0) break;
          const [id, type, size] = out.subarray(offset, newline).toString('utf8').split(' ');
          if (type === 'missing' || size === undefined) {
            offset = newline + 1;
            continue;
          }
          const length = Number(size);
          map.set(id!, out.subarray(newline + 1, newline + 1 + length).toString('utf8'));
          offset = newline + 1 + length + 1;
        }
        resolve(map);
      });
      child.stdin.end(`${ids.join('\n')}\n`);
    });
  }

  private get worktrees(): string {
    return join(this.gitDir, 'envmatrix', 'worktrees');
  }

  /**
   * Remove the worktrees of bot runs that are gone (SIGKILL, a runner that died): each worktree has an
   * `<id>.pid` file naming the process that owns it, written before the worktree exists; a worktree
   * whose process no longer runs, or that has no pid file (left by a version without them), is stale.
   * Worktrees of a bot run still going in the same clone are left alone.
   */
  async pruneStaleWorkspaces(): Promise<string[]> {
    const entries = await readdir(this.worktrees).catch(() => [] as string[]);
    const stale: string[] = [];
    for (const entry of entries) {
      if (entry.endsWith('.pid')) continue;
      const pid = Number(
        (await readFile(join(this.worktrees, `${entry}.pid`), 'utf8').catch(() => '')).trim(),
      );
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) continue;
      stale.push(entry);
      await this.git()
        .raw(['worktree', 'remove', '--force', join(this.worktrees, entry)])
        .catch(() => undefined);
      await rm(join(this.worktrees, entry), { recursive: true, force: true });
      await rm(join(this.worktrees, `${entry}.pid`), { force: true });
    }
    // Orphaned pid files, and git's records of worktrees whose folder is gone.
    for (const entry of entries)
      if (entry.endsWith('.pid') && !entries.includes(entry.slice(0, -4)))
        await rm(join(this.worktrees, entry), { force: true });
    if (stale.length > 0)
      await this.git()
        .raw(['worktree', 'prune'])
        .catch(() => undefined);
    return stale;
  }

  async openWorkspace(commit: string): Promise<Workspace> {
    const parent = this.worktrees;
    await mkdir(parent, { recursive: true });
    const id = randomBytes(6).toString('hex');
    const dir = join(parent, id);
    // Claim it first, so a concurrent run's prune never takes it for stale.
    await writeFile(join(parent, `${id}.pid`), `${process.pid}\n`);
    this.openDirs.add(dir);
    try {
      await this.git().raw(['worktree', 'add', '--quiet', '--detach', dir, commit]);
    } catch (error) {
      this.openDirs.delete(dir);
      await rm(join(parent, `${id}.pid`), { force: true });
      throw this.fail('worktree add', error, 'check that the repository is not locked and has room');
    }
    return { dir, base: commit };
  }

  /**
   * Remove every worktree this process still has, synchronously: for a signal handler, which must
   * finish before the process exits (issue 12: a cancelled workflow left its worktree behind).
   */
  closeAllSync(): void {
    for (const dir of this.openDirs) {
      try {
        execFileSync('git', ['worktree', 'remove', '--force', dir], {
          cwd: this.options.dir,
          env: baseEnv(this.options.env),
          stdio: 'ignore',
        });
      } catch {
        // Half-created or already gone: the folder and git's record are removed below.
      }
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.pid`, { force: true });
    }
    this.openDirs.clear();
    try {
      execFileSync('git', ['worktree', 'prune'], {
        cwd: this.options.dir,
        env: baseEnv(this.options.env),
        stdio: 'ignore',
      });
    } catch {
      // Nothing to prune is not a failure.
    }
  }

  async resetWorkspace(workspace: Workspace): Promise<void> {
    const git = this.git(workspace.dir);
    await git.raw(['reset', '--quiet', '--hard', workspace.base]);
    await git.raw(['clean', '-fdxq']);
  }

  async closeWorkspace(workspace: Workspace): Promise<void> {
    await this.git()
      .raw(['worktree', 'remove', '--force', workspace.dir])
      .catch(() => undefined);
    await this.git()
      .raw(['worktree', 'prune'])
      .catch(() => undefined);
    await rm(`${workspace.dir}.pid`, { force: true });
    this.openDirs.delete(workspace.dir);
  }

  async stageAll(workspace: Workspace): Promise<string> {
    const git = this.git(workspace.dir);
    await git.raw(['add', '--all']);
    return (await git.raw(['write-tree'])).trim();
  }

  async commitTree(
    workspace: Workspace,
    tree: string,
    parent: string,
    message: string,
    identity: CommitIdentity,
    date: Date,
  ): Promise<string> {
    const when = date.toISOString();
    const git = this.git(workspace.dir, false, {
      GIT_AUTHOR_NAME: identity.name,
      GIT_AUTHOR_EMAIL: identity.email,
      GIT_AUTHOR_DATE: when,
      GIT_COMMITTER_NAME: identity.name,
      GIT_COMMITTER_EMAIL: identity.email,
      GIT_COMMITTER_DATE: when,
    });
    try {
      return (await git.raw(['commit-tree', tree, '-p', parent, '-m', message.trimEnd()])).trim();
    } catch (error) {
      throw this.fail('commit-tree', error, 'check the repository');
    }
  }

  /** What the remote says `branch` points at now (one ls-remote), or undefined. */
  private async lsRemote(branch: string): Promise<string | undefined> {
    const out = await this.git(undefined, true).raw(['ls-remote', this.remote, `refs/heads/${branch}`]);
    return out.split('\t')[0]?.trim() || undefined;
  }

  async push(
    branch: string,
    sha: string,
    options: { readonly force: boolean; readonly expected?: string },
  ): Promise<void> {
    const args = ['push', '--quiet', '--no-verify', '--porcelain'];
    if (options.force) args.push(`--force-with-lease=refs/heads/${branch}:${options.expected ?? ''}`);
    args.push(this.remote, `${sha}:refs/heads/${branch}`);
    // A push whose answer was lost may have landed: then the branch already points at `sha`.
    await this.withRetry(
      `push ${branch}`,
      () => this.git(undefined, true).raw(args),
      async () => (await this.lsRemote(branch)) === sha,
    );
  }

  async deleteBranch(branch: string, expected: string): Promise<void> {
    await this.withRetry(
      `delete ${branch}`,
      () =>
        this.git(undefined, true).raw([
          'push',
          '--quiet',
          '--no-verify',
          `--force-with-lease=refs/heads/${branch}:${expected}`,
          this.remote,
          `:refs/heads/${branch}`,
        ]),
      async () => (await this.lsRemote(branch)) === undefined,
    );
  }
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}

/**
 * The environment git runs with: the caller's, minus the variables a promotion never needs and simple-git
 * refuses (editors, pagers), with prompts off so a missing credential fails instead of hanging.
 */
function baseEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (
      !['EDITOR', 'VISUAL', 'PAGER', 'GIT_EDITOR', 'GIT_PAGER', 'GIT_SEQUENCE_EDITOR', 'PREFIX'].includes(key)
    ) {
      out[key] = value;
    }
  }
  return { ...out, GIT_TERMINAL_PROMPT: '0' };
}
