/**
 * A fake GitHub REST API on 127.0.0.1 for the promotion bot's tests. The bot's real Octokit client
 * reaches it through `baseUrl`; responses are typed by `@octokit/openapi-types`, so a field the bot reads
 * that GitHub does not send fails to compile here first.
 *
 * It keeps repositories, pull requests, labels, reviewers, issue comments, commit statuses and check
 * runs in memory; records every call (never the token itself); answers bad input with GitHub's 422
 * shapes; and can fail the next matching call (502, dropped connection, primary or secondary rate
 * limit) so tests prove @octokit/plugin-retry and @octokit/plugin-throttling recover.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RetryOptions } from '@octokit/plugin-retry';
import type { ThrottlingOptions } from '@octokit/plugin-throttling';
import type {
  CheckRunRecord,
  FakeGitHub,
  FakeGitHubOptions,
  Fault,
  FaultMatch,
  PullRequest,
  PullState,
} from './fake-github-types.ts';
import { ApiError, DOCS, faultMatches, matchRoute, notFound, toIso } from './fake-github-routing.ts';
import type { Reply, Route } from './fake-github-routing.ts';
import { createStore } from './fake-github-store.ts';
import { createShapes } from './fake-github-shapes.ts';
import { reposRoutes } from './fake-github-routes-repos.ts';
import { pullsRoutes } from './fake-github-routes-pulls.ts';
import { issuesRoutes } from './fake-github-routes-issues.ts';
import { commitsRoutes } from './fake-github-routes-commits.ts';
export type {
  PullRequest,
  PullRequestSimple,
  IssueComment,
  Label,
  CommitStatus,
  CombinedCommitStatus,
  CheckRun,
  FullRepository,
  RepoSeed,
  FakeGitHubOptions,
  FaultMatch,
  Fault,
  RecordedCall,
  CheckRunSeed,
  StatusSeed,
  FakeGitHub,
} from './fake-github-types.ts';
/** A 403 secondary rate limit as GitHub sends it (message + `retry-after`), for `failNext`. */
export function secondaryRateLimit(options: { retryAfter?: number; status?: 403 | 429 } = {}) {
  return {
    status: options.status ?? 403,
    headers: { 'retry-after': String(options.retryAfter ?? 1), 'x-ratelimit-remaining': '4990' },
    body: {
      message:
        'You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.',
      documentation_url:
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
    },
  } as const satisfies Omit<Fault, keyof FaultMatch>;
}

/** A primary rate limit (remaining 0, reset in `resetInSeconds`), for `failNext`. */
export function primaryRateLimit(options: { resetInSeconds?: number } = {}) {
  const reset = Math.ceil(Date.now() / 1000) + (options.resetInSeconds ?? 1);
  return {
    status: 403,
    headers: {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '5000',
      'x-ratelimit-reset': String(reset),
      'x-ratelimit-resource': 'core',
    },
    body: {
      message: 'API rate limit exceeded for user ID 1.',
      documentation_url:
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-rate-limits',
    },
  } as const satisfies Omit<Fault, keyof FaultMatch>;
}

/**
 * Options for `new (Octokit.plugin(retry, throttling))({ baseUrl, auth, ...fastPluginOptions() })` in
 * tests: the real plugins, with waits scaled down (1 s of `retry-after` becomes 10 ms) and the
 * throttling plugin's spacing of writes removed. Unchanged, the plugin waits 1 s between any two
 * writes and 3 s between notification-triggering writes (create PR, comment, request reviewers), shared
 * process-wide, so a bot test would take many seconds.
 */
export function fastPluginOptions(overrides: { retries?: number; maxRateLimitRetries?: number } = {}): {
  retry: RetryOptions;
  throttle: ThrottlingOptions;
} {
  const maxRetries = overrides.maxRateLimitRetries ?? 2;
  return {
    retry: { retryAfterBaseValue: 10, retries: overrides.retries ?? 3 },
    throttle: {
      id: `envmatrix-test-${randomUUID()}`,
      retryAfterBaseValue: 10,
      write: instantLimiterGroup(),
      notifications: instantLimiterGroup(),
      onRateLimit: (_retryAfter, _options, _octokit, retryCount) => retryCount < maxRetries,
      onSecondaryRateLimit: (_retryAfter, _options, _octokit, retryCount) => retryCount < maxRetries,
    },
  };
}

