/**
 * The fake GitHub's types: response shapes from GitHub's OpenAPI description (@octokit/openapi-types),
 * the public options and handle, and the in-memory state the routes keep.
 */
import type { components, operations } from '@octokit/openapi-types';

// ---------------------------------------------------------------------------------------------------
// Types from the OpenAPI description
// ---------------------------------------------------------------------------------------------------

export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];
/** The JSON request body an operation accepts. */
export type JsonBody<Op> = Op extends { requestBody?: { content: { 'application/json': infer Body } } }
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
export type ValidationErrorBody = Schema<'validation-error'> & { status?: string };
export type ValidationErrorItem = NonNullable<Schema<'validation-error'>['errors']>[number];
export type StatusState = JsonBody<operations['repos/create-commit-status']>['state'];
export type CheckStatus = CheckRun['status'];
export type CheckConclusion = CheckRun['conclusion'];

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
  /** Drop every queued fault (a run that never made the call it was aimed at); how many were left. */
  clearFaults(): number;
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

// ---------------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------------

export interface RepoState {
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

export interface PullState {
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

export interface CommentState {
  readonly id: number;
  readonly issueNumber: number;
  body: string;
  readonly author: string;
  readonly createdAt: string;
  updatedAt: string;
}

export interface LabelState {
  readonly id: number;
  readonly name: string;
  readonly color: string;
  readonly description: string | null;
}

export interface StatusRecord {
  readonly id: number;
  readonly sha: string;
  readonly state: StatusState;
  readonly context: string;
  readonly description: string | null;
  readonly targetUrl: string | null;
  readonly creator: string;
  readonly createdAt: string;
}

export interface CheckRunRecord {
  readonly id: number;
  readonly sha: string;
  readonly name: string;
  readonly status: CheckStatus;
  readonly conclusion: CheckConclusion;
  readonly startedAt: string | null;
  readonly completedAt: string | null;
  readonly detailsUrl: string | null;
}

export type JsonBodyOf<Op, Status extends number> = Op extends {
  responses: { [S in Status]: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;
