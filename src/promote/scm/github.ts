/**
 * The code-host half of the Scm: GitHub's REST API through Octokit, the one file that imports it.
 *
 * @octokit/plugin-retry retries 5xx answers and dropped connections; @octokit/plugin-throttling queues
 * writes, honours `Retry-After` and retries primary and secondary rate limits. Every failure leaves as a
 * GitHubApiError with the status, GitHub's message and a next step — never the token (Octokit redacts
 * the Authorization header, and every message goes through `redact` as well).
 */
import { retry, type RetryOptions } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { setTimeout as sleep } from 'node:timers/promises';
import { Octokit } from '@octokit/rest';
import { GitHubApiError, SCM_DEFAULT_FIXES, type ScmErrorKind } from './errors.ts';
import { UsageError } from '../../core/errors.ts';
import { redact } from './secrets.ts';
import type { HealthCheck, HealthState, Reviewers } from './scm.ts';
import type { CodeHostOperations, CommitStatus, PullRequest, StickyCommentHost } from './scm.ts';

const BotOctokit = Octokit.plugin(retry, throttling);
type BotOctokit = InstanceType<typeof BotOctokit>;

export interface GitHubOptions {
  /** `owner/name`. */
  readonly repository: string;
  readonly token: string;
  /** REST API root; GHES: `https://<host>/api/v3`. @default 'https://api.github.com' */
  readonly apiUrl?: string;
  /** How many times a rate-limited request is retried after waiting. @default 3 */
  readonly rateLimitRetries?: number;
  /** Override the plugins' options (tests shorten the waits). */
  readonly retry?: RetryOptions;
  readonly throttle?: ThrottlingOptions;
  /** Where Octokit's own warnings go (deprecations, rate-limit notices). @default dropped */
  readonly log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export const DEFAULT_API_URL = 'https://api.github.com';

/** `owner/name` from `--repo`, `GITHUB_REPOSITORY`, or throws a UsageError. */
export function parseRepository(value: string | undefined): { owner: string; repo: string } {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(value ?? '');
  if (!match) {
    throw new UsageError(
      `the repository ${value === undefined ? 'is not set' : `"${value}" is not owner/name`}: pass --repo owner/name or set GITHUB_REPOSITORY`,
    );
  }
  return { owner: match[1]!, repo: match[2]! };
}

interface ErrorLike {
  readonly status?: number;
  readonly message?: string;
  readonly response?: { readonly data?: unknown };
  readonly request?: unknown;
}

/**
 * GitHub's answers onto the neutral kinds. Sources: REST API docs, "Troubleshooting" and "Rate limits"
 * (https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api): 401 bad credentials;
 * 403 or 429 with a rate-limit message; 403 otherwise a permission; 409 a conflict; 422 validation failed
 * ("A pull request already exists for …" when the PR is there already); 5xx and no answer (status 0).
 */
export function classifyGitHubError(status: number, detail: string): ScmErrorKind {
  if (status === 401) return 'auth';
  if (status === 429 || (status === 403 && /rate limit/i.test(detail))) return 'rate-limited';
  if (status === 403) return 'refused';
  if (status === 409) return 'conflict';
  if (status === 422 && /already exists/i.test(detail)) return 'exists';
  if (status === 0 || status >= 500) return 'network';
  return 'invalid-input';
}

function fixFor(kind: ScmErrorKind, status: number, repository: string, apiUrl: string): string {
  switch (kind) {
    case 'auth':
      return 'the token is missing, expired or revoked: check GITHUB_TOKEN';
    case 'rate-limited':
      return 'GitHub rate-limited the bot and the retries ran out; run again later (a rerun converges)';
    case 'refused':
      return `the token needs contents: write and pull-requests: write on ${repository}`;
    case 'network':
      return status === 0
        ? `no answer from ${apiUrl} and the retries ran out: check the network (and GITHUB_API_URL), then run again`
        : 'GitHub or the network failed and the retries ran out; run again (a rerun converges)';
    case 'invalid-input':
      if (status === 404) return `check --repo (${repository}) and that the token can see it`;
      if (status === 422) return 'GitHub refused the request as sent; the detail says which field';
      return 'see the detail; run again once it is fixed';
    case 'exists':
    case 'conflict':
      return SCM_DEFAULT_FIXES[kind];
  }
}

export class GitHubCodeHost implements CodeHostOperations, StickyCommentHost {
  readonly repository: string;
  private readonly owner: string;
  private readonly repo: string;
  private readonly octokit: BotOctokit;

