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
import type { components, operations } from '@octokit/openapi-types';
import type { RetryOptions } from '@octokit/plugin-retry';
import type { ThrottlingOptions } from '@octokit/plugin-throttling';

// ---------------------------------------------------------------------------------------------------
// Types from the OpenAPI description
// ---------------------------------------------------------------------------------------------------

type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];
/** The JSON request body an operation accepts. */
type JsonBody<Op> = Op extends { requestBody?: { content: { 'application/json': infer Body } } }
  ? Body
  : never;

export type PullRequest = Schema<'pull-request'>;
export type PullRequestSimple = Schema<'pull-request-simple'>;
export type IssueComment = Schema<'issue-comment'>;
export type Label = Schema<'label'>;
export type CommitStatus = Schema<'status'>;
export type CombinedCommitStatus = Schema<'combined-commit-status'>;
export type CheckRun = Schema<'check-run'>;
export type FullRepository = Schema<'full-repository'>;
type ValidationErrorBody = Schema<'validation-error'> & { status?: string };
type ValidationErrorItem = NonNullable<Schema<'validation-error'>['errors']>[number];
type StatusState = JsonBody<operations['repos/create-commit-status']>['state'];
type CheckStatus = CheckRun['status'];
type CheckConclusion = CheckRun['conclusion'];

// ---------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------

export interface RepoSeed {
  /** `owner/name` */
  readonly fullName: string;
  /** @default 'main' */
  readonly defaultBranch?: string;
  /** Branch heads known up front (branch -> SHA); see also `setBranch` and `resolveRef`. */
  readonly branches?: Readonly<Record<string, string>>;
  /** When given, only these users may be requested as reviewers (422 otherwise), as on GitHub. */
  readonly collaborators?: readonly string[];
  /** When given, only these team slugs may be requested as team reviewers. */
  readonly teams?: readonly string[];
  /** @default false */
  readonly private?: boolean;
}

export interface FakeGitHubOptions {
  /** Repositories that exist from the start (`owner/name` or a full seed). */
  readonly repos?: readonly (string | RepoSeed)[];
  /**
   * When set, every request must send `Authorization: token <t>` or `Bearer <t>`; otherwise 401 as
   * GitHub answers ("Requires authentication" / "Bad credentials"). @default no check
   */
  readonly token?: string;
  /** Login of the authenticated user: author of PRs, comments and statuses. @default 'envmatrix-bot' */
  readonly login?: string;
  /**
   * Resolve a branch, tag or SHA to a commit SHA, e.g. `(repo, ref) => remote.revParse(name, ref)` to back
   * the fake with the real git remote. Consulted before `setBranch` data. Returning undefined falls back
   * to seeded branches, then accepts any 40-hex SHA.
   */
  readonly resolveRef?: (fullName: string, ref: string) => string | undefined | Promise<string | undefined>;
  /** Origin for `html_url`s. @default 'https://github.com' */
  readonly htmlBaseUrl?: string;
  /** Clock for timestamps the server creates. @default () => new Date() */
  readonly now?: () => Date;
}

/** Which requests a fault applies to; all given conditions must hold, none given matches anything. */
export interface FaultMatch {
  /** An Octokit-style route, e.g. `'POST /repos/{owner}/{repo}/pulls'`, compared with the matched route. */
  readonly route?: string;
  readonly method?: string;
  /** The request path (without query): exact string or pattern. */
  readonly path?: string | RegExp;
}

export interface Fault extends FaultMatch {
  /** HTTP status to answer, or `'drop'` to destroy the connection without a response. */
  readonly status: number | 'drop';
  /** JSON body. @default `{ message: <status text> }` */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Run the real handler first (state changes happen) and only then answer with the fault: the lost
   * response after a successful write, which a retrying client must survive. @default false
   */
  readonly afterHandling?: boolean;
  /** How many matching calls fail. @default 1 */
  readonly times?: number;
}

export interface RecordedCall {
  readonly method: string;
  /** Path without query, e.g. `/repos/acme/platform/pulls`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The route template that handled it, e.g. `POST /repos/{owner}/{repo}/pulls`; undefined if none did. */
  readonly route: string | undefined;
  /** Parsed JSON body (undefined when empty or not JSON). */
  readonly body: unknown;
  /** The body exactly as received, for secret scans. */
  readonly rawBody: string;
  /** Status answered, or `'dropped'`. */
  readonly status: number | 'dropped';
  /** Whether a fault produced the answer. */
  readonly injected: boolean;
  /** The Authorization scheme sent (`token`, `bearer`, …) or `none`; the credential is never recorded. */
  readonly authScheme: string;
  /** Whether the credential matched `options.token` (true when no token is configured). */
  readonly authorized: boolean;
}

export interface CheckRunSeed {
  readonly name: string;
  /** @default 'completed' */
  readonly status?: CheckStatus;
  /** @default 'success' when completed, else null */
  readonly conclusion?: CheckConclusion;
  readonly startedAt?: string | Date;
  readonly completedAt?: string | Date;
  readonly detailsUrl?: string;
}

export interface StatusSeed {
  readonly state: StatusState;
  /** @default 'default' (GitHub's default) */
  readonly context?: string;
  readonly description?: string | null;
  readonly targetUrl?: string | null;
  /** Backdate a status, e.g. to test soak times. @default now */
  readonly createdAt?: string | Date;
  /** Login of whoever reported it (a CD system, not the bot). @default 'github-actions[bot]' */
  readonly creator?: string;
}