type LimiterGroup = NonNullable<Extract<ThrottlingOptions, { onRateLimit: unknown }>['write']>;

/**
 * A stand-in for a Bottleneck group that runs jobs at once. The plugin only calls
 * `group.key(id).schedule(options, fn, ...args)`; this avoids importing bottleneck, which is not a
 * direct dependency.
 */
function instantLimiterGroup(): LimiterGroup {
  const limiter = {
    schedule: (...args: unknown[]): Promise<unknown> => {
      const rest = typeof args[0] === 'function' ? args : args.slice(1);
      const [job, ...jobArgs] = rest as [(...a: unknown[]) => unknown, ...unknown[]];
      return Promise.resolve().then(() => job(...jobArgs));
    },
  };
  return { key: () => limiter } as unknown as LimiterGroup;
}

// ---------------------------------------------------------------------------------------------------
// The server: state (fake-github-store.ts), shapes (fake-github-shapes.ts), routes (fake-github-routes-*.ts)
// ---------------------------------------------------------------------------------------------------

/** Start the fake on 127.0.0.1 (a free port). Always `close()` it, e.g. in `afterAll`. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const store = createStore(options);
  const shapes = createShapes(store);
  const { now, calls, faults, newId, addRepo, repoNamed, refreshHead, recordStatus } = store;
  const { pullRequest, issueComment, commitStatus, checkRun } = shapes;
  const routes: Route[] = [
    ...reposRoutes(store, shapes),
    ...pullsRoutes(store, shapes),
    ...issuesRoutes(store, shapes),
    ...commitsRoutes(store, shapes),
  ];

  // ----- HTTP -------------------------------------------------------------------------------------------

  function authOf(req: IncomingMessage): { scheme: string; authorized: boolean; missing: boolean } {
    const header = req.headers.authorization;
    if (!header) return { scheme: 'none', authorized: options.token === undefined, missing: true };
    const [scheme = '', credential = ''] = header.split(/\s+/, 2);
    const authorized =
      options.token === undefined ||
      (['token', 'bearer'].includes(scheme.toLowerCase()) && credential === options.token);
    return { scheme: scheme.toLowerCase(), authorized, missing: false };
  }

  function send(res: ServerResponse, reply: Reply): void {
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': randomUUID().toUpperCase(),
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
      ...reply.headers,
    });
    res.end(payload);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', store.apiBase);
    const method = (req.method ?? 'GET').toUpperCase();
    const matched = matchRoute(routes, method, url.pathname);
    const auth = authOf(req);
    let body: unknown;
    let parseError = false;
    try {
      body = rawBody === '' ? undefined : JSON.parse(rawBody);
    } catch {
      parseError = true;
    }
    const record = (status: number | 'dropped', injected: boolean): void => {
      calls.push({
        method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        route: matched?.route.template,
        body,
        rawBody,
        status,
        injected,
        authScheme: auth.scheme,
        authorized: auth.authorized,
      });
    };
    const answer = (reply: Reply, injected = false): void => {
      record(reply.status, injected);
      send(res, reply);
    };

    if (!auth.authorized) {
      const message = auth.missing ? 'Requires authentication' : 'Bad credentials';
      return answer({
        status: 401,
        body: { message, documentation_url: 'https://docs.github.com/rest', status: '401' },
      });
    }

    const queued = faults.find((entry) =>
      faultMatches(entry.fault, method, url.pathname, matched?.route.template),
    );
    const fault = queued?.fault;
    if (queued && --queued.remaining <= 0) faults.splice(faults.indexOf(queued), 1);
    const injectFault = (): void => {
      if (!fault) return;
      if (fault.status === 'drop') {
        record('dropped', true);
        req.socket.destroy();
        return;
      }
      answer(
        {
          status: fault.status,
          body: fault.body ?? { message: defaultMessage(fault.status), documentation_url: DOCS },
          headers: fault.headers ?? {},
        },
        true,
      );
    };
    if (fault && !fault.afterHandling) return injectFault();

    let reply: Reply;
    try {
      if (parseError)
        throw new ApiError(400, { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' });
      if (!matched) throw notFound();
      reply = await matched.route.handle({
        params: matched.params,
        query: url.searchParams,
        body,
        path: url.pathname,
      });
    } catch (error) {
      if (!(error instanceof ApiError)) {
        reply = { status: 500, body: { message: `fake-github bug: ${String(error)}` } };
      } else {
        reply = { status: error.status, body: error.body };
      }
    }
    if (fault) return injectFault();
    answer(reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, { status: 500, body: { message: `fake-github bug: ${String(error)}` } });
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise());
  });
  store.apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: store.apiBase,
    calls,
    writeCalls: () => calls.filter((call) => call.method !== 'GET' && call.method !== 'HEAD'),
    countWrites: (template) =>
      calls.filter(
        (call) =>
          call.method !== 'GET' &&
          call.method !== 'HEAD' &&
          (template === undefined || call.route === template),
      ).length,
    callsMentioning: (secret) =>
      calls.filter(
        (call) =>
          call.rawBody.includes(secret) ||
          call.path.includes(secret) ||
          Object.values(call.query).some((value) => value.includes(secret)),
      ),
    failNext(fault) {
      faults.push({ fault, remaining: fault.times ?? 1 });
    },
    pendingFaults: () => faults.reduce((sum, entry) => sum + entry.remaining, 0),
    clearFaults() {
      const left = faults.reduce((sum, entry) => sum + entry.remaining, 0);
      faults.length = 0;
      return left;
    },
    addRepo,
    setBranch(fullName, branch, sha) {
      repoNamed(fullName).branches.set(branch, sha);
    },
    addCheckRun(fullName, sha, seed) {
      const repo = repoNamed(fullName);
      const status = seed.status ?? 'completed';
      const startedAt = toIso(seed.startedAt, now());
      const record: CheckRunRecord = {
        id: newId(),
        sha,
        name: seed.name,
        status,
        conclusion:
          seed.conclusion !== undefined ? seed.conclusion : status === 'completed' ? 'success' : null,
        startedAt,
        completedAt: status === 'completed' ? toIso(seed.completedAt, startedAt) : null,
        detailsUrl: seed.detailsUrl ?? null,
      };
      repo.checkRuns.push(record);
      return checkRun(repo, record);
    },
    addStatus(fullName, sha, seed) {
      const repo = repoNamed(fullName);
      return commitStatus(repo, recordStatus(repo, sha, seed, seed.creator ?? 'github-actions[bot]'));
    },
    async mergePullRequest(number, mergeSha, mergeOptions = {}) {
      const repo = repoNamed(mergeOptions.repo);
      const pull = repo.pulls.get(number);
      if (!pull) throw new Error(`No pull request #${number} in ${repo.fullName}`);
      if (pull.state !== 'open')
        throw new Error(`Pull request #${number} is not open (merged: ${pull.merged})`);
      await refreshHead(repo, pull);
      const timestamp = now();
      Object.assign(pull, {
        state: 'closed',
        merged: true,
        mergedAt: timestamp,
        closedAt: timestamp,
        updatedAt: timestamp,
        mergeCommitSha: mergeSha,
        mergedBy: mergeOptions.mergedBy ?? 'octocat',
      } satisfies Partial<PullState>);
      return pullRequest(repo, pull);
    },
    async pullRequest(number, fullName) {
      const repo = repoNamed(fullName);
      const pull = repo.pulls.get(number);
      if (!pull) throw new Error(`No pull request #${number} in ${repo.fullName}`);
      return pullRequest(repo, pull);
    },
    async pullRequests(fullName) {
      const repo = repoNamed(fullName);
      const all: PullRequest[] = [];
      for (const pull of repo.pulls.values()) all.push(await pullRequest(repo, pull));
      return all;
    },
    issueComments(number, fullName) {
      const repo = repoNamed(fullName);
      return repo.comments
        .filter((comment) => comment.issueNumber === number)
        .map((comment) => issueComment(repo, comment));
    },
    async close() {
      const closed = new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function defaultMessage(status: number): string {
  const messages: Record<number, string> = {
    500: 'Internal Server Error',
    502: 'Server Error',
    503: 'Service Unavailable',
    504: 'We couldn\u2019t respond to your request in time.',
    429: 'Too Many Requests',
    403: 'Forbidden',
  };
  return messages[status] ?? `HTTP ${status}`;
}