  constructor(private readonly options: GitHubOptions) {
    const { owner, repo } = parseRepository(options.repository);
    this.owner = owner;
    this.repo = repo;
    this.repository = `${owner}/${repo}`;
    const retries = options.rateLimitRetries ?? 3;
    const log = options.log ?? (() => undefined);
    this.octokit = new BotOctokit({
      auth: options.token,
      baseUrl: (options.apiUrl ?? DEFAULT_API_URL).replace(/\/$/, ''),
      userAgent: 'envmatrix-promotion-bot',
      log: {
        debug: (m: string) => log('debug', redact(m, [options.token])),
        info: (m: string) => log('info', redact(m, [options.token])),
        warn: (m: string) => log('warn', redact(m, [options.token])),
        error: (m: string) => log('error', redact(m, [options.token])),
      },
      retry: options.retry ?? {},
      throttle: options.throttle ?? {
        onRateLimit: (retryAfter, request, _octokit, retryCount) => {
          log(
            'warn',
            `rate limited on ${request.method} ${request.url}; retry ${retryCount + 1} in ${retryAfter}s`,
          );
          return retryCount < retries;
        },
        onSecondaryRateLimit: (retryAfter, request, _octokit, retryCount) => {
          log(
            'warn',
            `secondary rate limit on ${request.method} ${request.url}; retry ${retryCount + 1} in ${retryAfter}s`,
          );
          return retryCount < retries;
        },
      },
    });
  }

