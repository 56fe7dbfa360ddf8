/**
 * A real git remote on 127.0.0.1 over smart HTTP: a small Node `http` server in front of
 * `git http-backend` (CGI), so tests clone, fetch and push with the real `git` binary and simple-git
 * exactly as the promotion bot does against GitHub.
 *
 * Extras for the bot's tests:
 * - optional basic-auth token check (the password must equal the token), to prove the bot sends its
 *   token on the wire (as `http.extraHeader`) rather than writing it into `.git/config`;
 * - `failNextPush()`, which drops the connection of the next receive-pack POST once, to test retry;
 * - a call log (method, path, service, status), never holding the token.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Fixed identity and dates so seeded commits have the same SHA on every run and machine. */
const SEED_IDENTITY = {
  GIT_AUTHOR_NAME: 'envmatrix test',
  GIT_AUTHOR_EMAIL: 'test@envmatrix.invalid',
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'envmatrix test',
  GIT_COMMITTER_EMAIL: 'test@envmatrix.invalid',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
} as const;

/**
 * A home folder that does not exist: git then reads no `~/.gitconfig` and curl no `~/.netrc`. Chosen over
 * `GIT_CONFIG_GLOBAL=/dev/null` because simple-git refuses `GIT_CONFIG_GLOBAL` in its environment
 * unless `unsafe.allowUnsafeConfigPaths` is set.
 */
const EMPTY_HOME = join(tmpdir(), 'envmatrix-git-home-intentionally-absent');

const INHERITED_BUT_UNWANTED = new Set(['EDITOR', 'VISUAL', 'PAGER', 'PREFIX', 'SSH_ASKPASS']);

/**
 * Environment for git commands in tests, isolated from the machine running them: no system or global
 * config (credential helpers, `url.insteadOf`, signing), no terminal prompts, and no inherited `GIT_*`
 * variables (a test run from a git hook inherits `GIT_DIR`/`GIT_INDEX_FILE`, which would silently
 * point every nested git command at the outer repository). Safe to hand to simple-git's `.env()`.
 */
export function gitEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // EDITOR/PAGER/PREFIX/SSH_ASKPASS: programs git could start; simple-git also refuses them by default.
    if (!key.startsWith('GIT_') && !INHERITED_BUT_UNWANTED.has(key)) env[key] = value;
  }
  return {
    ...env,
    HOME: EMPTY_HOME,
    XDG_CONFIG_HOME: join(EMPTY_HOME, '.config'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'envmatrix test',
    GIT_AUTHOR_EMAIL: 'test@envmatrix.invalid',
    GIT_COMMITTER_NAME: 'envmatrix test',
    GIT_COMMITTER_EMAIL: 'test@envmatrix.invalid',
    ...extra,
  };
}

/** Error from {@link runGit}, carrying git's stderr (where git reports why it failed). */
export class GitCommandError extends Error {
  override readonly name = 'GitCommandError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim()}`);
  }
}

/** Run `git` with {@link gitEnv}; resolves to stdout, rejects with {@link GitCommandError}. */
export function runGit(
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: Readonly<Record<string, string>> } = {},
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'git',
      [...args],
      { cwd: options.cwd, env: gitEnv(options.env), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const code = typeof error.code === 'number' ? error.code : null;
          reject(new GitCommandError(args, code, stderr));
        } else {
          resolvePromise(stdout);
        }
      },
    );
  });
}

export interface CreateBareRepoOptions {
  /** Files of the initial commit, by repository-relative path. @default `{ 'README.md': '# <name>\n' }` */
  readonly initialFiles?: Readonly<Record<string, string>>;
  /** Branch of the initial commit, also the bare repository's HEAD. @default 'main' */
  readonly branch?: string;
  /** Allow pushes over HTTP (`http.receivepack`); set explicitly so it does not depend on auth. @default true */
  readonly receivePack?: boolean;
}

export interface BareRepo {
  /** Absolute path of the bare repository (`<root>/<name>.git`). */
  readonly dir: string;
  /** SHA of the seeded initial commit. */
  readonly sha: string;
}