export interface FakeGitHub {
  /** `http://127.0.0.1:<port>`: pass as Octokit's `baseUrl`. */
  readonly baseUrl: string;
  /** Every call so far, oldest first. */
  readonly calls: readonly RecordedCall[];
  /** Calls that are not GET/HEAD (what changed, or tried to change, GitHub). */
  writeCalls(): RecordedCall[];
  /** Number of write calls, optionally only those whose route matches (`'POST /repos/{owner}/{repo}/pulls'`). */
  countWrites(route?: string): number;
  /** Calls whose path, query or body contain `secret`; a test expects `[]` for a token. */
  callsMentioning(secret: string): RecordedCall[];
  /** Queue a fault for the next matching call(s); faults are tried in the order queued. */
  failNext(fault: Fault): void;
  /** Faults still queued (a test can assert all were consumed). */
  pendingFaults(): number;
  addRepo(seed: string | RepoSeed): void;
  /** Point a branch at a SHA (as a push would). */
  setBranch(fullName: string, branch: string, sha: string): void;
  addCheckRun(fullName: string, sha: string, seed: CheckRunSeed): CheckRun;
  addStatus(fullName: string, sha: string, seed: StatusSeed): CommitStatus;
  /** A human merged PR `number`: it becomes closed + merged with `mergeSha`. `repo` defaults to the only repo. */
  mergePullRequest(
    number: number,
    mergeSha: string,
    options?: { repo?: string; mergedBy?: string },
  ): Promise<PullRequest>;
  /** The PR as GET /pulls/{n} would return it. */
  pullRequest(number: number, repo?: string): Promise<PullRequest>;
  /** All PRs of a repo (any state), oldest first. */
  pullRequests(repo?: string): Promise<PullRequest[]>;
  /** Comments on issue/PR `number`, oldest first. */
  issueComments(number: number, repo?: string): IssueComment[];
  close(): Promise<void>;
}

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
// State
// ---------------------------------------------------------------------------------------------------

interface RepoState {
  readonly id: number;
  readonly owner: string;
  readonly name: string;
  readonly fullName: string;
  readonly defaultBranch: string;
  readonly private: boolean;
  readonly createdAt: string;
  readonly branches: Map<string, string>;
  readonly collaborators: ReadonlySet<string> | undefined;
  readonly teams: ReadonlySet<string> | undefined;
  /** Issues and PRs share one numbering, as on GitHub. */
  nextNumber: number;
  readonly pulls: Map<number, PullState>;
  readonly comments: CommentState[];
  /** By lower-cased name: GitHub label names are case-insensitive. */
  readonly labels: Map<string, LabelState>;
  readonly statuses: StatusRecord[];
  readonly checkRuns: CheckRunRecord[];
}

interface PullState {
  readonly id: number;
  readonly number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  readonly headRef: string;
  /** Head SHA when last known; frozen once the PR closes. */
  headSha: string;
  baseRef: string;
  readonly author: string;
  readonly draft: boolean;
  readonly maintainerCanModify: boolean;
  labels: string[];
  reviewers: string[];
  teams: string[];
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: string | null;
  readonly createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

interface CommentState {
  readonly id: number;
  readonly issueNumber: number;
  body: string;
  readonly author: string;
  readonly createdAt: string;
  updatedAt: string;
}

interface LabelState {
  readonly id: number;
  readonly name: string;
  readonly color: string;
  readonly description: string | null;
}

interface StatusRecord {
  readonly id: number;
  readonly sha: string;
  readonly state: StatusState;
  readonly context: string;
  readonly description: string | null;
  readonly targetUrl: string | null;
  readonly creator: string;
  readonly createdAt: string;
}

interface CheckRunRecord {
  readonly id: number;
  readonly sha: string;
  readonly name: string;
  readonly status: CheckStatus;
  readonly conclusion: CheckConclusion;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly detailsUrl: string | null;
}

// ---------------------------------------------------------------------------------------------------
// Errors in GitHub's shapes
// ---------------------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

const DOCS = 'https://docs.github.com/rest';

function notFound(docs = DOCS): ApiError {
  return new ApiError(404, { message: 'Not Found', documentation_url: docs, status: '404' });
}

/** GitHub's answer when the body fails its JSON schema (missing field, wrong type, bad enum). */
function invalidRequest(detail: string, docs: string): ApiError {
  const body: ValidationErrorBody = {
    message: `Invalid request.\n\n${detail}`,
    documentation_url: docs,
    status: '422',
  };
  return new ApiError(422, body);
}

/** GitHub's answer when the body is well-formed but the request is refused ("Validation Failed"). */
function validationFailed(errors: ValidationErrorItem[], docs: string): ApiError {
  const body: ValidationErrorBody = {
    message: 'Validation Failed',
    errors,
    documentation_url: docs,
    status: '422',
  };
  return new ApiError(422, body);
}

type JsonObject = Record<string, unknown>;

function asObject(body: unknown, docs: string): JsonObject {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest(`${JSON.stringify(body)} is not an object.`, docs);
  }
  return body as JsonObject;
}

function optionalString(body: JsonObject, field: string, docs: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw invalidRequest(`For 'properties/${field}', ${JSON.stringify(value)} is not a string.`, docs);
  }
  return value;
}

function requiredString(body: JsonObject, field: string, docs: string): string {
  const value = optionalString(body, field, docs);
  if (value === undefined) throw invalidRequest(`"${field}" wasn't supplied.`, docs);
  return value;
}

function optionalNullableString(body: JsonObject, field: string, docs: string): string | null | undefined {
  return body[field] === null ? null : optionalString(body, field, docs);
}

function optionalBoolean(body: JsonObject, field: string, docs: string): boolean | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    throw invalidRequest(`For 'properties/${field}', ${JSON.stringify(value)} is not a boolean.`, docs);
  }
  return value;
}

function optionalStringArray(body: JsonObject, field: string, docs: string): string[] | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalidRequest(
      `For 'properties/${field}', ${JSON.stringify(value)} is not an array of strings.`,
      docs,
    );
  }
  return value as string[];
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  field: string,
  docs: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw invalidRequest(
      `For 'properties/${field}', ${JSON.stringify(value)} is not one of ${JSON.stringify(allowed)}.`,
      docs,
    );
  }
  return value as T;
}