  private async call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.wrap(operation, error);
    }
  }

  private wrap(operation: string, error: unknown): GitHubApiError {
    const e = (typeof error === 'object' && error !== null ? error : {}) as ErrorLike;
    // @octokit/request reports a failed fetch (refused connection, socket closed mid-answer) as a
    // RequestError with status 500 and no response; GitHub said nothing, so there is no status.
    const answered = e.response !== undefined;
    const status = answered && typeof e.status === 'number' ? e.status : 0;
    const data = e.response?.data as
      { message?: string; errors?: { message?: string; field?: string; code?: string }[] } | undefined;
    const parts = [
      data?.message ?? e.message ?? String(error),
      ...(data?.errors ?? []).map(
        (item) => item.message ?? [item.field, item.code].filter(Boolean).join(' '),
      ),
    ];
    const detail = redact(parts.filter(Boolean).join('; '), [this.options.token]);
    const kind = classifyGitHubError(status, detail);
    const apiUrl = (this.options.apiUrl ?? DEFAULT_API_URL).replace(/\/$/, '');
    return new GitHubApiError(
      kind,
      operation,
      status,
      answered ? detail : `no answer (${detail})`,
      fixFor(kind, status, this.repository, apiUrl),
    );
  }

  async pullRequests(branch: string, base: string): Promise<PullRequest[]> {
    const { data } = await this.call(`list pull requests for ${branch}`, () =>
      this.octokit.rest.pulls.list({
        owner: this.owner,
        repo: this.repo,
        head: `${this.owner}:${branch}`,
        base,
        state: 'all',
        sort: 'created',
        direction: 'desc',
        per_page: 20,
      }),
    );
    return data.map((pr) => ({
      number: pr.number,
      url: pr.html_url,
      state: pr.state === 'open' ? 'open' : 'closed',
      merged: pr.merged_at !== null,
      title: pr.title,
      body: pr.body ?? '',
      branch: pr.head.ref,
      base: pr.base.ref,
      labels: pr.labels.map((label) => label.name),
      requested: {
        users: (pr.requested_reviewers ?? []).map((user) => user.login),
        teams: (pr.requested_teams ?? []).map((team) => team.slug),
      },
    }));
  }

  async createPullRequest(input: {
    branch: string;
    base: string;
    title: string;
    body: string;
  }): Promise<PullRequest> {
    const { data } = await this.call(`create pull request from ${input.branch}`, () =>
      this.octokit.rest.pulls.create({
        owner: this.owner,
        repo: this.repo,
        head: input.branch,
        base: input.base,
        title: input.title,
        body: input.body,
        maintainer_can_modify: false,
      }),
    );
    return {
      number: data.number,
      url: data.html_url,
      state: 'open',
      merged: false,
      title: data.title,
      body: data.body ?? '',
      branch: data.head.ref,
      base: data.base.ref,
      labels: data.labels.map((label) => label.name),
      requested: { users: [], teams: [] },
    };
  }

  async updatePullRequest(number: number, input: { title: string; body: string }): Promise<void> {
    await this.call(`update pull request #${number}`, () =>
      this.octokit.rest.pulls.update({ owner: this.owner, repo: this.repo, pull_number: number, ...input }),
    );
  }

  async addLabels(number: number, labels: readonly string[]): Promise<void> {
    await this.call(`label pull request #${number}`, () =>
      this.octokit.rest.issues.addLabels({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        labels: [...labels],
      }),
    );
  }

  async requestReviewers(number: number, reviewers: Reviewers): Promise<void> {
    if (reviewers.users.length === 0 && reviewers.teams.length === 0) return;
    await this.call(`request reviewers on #${number}`, () =>
      this.octokit.rest.pulls.requestReviewers({
        owner: this.owner,
        repo: this.repo,
        pull_number: number,
        reviewers: [...reviewers.users],
        team_reviewers: [...reviewers.teams],
      }),
    );
  }

  /**
   * Post `body` on #number once. Creating a comment is the one write GitHub does not deduplicate (a
   * second PR from one branch, or a label already there, is refused or a no-op), and a POST retried
   * after its answer was lost (GitHub applied it) would post it twice; so is a rerun after a run that
   * failed past it. The create is therefore not retried by Octokit: before each try the PR's comments
   * are read, and one with this very body counts as posted. Tries and waits follow the retry options.
   */
  async comment(number: number, body: string): Promise<void> {
    const retries = this.options.retry?.retries ?? 3;
    const baseMs = this.options.retry?.retryAfterBaseValue ?? 1000;
    for (let attempt = 0; ; attempt++) {
      if ((await this.comments(number)).some((comment) => comment.body === body)) return;
      try {
        await this.call(`comment on #${number}`, () =>
          this.octokit.rest.issues.createComment({
            owner: this.owner,
            repo: this.repo,
            issue_number: number,
            body,
            request: { retries: 0 },
          }),
        );
        return;
      } catch (error) {
        if (attempt >= retries || !(error instanceof GitHubApiError && error.kind === 'network')) throw error;
        // plugin-retry's wait: (tries so far)² × the base.
        await sleep((attempt + 1) ** 2 * baseMs);
      }
    }
  }

  /** Every comment on #number, oldest first (every page: a long-lived PR may have many). */
  private comments(number: number) {
    return this.call(`list comments on #${number}`, () =>
      this.octokit.paginate(this.octokit.rest.issues.listComments, {
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        per_page: 100,
      }),
    );
  }

  async upsertStickyComment(
    number: number,
    marker: string,
    body: string,
  ): Promise<{ id: number; action: 'created' | 'updated' | 'unchanged' }> {
    const text = body.includes(marker) ? body : `${marker}\n${body}`;
    // On a long-lived PR the comment may be far back. The oldest match is the one kept.
    const comments = await this.comments(number);
    const existing = comments.find((comment) => comment.body?.includes(marker));
    if (existing && existing.body === text) return { id: existing.id, action: 'unchanged' };
    if (existing) {
      await this.call(`update comment ${existing.id} on #${number}`, () =>
        this.octokit.rest.issues.updateComment({
          owner: this.owner,
          repo: this.repo,
          comment_id: existing.id,
          body: text,
        }),
      );
      return { id: existing.id, action: 'updated' };
    }
    const { data } = await this.call(`comment on #${number}`, () =>
      this.octokit.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: number,
        body: text,
      }),
    );
    return { id: data.id, action: 'created' };
  }

  async closePullRequest(number: number): Promise<void> {
    await this.call(`close pull request #${number}`, () =>
      this.octokit.rest.pulls.update({
        owner: this.owner,
        repo: this.repo,
        pull_number: number,
        state: 'closed',
      }),
    );
  }

  async setCommitStatus(sha: string, status: CommitStatus): Promise<void> {
    await this.call(`set status ${status.context} on ${sha.slice(0, 7)}`, () =>
      this.octokit.rest.repos.createCommitStatus({
        owner: this.owner,
        repo: this.repo,
        sha,
        state: status.state,
        context: status.context,
        description: status.description.slice(0, 140),
        ...(status.targetUrl && { target_url: status.targetUrl }),
      }),
    );
  }

  async commitHealth(sha: string, contexts: readonly string[]): Promise<HealthCheck[]> {
    const found = new Map<string, HealthCheck>();
    const { data: combined } = await this.call(`read commit statuses of ${sha.slice(0, 7)}`, () =>
      this.octokit.rest.repos.getCombinedStatusForRef({
        owner: this.owner,
        repo: this.repo,
        ref: sha,
        per_page: 100,
      }),
    );
    for (const status of combined.statuses) {
      if (contexts.includes(status.context) && !found.has(status.context)) {
        found.set(status.context, {
          context: status.context,
          state: status.state as HealthState,
          via: 'status',
          ...(status.target_url && { url: status.target_url }),
        });
      }
    }
    if (contexts.some((context) => !found.has(context))) {
      // Every page: a commit with more than 100 check runs (matrix builds) hid the rest (issue 12).
      const runs = await this.call(`read check runs of ${sha.slice(0, 7)}`, () =>
        this.octokit.paginate(this.octokit.rest.checks.listForRef, {
          owner: this.owner,
          repo: this.repo,
          ref: sha,
          per_page: 100,
        }),
      );
      for (const run of runs) {
        if (!contexts.includes(run.name) || found.has(run.name)) continue;
        const state: HealthState =
          run.status !== 'completed'
            ? 'pending'
            : run.conclusion === 'success' || run.conclusion === 'neutral' || run.conclusion === 'skipped'
              ? run.conclusion
              : 'failure';
        found.set(run.name, {
          context: run.name,
          state,
          via: 'check-run',
          // details_url is the integrator's page for the run (Argo CD, the test report), as target_url is
          // for a status; GitHub's own check-run page when the integrator gave none.
          ...((run.details_url || run.html_url) && { url: (run.details_url || run.html_url)! }),
        });
      }
    }
    return contexts.map((context) => found.get(context) ?? { context, state: 'missing' });
  }
}