const REPO_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)?$/;

function repoDir(root: string, name: string): string {
  if (!REPO_NAME.test(name) || name.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`Invalid repository name ${JSON.stringify(name)}: use "name" or "owner/name".`);
  }
  return join(root, `${name}.git`);
}

/**
 * Create `<root>/<name>.git` as a bare repository whose `branch` holds one commit with `initialFiles`.
 * The commit is made in a scratch work tree and pushed, as a user would seed a new remote.
 */
export async function createBareRepo(
  root: string,
  name: string,
  options: CreateBareRepoOptions = {},
): Promise<BareRepo> {
  const branch = options.branch ?? 'main';
  const files = options.initialFiles ?? { 'README.md': `# ${name}\n` };
  const dir = repoDir(root, name);
  await mkdir(dirname(dir), { recursive: true });
  await runGit(['init', '--quiet', '--bare', `--initial-branch=${branch}`, dir]);
  await runGit(['config', 'http.receivepack', String(options.receivePack ?? true)], { cwd: dir });

  const work = await mkdtemp(join(tmpdir(), 'envmatrix-seed-'));
  try {
    await runGit(['init', '--quiet', `--initial-branch=${branch}`, work]);
    for (const [path, content] of Object.entries(files)) {
      const target = resolve(work, path);
      if (!target.startsWith(work + '/')) throw new Error(`initialFiles path escapes the repo: ${path}`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    await runGit(['add', '--all'], { cwd: work });
    await runGit(['commit', '--quiet', '--allow-empty', '-m', 'Initial commit'], {
      cwd: work,
      env: SEED_IDENTITY,
    });
    await runGit(['push', '--quiet', dir, `HEAD:refs/heads/${branch}`], { cwd: work });
    const sha = (await runGit(['rev-parse', 'HEAD'], { cwd: work })).trim();
    return { dir, sha };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface GitRemoteOptions {
  /** Require HTTP basic auth whose password is this token; anything else gets 401. @default no auth */
  readonly token?: string;
  /** With `token`, also require this user name (GitHub accepts any; `x-access-token` is customary). */
  readonly username?: string;
  /** Folder for the bare repositories. @default a new temp folder, removed by `close()` */
  readonly root?: string;
}

export interface PushFault {
  /**
   * Drop the connection once this many bytes of the push request body have arrived (or at its end,
   * whichever comes first); git http-backend never runs, so no ref changes. Every further POST of the
   * same `git push` is dropped too (curl resends once on its own), so exactly one `git push` fails.
   * @default 0
   */
  readonly afterBytes?: number;
  /**
   * Instead, let the push complete on the server (refs updated) and then drop the connection before
   * any response: the ambiguous failure a retrying client must treat as "maybe done".
   * @default false
   */
  readonly afterUpdate?: boolean;
}

export interface GitRemoteCall {
  readonly method: string;
  /** The request path, e.g. `/platform.git/info/refs`. */
  readonly path: string;
  /** `git-upload-pack` (clone/fetch) or `git-receive-pack` (push), when the request names one. */
  readonly service: 'git-upload-pack' | 'git-receive-pack' | undefined;
  /** HTTP status sent, or `'dropped'` when a fault closed the connection. */
  readonly status: number | 'dropped';
  /** Whether the request carried credentials that passed the token check (always true without auth). */
  readonly authorized: boolean;
  /** For a dropped push: how many request body bytes had arrived when the connection was cut. */
  readonly bodyBytesBeforeDrop?: number;
}

export interface GitRemote {
  /** Folder holding the bare repositories. */
  readonly root: string;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** Clone URL of a repository: `http://127.0.0.1:<port>/<name>.git` (never with credentials in it). */
  url(name: string): string;
  /** {@link createBareRepo} under this remote's root; also returns the clone URL. */
  createBareRepo(name: string, options?: CreateBareRepoOptions): Promise<BareRepo & { readonly url: string }>;
  /** SHA that `ref` (branch, tag or SHA) names in repository `name`, or undefined if it names nothing. */
  revParse(name: string, ref: string): Promise<string | undefined>;
  /** Make the next receive-pack POST (the data phase of `git push`) fail once; see {@link PushFault}. */
  failNextPush(fault?: PushFault): void;
  /** Every request so far, oldest first. */
  readonly calls: readonly GitRemoteCall[];
  /** Stop the server, kill any running http-backend and remove the root if this remote created it. */
  close(): Promise<void>;
}

/** Header for `git -c http.extraHeader=...`: how the bot (like actions/checkout) sends a token. */
export function basicAuthHeader(token: string, username = 'x-access-token'): string {
  return `Authorization: Basic ${Buffer.from(`${username}:${token}`).toString('base64')}`;
}

function serviceOf(path: string, query: URLSearchParams): GitRemoteCall['service'] {
  const named = query.get('service') ?? path.slice(path.lastIndexOf('/') + 1);
  return named === 'git-upload-pack' || named === 'git-receive-pack' ? named : undefined;
}

function checkAuth(req: IncomingMessage, options: GitRemoteOptions): { ok: boolean; user?: string } {
  if (options.token === undefined) return { ok: true };
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return { ok: false };
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { ok: false };
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const ok = password === options.token && (options.username === undefined || user === options.username);
  return ok ? { ok, user } : { ok };
}

/**
 * The CGI environment for one request (RFC 3875). Request headers become `HTTP_*`, which is how
 * http-backend learns `Git-Protocol` (protocol v2) and `Content-Encoding: gzip`. The Authorization
 * header is deliberately not passed on, as CGI servers do: the backend only sees REMOTE_USER.
 */
function cgiEnv(root: string, req: IncomingMessage, url: URL, user: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...gitEnv(),
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
  };
  // Only when present: without CONTENT_LENGTH http-backend reads the (chunked) body to EOF.
  if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
  if (user !== undefined) env.REMOTE_USER = user;
  for (const [name, value] of Object.entries(req.headers)) {
    if (['authorization', 'content-type', 'content-length'].includes(name) || value === undefined) continue;
    env[`HTTP_${name.toUpperCase().replace(/-/g, '_')}`] = Array.isArray(value) ? value.join(', ') : value;
  }
  return env;
}

/** Split CGI output into status, headers and the start of the body. */
function parseCgiHead(
  buffered: Buffer,
): { status: number; headers: [string, string][]; rest: Buffer } | undefined {
  const crlf = buffered.indexOf('\r\n\r\n');
  const lf = buffered.indexOf('\n\n');
  const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
  if (end < 0) return undefined;
  const separatorLength = end === crlf ? 4 : 2;
  const headers: [string, string][] = [];
  let status = 200;
  for (const line of buffered.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers.push([name, value]);
  }
  return { status, headers, rest: buffered.subarray(end + separatorLength) };
}

/** Start a smart-HTTP git remote on 127.0.0.1 (a free port). Always `close()` it, e.g. in `afterAll`. */
export async function startGitRemote(options: GitRemoteOptions = {}): Promise<GitRemote> {
  const ownsRoot = options.root === undefined;
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'envmatrix-remote-')));
  const children = new Set<ChildProcess>();
  const calls: GitRemoteCall[] = [];
  const pushFaults: PushFault[] = [];
  /** Repository path (`/name.git`) whose current push attempt is being failed, if any. */
  let failingPush: string | undefined;

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const service = serviceOf(url.pathname, url.searchParams);
    const auth = checkAuth(req, options);
    const record = (status: GitRemoteCall['status']): void => {
      calls.push({ method, path: url.pathname, service, status, authorized: auth.ok });
    };
    const recordDrop = (bodyBytesBeforeDrop: number): void => {
      calls.push({
        method,
        path: url.pathname,
        service,
        status: 'dropped',
        authorized: auth.ok,
        bodyBytesBeforeDrop,
      });
    };

    if (!auth.ok) {
      record(401);
      req.resume();
      res.writeHead(401, {
        'WWW-Authenticate': 'Basic realm="envmatrix-test"',
        'Content-Type': 'text/plain',
      });
      res.end('Authentication required\n');
      return;
    }

    const repoPath = url.pathname.replace(/\/(info\/refs|git-receive-pack|git-upload-pack)$/, '');
    if (method === 'GET' && service === 'git-receive-pack' && failingPush === repoPath) {
      failingPush = undefined; // a new `git push` starts with this request: the injected failure is over
    }
    const isPushData = method === 'POST' && service === 'git-receive-pack';
    if (isPushData && failingPush === repoPath) {
      // curl silently resends a request whose reused connection died before any response, so one
      // injected failure must cover every POST of the same `git push`, or git would never see it.
      dropAfterBytes(req, 0, recordDrop);
      return;
    }
    const fault = isPushData ? pushFaults.shift() : undefined;
    if (fault) failingPush = repoPath;
    if (fault && !fault.afterUpdate) {
      dropAfterBytes(req, fault.afterBytes ?? 0, recordDrop);
      return;
    }

    const child = spawn('git', ['http-backend'], {
      env: cgiEnv(root, req, url, auth.user),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The client going away mid-request must not leave http-backend running.
    res.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.stdin.on('error', () => {
      /* the backend may exit before reading the whole body (e.g. 403); its response says why */
    });
    req.pipe(child.stdin);

    let head: Buffer = Buffer.alloc(0);
    let headerSent = false;
    let status = 500;
    child.stdout.on('data', (chunk: Buffer) => {
      if (fault) return; // afterUpdate: swallow the response, the connection is dropped on exit
      if (headerSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const parsed = parseCgiHead(head);
      if (!parsed) return;
      headerSent = true;
      status = parsed.status;
      res.writeHead(parsed.status, parsed.headers);
      if (parsed.rest.length > 0) res.write(parsed.rest);
    });
    // 'error' (spawn failure) and 'close' can both fire; answer once.
    let answered = false;
    child.on('error', (error) => {
      children.delete(child);
      if (answered) return;
      answered = true;
      record(500);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`git http-backend failed to start: ${error.message}\n`);
    });
    child.on('close', (code) => {
      children.delete(child);
      if (answered) return;
      answered = true;
      if (fault) {
        record('dropped');
        req.socket.destroy();
        return;
      }
      if (!headerSent) {
        record(500);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`git http-backend exited ${code} without a response: ${stderr}\n`);
        return;
      }
      record(status);
      res.end();
    });
  }

  const server = createServer(handle);
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;

  return {
    root,
    baseUrl,
    calls,
    url: (name) => {
      repoDir(root, name); // validates the name
      return `${baseUrl}/${name}.git`;
    },
    async createBareRepo(name, repoOptions) {
      const repo = await createBareRepo(root, name, repoOptions);
      return { ...repo, url: `${baseUrl}/${name}.git` };
    },
    async revParse(name, ref) {
      if (ref.startsWith('-')) return undefined; // never let a ref be read as an option
      try {
        const out = await runGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
          cwd: repoDir(root, name),
        });
        return out.trim() || undefined;
      } catch {
        return undefined;
      }
    },
    failNextPush(fault = {}) {
      pushFaults.push(fault);
    },
    async close() {
      const exits = [...children].map(
        (child) =>
          new Promise<void>((resolvePromise) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
            child.once('close', () => resolvePromise());
            child.kill('SIGKILL');
          }),
      );
      const closed = new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      server.closeAllConnections();
      await Promise.all([closed, ...exits]);
      if (ownsRoot) await rm(root, { recursive: true, force: true });
    },
  };
}

/** Read up to `afterBytes` of the request body, then destroy the socket without a response. */
function dropAfterBytes(req: IncomingMessage, afterBytes: number, onDrop: (received: number) => void): void {
  let received = 0;
  let dropped = false;
  const drop = (): void => {
    if (dropped) return;
    dropped = true;
    onDrop(received);
    req.socket.destroy();
  };
  if (afterBytes <= 0) return drop();
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received >= afterBytes) drop();
  });
  req.on('end', drop);
}