// ---------------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------------

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

interface Context {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly path: string;
}

interface Route {
  readonly template: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly handle: (ctx: Context) => Promise<Reply> | Reply;
}

function route(template: string, handle: Route['handle']): Route {
  const [method, path] = template.split(' ') as [string, string];
  const names: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { template, method, pattern: new RegExp(`^${source}$`), names, handle };
}

function matchRoute(routes: readonly Route[], method: string, path: string) {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    candidate.names.forEach((name, index) => (params[name] = decodeURIComponent(match[index + 1] ?? '')));
    return { route: candidate, params };
  }
  return undefined;
}

function faultMatches(
  fault: FaultMatch,
  method: string,
  path: string,
  template: string | undefined,
): boolean {
  if (fault.route !== undefined && fault.route !== template) return false;
  if (fault.method !== undefined && fault.method.toUpperCase() !== method) return false;
  if (typeof fault.path === 'string' && fault.path !== path) return false;
  if (fault.path instanceof RegExp && !fault.path.test(path)) return false;
  return true;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toIso(value: string | Date | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  return typeof value === 'string' ? value : isoSeconds(value);
}

const FULL_SHA = /^[0-9a-f]{40}$/;

// ---------------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------------

/** Start the fake on 127.0.0.1 (a free port). Always `close()` it, e.g. in `afterAll`. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const login = options.login ?? 'envmatrix-bot';
  const htmlBase = (options.htmlBaseUrl ?? 'https://github.com').replace(/\/$/, '');
  const now = (): string => isoSeconds(options.now?.() ?? new Date());
  const repos = new Map<string, RepoState>();
  const calls: RecordedCall[] = [];
  const faults: { fault: Fault; remaining: number }[] = [];
  const accountIds = new Map<string, number>();
  let nextId = 1000;
  const newId = (): number => nextId++;
  let apiBase = 'http://127.0.0.1'; // set once listening

  // ----- state helpers ------------------------------------------------------------------------------

  function addRepo(seed: string | RepoSeed): void {
    const full = typeof seed === 'string' ? { fullName: seed } : seed;
    const [owner, name, extra] = full.fullName.split('/');
    if (!owner || !name || extra !== undefined)
      throw new Error(`Repository must be "owner/name": ${full.fullName}`);
    if (repos.has(full.fullName.toLowerCase())) throw new Error(`Repository ${full.fullName} already exists`);
    repos.set(full.fullName.toLowerCase(), {
      id: newId(),
      owner,
      name,
      fullName: `${owner}/${name}`,
      defaultBranch: full.defaultBranch ?? 'main',
      private: full.private ?? false,
      createdAt: now(),
      branches: new Map(Object.entries(full.branches ?? {})),
      collaborators: full.collaborators ? new Set(full.collaborators) : undefined,
      teams: full.teams ? new Set(full.teams) : undefined,
      nextNumber: 1,
      pulls: new Map(),
      comments: [],
      labels: new Map(),
      statuses: [],
      checkRuns: [],
    });
  }
  for (const seed of options.repos ?? []) addRepo(seed);

  function repoNamed(fullName: string | undefined): RepoState {
    if (fullName === undefined) {
      if (repos.size !== 1) throw new Error(`Name the repository: the fake holds ${repos.size}`);
      return [...repos.values()][0] as RepoState;
    }
    const repo = repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`Unknown repository ${fullName}`);
    return repo;
  }

  function repoFromParams(params: Readonly<Record<string, string>>): RepoState {
    const repo = repos.get(`${params.owner}/${params.repo}`.toLowerCase());
    if (!repo) throw notFound(`${DOCS}/repos/repos#get-a-repository`);
    return repo;
  }

  async function resolve(repo: RepoState, ref: string): Promise<string | undefined> {
    const resolved = await options.resolveRef?.(repo.fullName, ref);
    if (resolved) return resolved;
    const branch = ref.replace(/^refs\/heads\//, '');
    return repo.branches.get(branch) ?? (FULL_SHA.test(ref) ? ref : undefined);
  }

  function pullOf(repo: RepoState, number: string | number): PullState {
    const pull = repo.pulls.get(Number(number));
    if (!pull) throw notFound(`${DOCS}/pulls/pulls#get-a-pull-request`);
    return pull;
  }

  /** Open PRs follow their branch; closed ones keep the head they closed with. */
  async function refreshHead(repo: RepoState, pull: PullState): Promise<void> {
    if (pull.state !== 'open') return;
    pull.headSha = (await resolve(repo, pull.headRef)) ?? pull.headSha;
  }

  // ----- JSON shapes (typed by the OpenAPI description) ------------------------------------------------

  function accountId(name: string): number {
    let id = accountIds.get(name);
    if (id === undefined) {
      id = newId();
      accountIds.set(name, id);
    }
    return id;
  }

  function user(name: string, type = name.endsWith('[bot]') ? 'Bot' : 'User'): Schema<'simple-user'> {
    const id = accountId(name);
    const url = `${apiBase}/users/${name}`;
    return {
      login: name,
      id,
      node_id: Buffer.from(`04:User${id}`).toString('base64'),
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      gravatar_id: '',
      url,
      html_url: `${htmlBase}/${name}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type,
      site_admin: false,
      user_view_type: 'public',
    };
  }

  function teamSimple(repo: RepoState, slug: string): Schema<'team-simple'> {
    const id = accountId(`team:${repo.owner}/${slug}`);
    const url = `${apiBase}/organizations/${accountId(repo.owner)}/team/${id}`;
    return {
      id,
      node_id: Buffer.from(`04:Team${id}`).toString('base64'),
      url,
      html_url: `${htmlBase}/orgs/${repo.owner}/teams/${slug}`,
      name: slug,
      slug,
      description: null,
      privacy: 'closed',
      notification_setting: 'notifications_enabled',
      permission: 'pull',
      members_url: `${url}/members{/member}`,
      repositories_url: `${url}/repos`,
      type: 'organization',
    };
  }

  function team(repo: RepoState, slug: string): Schema<'team'> {
    return { ...teamSimple(repo, slug), parent: null };
  }

  function repoUrls(repo: RepoState) {
    const url = `${apiBase}/repos/${repo.fullName}`;
    const html = `${htmlBase}/${repo.fullName}`;
    return {
      url,
      html_url: html,
      archive_url: `${url}/{archive_format}{/ref}`,
      assignees_url: `${url}/assignees{/user}`,
      blobs_url: `${url}/git/blobs{/sha}`,
      branches_url: `${url}/branches{/branch}`,
      collaborators_url: `${url}/collaborators{/collaborator}`,
      comments_url: `${url}/comments{/number}`,
      commits_url: `${url}/commits{/sha}`,
      compare_url: `${url}/compare/{base}...{head}`,
      contents_url: `${url}/contents/{+path}`,
      contributors_url: `${url}/contributors`,
      deployments_url: `${url}/deployments`,
      downloads_url: `${url}/downloads`,
      events_url: `${url}/events`,
      forks_url: `${url}/forks`,
      git_commits_url: `${url}/git/commits{/sha}`,
      git_refs_url: `${url}/git/refs{/sha}`,
      git_tags_url: `${url}/git/tags{/sha}`,
      git_url: `git://${htmlBase.replace(/^https?:\/\//, '')}/${repo.fullName}.git`,
      issue_comment_url: `${url}/issues/comments{/number}`,
      issue_events_url: `${url}/issues/events{/number}`,
      issues_url: `${url}/issues{/number}`,
      keys_url: `${url}/keys{/key_id}`,
      labels_url: `${url}/labels{/name}`,
      languages_url: `${url}/languages`,
      merges_url: `${url}/merges`,
      milestones_url: `${url}/milestones{/number}`,
      notifications_url: `${url}/notifications{?since,all,participating}`,
      pulls_url: `${url}/pulls{/number}`,
      releases_url: `${url}/releases{/id}`,
      ssh_url: `git@${htmlBase.replace(/^https?:\/\//, '')}:${repo.fullName}.git`,
      stargazers_url: `${url}/stargazers`,
      statuses_url: `${url}/statuses/{sha}`,
      subscribers_url: `${url}/subscribers`,
      subscription_url: `${url}/subscription`,
      tags_url: `${url}/tags`,
      teams_url: `${url}/teams`,
      trees_url: `${url}/git/trees{/sha}`,
      clone_url: `${html}.git`,
      hooks_url: `${url}/hooks`,
      svn_url: html,
    };
  }

  function repoCommon(repo: RepoState) {
    const openIssues = [...repo.pulls.values()].filter((pull) => pull.state === 'open').length;
    return {
      ...repoUrls(repo),
      id: repo.id,
      node_id: Buffer.from(`010:Repository${repo.id}`).toString('base64'),
      name: repo.name,
      full_name: repo.fullName,
      owner: user(repo.owner, 'Organization'),
      private: repo.private,
      visibility: repo.private ? 'private' : 'public',
      description: null,
      fork: false,
      mirror_url: null,
      homepage: null,
      language: 'TypeScript',
      forks_count: 0,
      forks: 0,
      stargazers_count: 0,
      watchers_count: 0,
      watchers: 0,
      size: 0,
      default_branch: repo.defaultBranch,
      open_issues_count: openIssues,
      open_issues: openIssues,
      topics: [],
      has_issues: true,
      has_projects: false,
      has_wiki: false,
      has_pages: false,
      has_downloads: false,
      has_discussions: false,
      archived: false,
      disabled: false,
      license: null,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      allow_merge_commit: true,
      allow_squash_merge: true,
      allow_rebase_merge: true,
      delete_branch_on_merge: false,
      pushed_at: repo.createdAt,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
    };
  }

  function repository(repo: RepoState): Schema<'repository'> {
    return repoCommon(repo);
  }

  function fullRepository(repo: RepoState): FullRepository {
    return { ...repoCommon(repo), subscribers_count: 0, network_count: 0 };
  }

  function minimalRepository(repo: RepoState): Schema<'minimal-repository'> {
    return repoCommon(repo);
  }

  function label(repo: RepoState, state: LabelState): Label {
    return {
      id: state.id,
      node_id: Buffer.from(`08:Label${state.id}`).toString('base64'),
      url: `${apiBase}/repos/${repo.fullName}/labels/${encodeURIComponent(state.name)}`,
      name: state.name,
      description: state.description,
      color: state.color,
      default: false,
    };
  }

  function labelsOf(repo: RepoState, pull: PullState): Label[] {
    return pull.labels.flatMap((name) => {
      const state = repo.labels.get(name.toLowerCase());
      return state ? [label(repo, state)] : [];
    });
  }

  function pullLinks(repo: RepoState, pull: PullState) {
    const api = `${apiBase}/repos/${repo.fullName}`;
    const url = `${api}/pulls/${pull.number}`;
    const html = `${htmlBase}/${repo.fullName}/pull/${pull.number}`;
    const urls = {
      url,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${pull.number}`,
      commits_url: `${url}/commits`,
      review_comments_url: `${url}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${pull.number}/comments`,
      statuses_url: `${api}/statuses/${pull.headSha}`,
    };
    return {
      ...urls,
      _links: {
        self: { href: urls.url },
        html: { href: urls.html_url },
        issue: { href: urls.issue_url },
        comments: { href: urls.comments_url },
        review_comments: { href: urls.review_comments_url },
        review_comment: { href: urls.review_comment_url },
        commits: { href: urls.commits_url },
        statuses: { href: urls.statuses_url },
      },
    };
  }

  async function pullCommon(repo: RepoState, pull: PullState) {
    await refreshHead(repo, pull);
    const baseSha = (await resolve(repo, pull.baseRef)) ?? '';
    const author = user(pull.author);
    const owner = user(repo.owner, 'Organization');
    return {
      ...pullLinks(repo, pull),
      id: pull.id,
      node_id: Buffer.from(`011:PullRequest${pull.id}`).toString('base64'),
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: author,
      body: pull.body,
      milestone: null,
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      closed_at: pull.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      assignee: null,
      assignees: [],
      requested_reviewers: pull.reviewers.map((name) => user(name)),
      head: {
        label: `${repo.owner}:${pull.headRef}`,
        ref: pull.headRef,
        sha: pull.headSha,
        user: owner,
        repo: repository(repo),
      },
      base: {
        label: `${repo.owner}:${pull.baseRef}`,
        ref: pull.baseRef,
        sha: baseSha,
        user: owner,
        repo: repository(repo),
      },
      author_association: 'CONTRIBUTOR' as const,
      auto_merge: null,
      draft: pull.draft,
    };
  }

  async function pullRequest(repo: RepoState, pull: PullState): Promise<PullRequest> {
    const comments = repo.comments.filter((comment) => comment.issueNumber === pull.number).length;
    return {
      ...(await pullCommon(repo, pull)),
      labels: labelsOf(repo, pull),
      requested_teams: pull.teams.map((slug) => teamSimple(repo, slug)),
      merged: pull.merged,
      mergeable: pull.state === 'open' ? true : null,
      rebaseable: pull.state === 'open' ? true : null,
      mergeable_state: pull.state === 'open' ? 'clean' : 'unknown',
      merged_by: pull.mergedBy === null ? null : user(pull.mergedBy),
      comments,
      review_comments: 0,
      maintainer_can_modify: pull.maintainerCanModify,
      commits: 1,
      additions: 0,
      deletions: 0,
      changed_files: 0,
    };
  }

  async function pullRequestSimple(repo: RepoState, pull: PullState): Promise<PullRequestSimple> {
    return {
      ...(await pullCommon(repo, pull)),
      labels: labelsOf(repo, pull).map((entry) => ({ ...entry, description: entry.description ?? '' })),
      requested_teams: pull.teams.map((slug) => team(repo, slug)),
    };
  }

  function issueComment(repo: RepoState, comment: CommentState): IssueComment {
    const api = `${apiBase}/repos/${repo.fullName}`;
    return {
      id: comment.id,
      node_id: Buffer.from(`012:IssueComment${comment.id}`).toString('base64'),
      url: `${api}/issues/comments/${comment.id}`,
      html_url: `${htmlBase}/${repo.fullName}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
      issue_url: `${api}/issues/${comment.issueNumber}`,
      body: comment.body,
      user: user(comment.author),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      author_association: 'CONTRIBUTOR',
    };
  }

  function statusBase(repo: RepoState, record: StatusRecord) {
    return {
      url: `${apiBase}/repos/${repo.fullName}/statuses/${record.sha}`,
      avatar_url: user(record.creator).avatar_url,
      id: record.id,
      node_id: Buffer.from(`013:StatusContext${record.id}`).toString('base64'),
      state: record.state,
      description: record.description,
      target_url: record.targetUrl,
      context: record.context,
      created_at: record.createdAt,
      updated_at: record.createdAt,
    };
  }

  function commitStatus(repo: RepoState, record: StatusRecord): CommitStatus {
    return { ...statusBase(repo, record), creator: user(record.creator) };
  }

  function checkRun(repo: RepoState, record: CheckRunRecord): CheckRun {
    const api = `${apiBase}/repos/${repo.fullName}`;
    return {
      id: record.id,
      head_sha: record.sha,
      node_id: Buffer.from(`08:CheckRun${record.id}`).toString('base64'),
      external_id: '',
      url: `${api}/check-runs/${record.id}`,
      html_url: `${htmlBase}/${repo.fullName}/runs/${record.id}`,
      details_url: record.detailsUrl,
      status: record.status,
      conclusion: record.conclusion,
      started_at: record.startedAt,
      completed_at: record.completedAt,
      output: {
        title: null,
        summary: null,
        text: null,
        annotations_count: 0,
        annotations_url: `${api}/check-runs/${record.id}/annotations`,
      },
      name: record.name,
      check_suite: { id: record.id + 1_000_000 },
      app: null,
      pull_requests: [],
    };
  }

  // ----- list helpers -----------------------------------------------------------------------------------

  /** Page a list as GitHub does (`per_page` ≤ 100, `page` from 1) with a `Link` header Octokit follows. */
  function paginate<T>(items: readonly T[], ctx: Context): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(Math.max(Number(ctx.query.get('per_page') ?? 30) || 30, 1), 100);
    const page = Math.max(Number(ctx.query.get('page') ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (n: number, rel: string): string => {
      const query = new URLSearchParams(ctx.query);
      query.set('page', String(n));
      return `<${apiBase}${ctx.path}?${query.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'), link(1, 'first'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    return {
      items: items.slice((page - 1) * perPage, page * perPage),
      headers: links.length > 0 ? { link: links.join(', ') } : {},
    };
  }

  function ensureLabel(repo: RepoState, name: string): LabelState {
    const key = name.toLowerCase();
    let state = repo.labels.get(key);
    if (!state) {
      // Adding an unknown label to an issue creates it, as on GitHub.
      state = { id: newId(), name, color: 'ededed', description: null };
      repo.labels.set(key, state);
    }
    return state;
  }

  function labelNames(body: JsonObject, docs: string): string[] {
    const value = body.labels;
    if (!Array.isArray(value)) throw invalidRequest(`"labels" wasn't supplied.`, docs);
    return value.map((entry: unknown) => {
      if (typeof entry === 'string' && entry.trim() !== '') return entry;
      if (typeof entry === 'object' && entry !== null && typeof (entry as JsonObject).name === 'string') {
        return (entry as { name: string }).name;
      }
      throw invalidRequest(`For 'items', ${JSON.stringify(entry)} is not a label name.`, docs);
    });
  }

  function openPullForHead(repo: RepoState, headRef: string, except?: number): PullState | undefined {
    return [...repo.pulls.values()].find(
      (pull) => pull.state === 'open' && pull.headRef === headRef && pull.number !== except,
    );
  }

  function latestPerContext(records: readonly StatusRecord[]): StatusRecord[] {
    const latest = new Map<string, StatusRecord>();
    for (const record of records) latest.set(record.context, record); // records are in creation order
    return [...latest.values()].sort((a, b) => b.id - a.id);
  }

  function recordStatus(repo: RepoState, sha: string, seed: StatusSeed, creator: string): StatusRecord {
    const record: StatusRecord = {
      id: newId(),
      sha,
      state: seed.state,
      context: seed.context ?? 'default',
      description: seed.description ?? null,
      targetUrl: seed.targetUrl ?? null,
      creator,
      createdAt: toIso(seed.createdAt, now()),
    };
    repo.statuses.push(record);
    return record;
  }

  // ----- handlers ---------------------------------------------------------------------------------------

  const created = (body: unknown, location?: string): Reply => ({
    status: 201,
    body,
    headers: location ? { location } : {},
  });

  const routes: Route[] = [
    route('GET /repos/{owner}/{repo}', ({ params }) => ({
      status: 200,
      body: fullRepository(repoFromParams(params)),
    })),

    route('GET /repos/{owner}/{repo}/pulls', async (ctx) => {
      const repo = repoFromParams(ctx.params);
      const docs = `${DOCS}/pulls/pulls#list-pull-requests`;
      const state =
        oneOf(ctx.query.get('state') ?? undefined, ['open', 'closed', 'all'], 'state', docs) ?? 'open';
      const head = ctx.query.get('head');
      const base = ctx.query.get('base');
      const direction = ctx.query.get('direction') === 'asc' ? 1 : -1;
      const pulls = [...repo.pulls.values()]
        .filter((pull) => state === 'all' || pull.state === state)
        // GitHub only filters by head in `owner:branch` form; a bare branch name is ignored.
        .filter((pull) => !head?.includes(':') || head === `${repo.owner}:${pull.headRef}`)
        .filter((pull) => !base || pull.baseRef === base)
        .sort((a, b) => direction * (a.number - b.number));
      const page = paginate(pulls, ctx);
      const body: PullRequestSimple[] = [];
      for (const pull of page.items) body.push(await pullRequestSimple(repo, pull));
      return { status: 200, body, headers: page.headers };
    }),

    route('POST /repos/{owner}/{repo}/pulls', async (ctx) => {
      const repo = repoFromParams(ctx.params);
      const docs = `${DOCS}/pulls/pulls#create-a-pull-request`;
      const input = asObject(ctx.body, docs);
      const head = requiredString(input, 'head', docs);
      const base = requiredString(input, 'base', docs);
      const title = optionalString(input, 'title', docs);
      const request: JsonBody<operations['pulls/create']> = {
        head,
        base,
        ...(title === undefined ? {} : { title }),
        ...(input.body === undefined ? {} : { body: requiredString(input, 'body', docs) }),
        ...(input.draft === undefined ? {} : { draft: optionalBoolean(input, 'draft', docs) ?? false }),
        ...(input.maintainer_can_modify === undefined
          ? {}
          : { maintainer_can_modify: optionalBoolean(input, 'maintainer_can_modify', docs) ?? true }),
      };
      if (request.title === undefined) throw invalidRequest(`"title" wasn't supplied.`, docs);

      const colon = request.head.indexOf(':');
      const headOwner = colon >= 0 ? request.head.slice(0, colon) : repo.owner;
      const headRef = colon >= 0 ? request.head.slice(colon + 1) : request.head;
      const errors: ValidationErrorItem[] = [];
      const headSha =
        headOwner.toLowerCase() === repo.owner.toLowerCase() ? await resolve(repo, headRef) : undefined;
      if (headSha === undefined) errors.push({ resource: 'PullRequest', field: 'head', code: 'invalid' });
      const baseSha = await resolve(repo, request.base);
      if (baseSha === undefined) errors.push({ resource: 'PullRequest', field: 'base', code: 'invalid' });
      if (errors.length > 0) throw validationFailed(errors, docs);
      if (openPullForHead(repo, headRef)) {
        throw validationFailed(
          [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `A pull request already exists for ${repo.owner}:${headRef}.`,
            },
          ],
          docs,
        );
      }
      if (headSha === baseSha) {
        throw validationFailed(
          [
            {
              resource: 'PullRequest',
              code: 'custom',
              message: `No commits between ${request.base} and ${headRef}`,
            },
          ],
          docs,
        );
      }
      const timestamp = now();
      const pull: PullState = {
        id: newId(),
        number: repo.nextNumber++,
        title: request.title,
        body: request.body ?? null,
        state: 'open',
        headRef,
        headSha: headSha as string,
        baseRef: request.base,
        author: login,
        draft: request.draft ?? false,
        maintainerCanModify: request.maintainer_can_modify ?? true,
        labels: [],
        reviewers: [],
        teams: [],
        merged: false,
        mergedAt: null,
        mergeCommitSha: null,
        mergedBy: null,
        createdAt: timestamp,
        updatedAt: timestamp,
        closedAt: null,
      };
      repo.pulls.set(pull.number, pull);
      const body = await pullRequest(repo, pull);
      return created(body, body.url);
    }),

    route('GET /repos/{owner}/{repo}/pulls/{pull_number}', async ({ params }) => {
      const repo = repoFromParams(params);
      return { status: 200, body: await pullRequest(repo, pullOf(repo, params.pull_number ?? '')) };
    }),

    route('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', async (ctx) => {
      const repo = repoFromParams(ctx.params);
      const pull = pullOf(repo, ctx.params.pull_number ?? '');
      const docs = `${DOCS}/pulls/pulls#update-a-pull-request`;
      const input = asObject(ctx.body, docs);
      const update: JsonBody<operations['pulls/update']> = {};
      const title = optionalString(input, 'title', docs);
      const body = optionalNullableString(input, 'body', docs);
      const state = oneOf(optionalString(input, 'state', docs), ['open', 'closed'], 'state', docs);
      const base = optionalString(input, 'base', docs);
      if (title !== undefined) update.title = title;
      if (state !== undefined) update.state = state;
      if (base !== undefined) update.base = base;

      if (update.base !== undefined && (await resolve(repo, update.base)) === undefined) {
        throw validationFailed([{ resource: 'PullRequest', field: 'base', code: 'invalid' }], docs);
      }
      if (update.state === 'open' && pull.state === 'closed') {
        if (pull.merged) {
          throw validationFailed(
            [{ resource: 'PullRequest', code: 'custom', message: 'Cannot reopen a merged pull request.' }],
            docs,
          );
        }
        if (openPullForHead(repo, pull.headRef, pull.number)) {
          throw validationFailed(
            [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `A pull request already exists for ${repo.owner}:${pull.headRef}.`,
              },
            ],
            docs,
          );
        }
      }
      await refreshHead(repo, pull); // freeze the head at its current commit if this closes the PR
      if (update.title !== undefined) pull.title = update.title;
      if (body !== undefined) pull.body = body;
      if (update.base !== undefined) pull.baseRef = update.base;
      if (update.state !== undefined && update.state !== pull.state) {
        pull.state = update.state;
        pull.closedAt = update.state === 'closed' ? now() : null;
      }
      pull.updatedAt = now();
      return { status: 200, body: await pullRequest(repo, pull) };
    }),

    route('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', async (ctx) => {
      const repo = repoFromParams(ctx.params);
      const pull = pullOf(repo, ctx.params.pull_number ?? '');
      const docs = `${DOCS}/pulls/review-requests#request-reviewers-for-a-pull-request`;
      const input = asObject(ctx.body, docs);
      const request: JsonBody<operations['pulls/request-reviewers']> = {};
      const reviewers = optionalStringArray(input, 'reviewers', docs);
      const teamReviewers = optionalStringArray(input, 'team_reviewers', docs);
      if (reviewers !== undefined) request.reviewers = reviewers;
      if (teamReviewers !== undefined) request.team_reviewers = teamReviewers;
      if (!request.reviewers?.length && !request.team_reviewers?.length) {
        throw invalidRequest(
          `No subschema in "anyOf" matched.\n"reviewers" wasn't supplied.\n"team_reviewers" wasn't supplied.`,
          docs,
        );
      }
      if (request.reviewers?.some((name) => name.toLowerCase() === pull.author.toLowerCase())) {
        throw new ApiError(422, {
          message: 'Review cannot be requested from pull request author.',
          documentation_url: docs,
          status: '422',
        });
      }
      const strangers = [
        ...(request.reviewers ?? []).filter((name) => repo.collaborators && !repo.collaborators.has(name)),
        ...(request.team_reviewers ?? []).filter((slug) => repo.teams && !repo.teams.has(slug)),
      ];
      if (strangers.length > 0) {
        throw new ApiError(422, {
          message: `Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ${repo.fullName} repository.`,
          documentation_url: docs,
          status: '422',
        });
      }
      pull.reviewers = [...new Set([...pull.reviewers, ...(request.reviewers ?? [])])];
      pull.teams = [...new Set([...pull.teams, ...(request.team_reviewers ?? [])])];
      pull.updatedAt = now();
      return created(await pullRequestSimple(repo, pull));
    }),

    route('GET /repos/{owner}/{repo}/issues/{issue_number}/labels', ({ params }) => {
      const repo = repoFromParams(params);
      return { status: 200, body: labelsOf(repo, pullOf(repo, params.issue_number ?? '')) };
    }),

    route('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', (ctx) => {
      const repo = repoFromParams(ctx.params);
      const pull = pullOf(repo, ctx.params.issue_number ?? '');
      const names = labelNames(
        asObject(ctx.body, `${DOCS}/issues/labels#add-labels-to-an-issue`),
        `${DOCS}/issues/labels#add-labels-to-an-issue`,
      );
      for (const name of names) {
        const state = ensureLabel(repo, name);
        if (!pull.labels.some((existing) => existing.toLowerCase() === state.name.toLowerCase()))
          pull.labels.push(state.name);
      }
      pull.updatedAt = now();
      return { status: 200, body: labelsOf(repo, pull) };
    }),

    route('PUT /repos/{owner}/{repo}/issues/{issue_number}/labels', (ctx) => {
      const repo = repoFromParams(ctx.params);
      const pull = pullOf(repo, ctx.params.issue_number ?? '');
      const names = labelNames(
        asObject(ctx.body, `${DOCS}/issues/labels#set-labels-for-an-issue`),
        `${DOCS}/issues/labels#set-labels-for-an-issue`,
      );
      pull.labels = [...new Set(names.map((name) => ensureLabel(repo, name).name))];
      pull.updatedAt = now();
      return { status: 200, body: labelsOf(repo, pull) };
    }),

    route('DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}', ({ params }) => {
      const repo = repoFromParams(params);
      const pull = pullOf(repo, params.issue_number ?? '');
      const index = pull.labels.findIndex((name) => name.toLowerCase() === (params.name ?? '').toLowerCase());
      if (index < 0) {
        throw new ApiError(404, {
          message: 'Label does not exist',
          documentation_url: `${DOCS}/issues/labels#remove-a-label-from-an-issue`,
          status: '404',
        });
      }
      pull.labels.splice(index, 1);
      pull.updatedAt = now();
      return { status: 200, body: labelsOf(repo, pull) };
    }),

    route('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', (ctx) => {
      const repo = repoFromParams(ctx.params);
      const pull = pullOf(repo, ctx.params.issue_number ?? '');
      const page = paginate(
        repo.comments.filter((comment) => comment.issueNumber === pull.number),
        ctx,
      );
      return {
        status: 200,
        body: page.items.map((comment) => issueComment(repo, comment)),
        headers: page.headers,
      };
    }),

    route('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', (ctx) => {
      const repo = repoFromParams(ctx.params);
      const pull = pullOf(repo, ctx.params.issue_number ?? '');
      const docs = `${DOCS}/issues/comments#create-an-issue-comment`;
      const request: JsonBody<operations['issues/create-comment']> = {
        body: requiredString(asObject(ctx.body, docs), 'body', docs),
      };
      const timestamp = now();
      const comment: CommentState = {
        id: newId(),
        issueNumber: pull.number,
        body: request.body,
        author: login,
        createdAt: timestamp,
        updatedAt: timestamp,
      };
      repo.comments.push(comment);
      const body = issueComment(repo, comment);
      return created(body, body.url);
    }),

    route('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', (ctx) => {
      const repo = repoFromParams(ctx.params);
      const docs = `${DOCS}/issues/comments#update-an-issue-comment`;
      const comment = repo.comments.find((entry) => entry.id === Number(ctx.params.comment_id));
      if (!comment) throw notFound(docs);
      comment.body = requiredString(asObject(ctx.body, docs), 'body', docs);
      comment.updatedAt = now();
      return { status: 200, body: issueComment(repo, comment) };
    }),

    route('GET /repos/{owner}/{repo}/commits/{ref}/status', async (ctx) => {
      const repo = repoFromParams(ctx.params);
      const ref = ctx.params.ref ?? '';
      const sha = await resolve(repo, ref);
      if (sha === undefined) {
        throw new ApiError(422, {
          message: `No commit found for SHA: ${ref}`,
          documentation_url: `${DOCS}/commits/statuses#get-the-combined-status-for-a-specific-reference`,
          status: '422',
        });
      }
      const latest = latestPerContext(repo.statuses.filter((record) => record.sha === sha));
      const state = latest.some((record) => record.state === 'error' || record.state === 'failure')
        ? 'failure'
        : latest.length === 0 || latest.some((record) => record.state === 'pending')
          ? 'pending'
          : 'success';
      const body: CombinedCommitStatus = {
        state,
        statuses: latest.map((record) => statusBase(repo, record)),
        sha,
        total_count: latest.length,
        repository: minimalRepository(repo),
        commit_url: `${apiBase}/repos/${repo.fullName}/commits/${sha}`,
        url: `${apiBase}/repos/${repo.fullName}/commits/${sha}/status`,
      };
      return { status: 200, body };
    }),

    route('GET /repos/{owner}/{repo}/commits/{ref}/statuses', async (ctx) => {
      const repo = repoFromParams(ctx.params);
      const sha = await resolve(repo, ctx.params.ref ?? '');
      const records = repo.statuses.filter((record) => record.sha === sha).reverse(); // newest first
      const page = paginate(records, ctx);
      return {
        status: 200,
        body: page.items.map((record) => commitStatus(repo, record)),
        headers: page.headers,
      };
    }),

    route('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', async (ctx) => {
      const repo = repoFromParams(ctx.params);
      const ref = ctx.params.ref ?? '';
      const sha = await resolve(repo, ref);
      if (sha === undefined) {
        throw new ApiError(422, {
          message: `No commit found for SHA: ${ref}`,
          documentation_url: `${DOCS}/checks/runs#list-check-runs-for-a-git-reference`,
          status: '422',
        });
      }
      const name = ctx.query.get('check_name');
      const status = ctx.query.get('status');
      let runs = repo.checkRuns.filter((run) => run.sha === sha);
      if (ctx.query.get('filter') !== 'all') {
        // `filter=latest` (the default): the most recent run per check name.
        const latest = new Map<string, CheckRunRecord>();
        for (const run of runs) latest.set(run.name, run);
        runs = [...latest.values()];
      }
      runs = runs
        .filter((run) => (!name || run.name === name) && (!status || run.status === status))
        .sort((a, b) => b.id - a.id);
      const page = paginate(runs, ctx);
      const body: JsonBodyOf<operations['checks/list-for-ref'], 200> = {
        total_count: runs.length,
        check_runs: page.items.map((run) => checkRun(repo, run)),
      };
      return { status: 200, body, headers: page.headers };
    }),

    route('POST /repos/{owner}/{repo}/statuses/{sha}', async (ctx) => {
      const repo = repoFromParams(ctx.params);
      const docs = `${DOCS}/commits/statuses#create-a-commit-status`;
      const input = asObject(ctx.body, docs);
      const state = oneOf(
        requiredString(input, 'state', docs),
        ['error', 'failure', 'pending', 'success'],
        'state',
        docs,
      );
      const request: JsonBody<operations['repos/create-commit-status']> = {
        state: state as StatusState,
        target_url: optionalNullableString(input, 'target_url', docs) ?? null,
        description: optionalNullableString(input, 'description', docs) ?? null,
        context: optionalString(input, 'context', docs) ?? 'default',
      };
      const given = ctx.params.sha ?? '';
      const sha = await resolve(repo, given);
      if (sha === undefined) {
        throw new ApiError(422, {
          message: `No commit found for SHA: ${given}`,
          documentation_url: docs,
          status: '422',
        });
      }
      const record = recordStatus(
        repo,
        sha,
        {
          state: request.state,
          context: request.context ?? 'default',
          description: request.description ?? null,
          targetUrl: request.target_url ?? null,
        },
        login,
      );
      const body = commitStatus(repo, record);
      return created(body, body.url);
    }),
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
    const url = new URL(req.url ?? '/', apiBase);
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
  apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl: apiBase,
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

type JsonBodyOf<Op, Status extends number> = Op extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

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
