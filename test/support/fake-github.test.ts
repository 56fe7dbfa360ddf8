import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGit, startGitRemote } from './git-remote.ts';
import { requireTool, which } from './tools.ts';
import {
  fastPluginOptions,
  primaryRateLimit,
  secondaryRateLimit,
  startFakeGitHub,
  type FakeGitHub,
} from './fake-github.ts';

const BotOctokit = Octokit.plugin(retry, throttling);
const TOKEN = 'ghs_faketoken_abcdef123456';
const SHA = {
  main: 'a'.repeat(40),
  promote: 'b'.repeat(40),
  other: 'c'.repeat(40),
  merge: 'd'.repeat(40),
};

let github: FakeGitHub;
let octokit: InstanceType<typeof BotOctokit>;

function client(options: Partial<ReturnType<typeof fastPluginOptions>> = {}) {
  return new BotOctokit({
    baseUrl: github.baseUrl,
    auth: TOKEN,
    ...fastPluginOptions(),
    ...options,
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

beforeEach(async () => {
  github = await startFakeGitHub({
    token: TOKEN,
    repos: [
      {
        fullName: 'acme/platform',
        branches: { main: SHA.main, 'promote/prod': SHA.promote, 'promote/staging': SHA.other },
        collaborators: ['alice', 'bob'],
        teams: ['sre'],
      },
    ],
  });
  octokit = client();
});
afterEach(async () => {
  expect(github.callsMentioning(TOKEN)).toEqual([]);
  await github.close();
});

const repo = { owner: 'acme', repo: 'platform' } as const;

async function createPromotionPr() {
  const { data } = await octokit.rest.pulls.create({
    ...repo,
    head: 'promote/prod',
    base: 'main',
    title: 'Promote api 1.4.2 → 1.5.0 to prod',
    body: 'plan',
  });
  return data;
}

/** A request Octokit's types would refuse to build (invalid input on purpose). */
async function rawRequest(method: string, path: string, body: unknown) {
  const response = await fetch(`${github.baseUrl}${path}`, {
    method,
    headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    data: (await response.json()) as { message: string; errors?: unknown[] },
  };
}

/** The rejection of `promise`, for asserting on Octokit's RequestError (name 'HttpError'). */
async function rejection(
  promise: Promise<unknown>,
): Promise<{ status: number; message: string; name: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; message: string; name: string };
  }
  throw new Error('expected the request to fail');
}

describe('fake GitHub: repositories and auth', () => {
  it('serves a repository with the fields Octokit consumers read', async () => {
    const { data } = await octokit.rest.repos.get(repo);
    expect(data).toMatchObject({
      full_name: 'acme/platform',
      default_branch: 'main',
      owner: { login: 'acme' },
    });
    expect(github.calls.at(-1)).toMatchObject({
      route: 'GET /repos/{owner}/{repo}',
      authScheme: 'token',
      authorized: true,
    });
  });

  it('404s an unknown repository', async () => {
    const error = await rejection(octokit.rest.repos.get({ owner: 'acme', repo: 'nope' }));
    expect(error).toMatchObject({ name: 'HttpError', status: 404 });
  });

  it('401s a wrong token and a missing one, and never records the credential', async () => {
    const wrong = new BotOctokit({ baseUrl: github.baseUrl, auth: 'not-it', ...fastPluginOptions() });
    expect(await rejection(wrong.rest.repos.get(repo))).toMatchObject({
      status: 401,
      message: expect.stringContaining('Bad credentials') as string,
    });
    const anonymous = new BotOctokit({ baseUrl: github.baseUrl, ...fastPluginOptions() });
    expect(await rejection(anonymous.rest.repos.get(repo))).toMatchObject({
      status: 401,
      message: expect.stringContaining('Requires authentication') as string,
    });
    expect(JSON.stringify(github.calls)).not.toContain('not-it');
  });

  it('finds a secret that leaked into a request body', async () => {
    const secret = 'ghp_leaked_0000';
    await createPromotionPr();
    await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: `oops ${secret}` });
    expect(github.callsMentioning(secret)).toHaveLength(1);
    expect(github.callsMentioning(secret)[0]?.route).toBe(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
    );
  });
});

describe('fake GitHub: pull requests', () => {
  it('creates a PR with the realistic shape', async () => {
    const pr = await createPromotionPr();
    expect(pr).toMatchObject({
      number: 1,
      state: 'open',
      title: 'Promote api 1.4.2 → 1.5.0 to prod',
      body: 'plan',
      html_url: 'https://github.com/acme/platform/pull/1',
      head: { ref: 'promote/prod', sha: SHA.promote, label: 'acme:promote/prod' },
      base: { ref: 'main', sha: SHA.main },
      merged: false,
      merged_at: null,
      labels: [],
      requested_reviewers: [],
      requested_teams: [],
      user: { login: 'envmatrix-bot' },
    });
    expect(github.countWrites('POST /repos/{owner}/{repo}/pulls')).toBe(1);
    expect(github.calls.at(-1)?.body).toEqual({
      head: 'promote/prod',
      base: 'main',
      title: pr.title,
      body: 'plan',
    });
  });

  it('refuses a second open PR for the same head with a 422 RequestError', async () => {
    await createPromotionPr();
    const error = await rejection(createPromotionPr());
    expect(error).toMatchObject({ name: 'HttpError', status: 422 });
    expect(error.message).toContain('A pull request already exists for acme:promote/prod.');
    // 422 is not retried: exactly two create attempts reached the server.
    expect(github.countWrites('POST /repos/{owner}/{repo}/pulls')).toBe(2);
  });

  it('validates required fields, unknown branches and empty diffs', async () => {
    const missingTitle = await rawRequest('POST', '/repos/acme/platform/pulls', {
      head: 'promote/prod',
      base: 'main',
    });
    expect(missingTitle).toMatchObject({
      status: 422,
      data: { message: `Invalid request.\n\n"title" wasn't supplied.` },
    });
    const wrongType = await rawRequest('POST', '/repos/acme/platform/pulls', {
      head: 'promote/prod',
      base: 'main',
      title: 7,
    });
    expect(wrongType.data.message).toContain(`For 'properties/title', 7 is not a string.`);

    const badHead = await rejection(
      octokit.rest.pulls.create({ ...repo, head: 'nope', base: 'main', title: 't' }),
    );
    expect(badHead.status).toBe(422);
    expect(badHead.message).toContain('"field":"head","code":"invalid"');

    github.setBranch('acme/platform', 'same', SHA.main);
    const empty = await rejection(
      octokit.rest.pulls.create({ ...repo, head: 'same', base: 'main', title: 't' }),
    );
    expect(empty.message).toContain('No commits between main and same');
  });

  it('lists by state, head (owner:branch only) and base, and paginates', async () => {
    await createPromotionPr();
    await octokit.rest.pulls.create({ ...repo, head: 'promote/staging', base: 'main', title: 'staging' });
    await octokit.rest.pulls.update({ ...repo, pull_number: 2, state: 'closed' });

    const open = await octokit.rest.pulls.list({ ...repo, head: 'acme:promote/prod' });
    expect(open.data.map((pr) => pr.number)).toEqual([1]);
    expect((await octokit.rest.pulls.list({ ...repo, head: 'acme:promote/staging' })).data).toEqual([]);
    expect(
      (await octokit.rest.pulls.list({ ...repo, head: 'acme:promote/staging', state: 'closed' })).data,
    ).toHaveLength(1);
    expect((await octokit.rest.pulls.list({ ...repo, state: 'all', base: 'prod' })).data).toEqual([]);
    // As on GitHub, a head without "owner:" filters nothing.
    expect(
      (await octokit.rest.pulls.list({ ...repo, head: 'promote/prod', state: 'all' })).data,
    ).toHaveLength(2);

    const all = await octokit.paginate(octokit.rest.pulls.list, { ...repo, state: 'all', per_page: 1 });
    expect(all.map((pr) => pr.number)).toEqual([2, 1]);
  });

  it('updates title and body, follows the head branch while open, and refuses a duplicate reopen', async () => {
    await createPromotionPr();
    github.setBranch('acme/platform', 'promote/prod', SHA.other);
    const { data } = await octokit.rest.pulls.update({
      ...repo,
      pull_number: 1,
      title: 'new title',
      body: 'new body',
    });
    expect(data).toMatchObject({ title: 'new title', body: 'new body', head: { sha: SHA.other } });

    await octokit.rest.pulls.update({ ...repo, pull_number: 1, state: 'closed' });
    await createPromotionPr(); // #2, same head, allowed once #1 is closed
    const reopen = await rejection(octokit.rest.pulls.update({ ...repo, pull_number: 1, state: 'open' }));
    expect(reopen).toMatchObject({
      status: 422,
      message: expect.stringContaining('A pull request already exists') as string,
    });
    expect(await rejection(octokit.rest.pulls.get({ ...repo, pull_number: 99 }))).toMatchObject({
      status: 404,
    });
  });

  it('adds labels (creating unknown ones), sets and removes them', async () => {
    await createPromotionPr();
    const added = await octokit.rest.issues.addLabels({
      ...repo,
      issue_number: 1,
      labels: ['envmatrix', 'env:prod'],
    });
    expect(added.data.map((label) => label.name)).toEqual(['envmatrix', 'env:prod']);
    await octokit.rest.issues.addLabels({ ...repo, issue_number: 1, labels: ['ENVMATRIX'] }); // case-insensitive
    const pr = await octokit.rest.pulls.get({ ...repo, pull_number: 1 });
    expect(pr.data.labels.map((label) => label.name)).toEqual(['envmatrix', 'env:prod']);

    await octokit.rest.issues.removeLabel({ ...repo, issue_number: 1, name: 'env:prod' });
    expect(
      (await octokit.rest.issues.setLabels({ ...repo, issue_number: 1, labels: ['a', 'b'] })).data.map(
        (l) => l.name,
      ),
    ).toEqual(['a', 'b']);
    expect(
      await rejection(octokit.rest.issues.removeLabel({ ...repo, issue_number: 1, name: 'zzz' })),
    ).toMatchObject({ status: 404 });
  });

  it('requests reviewers and teams, refusing strangers and the author', async () => {
    await createPromotionPr();
    const { data } = await octokit.rest.pulls.requestReviewers({
      ...repo,
      pull_number: 1,
      reviewers: ['alice'],
      team_reviewers: ['sre'],
    });
    expect(data.requested_reviewers?.map((user) => user.login)).toEqual(['alice']);
    expect(data.requested_teams?.map((team) => team.slug)).toEqual(['sre']);

    const stranger = await rejection(
      octokit.rest.pulls.requestReviewers({ ...repo, pull_number: 1, reviewers: ['mallory'] }),
    );
    expect(stranger).toMatchObject({
      status: 422,
      message: expect.stringContaining('Reviews may only be requested from collaborators') as string,
    });
    const author = await rejection(
      octokit.rest.pulls.requestReviewers({ ...repo, pull_number: 1, reviewers: ['envmatrix-bot'] }),
    );
    expect(author.message).toContain('Review cannot be requested from pull request author.');
    expect((await github.pullRequest(1)).requested_reviewers?.map((user) => user.login)).toEqual(['alice']);
  });

  it('creates, lists and edits issue comments', async () => {
    await createPromotionPr();
    const first = await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: 'plan v1' });
    await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: 'second' });
    await octokit.rest.issues.updateComment({ ...repo, comment_id: first.data.id, body: 'plan v2' });
    const { data } = await octokit.rest.issues.listComments({ ...repo, issue_number: 1 });
    expect(data.map((comment) => comment.body)).toEqual(['plan v2', 'second']);
    expect(github.issueComments(1)).toHaveLength(2);
    const missingBody = await rawRequest('POST', '/repos/acme/platform/issues/1/comments', {});
    expect(missingBody.status).toBe(422);
    expect(await rawRequest('POST', '/repos/acme/platform/issues/7/comments', { body: 'x' })).toMatchObject({
      status: 404,
    });
  });

  it('mergePullRequest simulates a human merge that the bot then observes', async () => {
    await createPromotionPr();
    await github.mergePullRequest(1, SHA.merge, { mergedBy: 'alice' });
    const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: 1 });
    expect(data).toMatchObject({
      state: 'closed',
      merged: true,
      merge_commit_sha: SHA.merge,
      merged_by: { login: 'alice' },
    });
    expect(data.merged_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // a human merge is not an API write by the bot
    expect(github.countWrites()).toBe(1);
    expect(
      await rejection(octokit.rest.pulls.update({ ...repo, pull_number: 1, state: 'open' })),
    ).toMatchObject({ status: 422 });
    await expect(github.mergePullRequest(1, SHA.merge)).rejects.toThrow(/not open/);
  });
});

describe('fake GitHub: statuses and checks', () => {
  it('combines the latest status per context: pending → failure → success', async () => {
    const combined = async () =>
      (await octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: 'main' })).data;
    expect(await combined()).toMatchObject({ state: 'pending', total_count: 0, sha: SHA.main });

    await octokit.rest.repos.createCommitStatus({
      ...repo,
      sha: SHA.main,
      state: 'success',
      context: 'argocd/staging-aws',
    });
    github.addStatus('acme/platform', SHA.main, { state: 'failure', context: 'argocd/staging-gcp' });
    expect((await combined()).state).toBe('failure');

    await octokit.rest.repos.createCommitStatus({
      ...repo,
      sha: SHA.main,
      state: 'success',
      context: 'argocd/staging-gcp',
    });
    const result = await combined();
    expect(result.state).toBe('success');
    expect(result.statuses.map((status) => [status.context, status.state]).sort()).toEqual([
      ['argocd/staging-aws', 'success'],
      ['argocd/staging-gcp', 'success'],
    ]);
  });

  it('validates status input and unknown refs', async () => {
    const bad = await rawRequest('POST', `/repos/acme/platform/statuses/${SHA.main}`, { state: 'great' });
    expect(bad).toMatchObject({
      status: 422,
      data: { message: expect.stringContaining('"great" is not one of') as string },
    });
    const unknown = await rejection(
      octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: 'no-such-branch' }),
    );
    expect(unknown).toMatchObject({
      status: 422,
      message: expect.stringContaining('No commit found for SHA: no-such-branch') as string,
    });
  });

  it('lists seeded check runs, latest per name by default', async () => {
    github.addCheckRun('acme/platform', SHA.main, { name: 'synth --check', conclusion: 'failure' });
    github.addCheckRun('acme/platform', SHA.main, {
      name: 'synth --check',
      conclusion: 'success',
      completedAt: '2024-05-01T10:00:00Z',
    });
    github.addCheckRun('acme/platform', SHA.main, { name: 'e2e', status: 'in_progress' });
    const { data } = await octokit.rest.checks.listForRef({ ...repo, ref: 'main' });
    expect(data.total_count).toBe(2);
    expect(data.check_runs.map((run) => [run.name, run.status, run.conclusion])).toEqual([
      ['e2e', 'in_progress', null],
      ['synth --check', 'completed', 'success'],
    ]);
    expect(data.check_runs[1]?.completed_at).toBe('2024-05-01T10:00:00Z');
    const all = await octokit.rest.checks.listForRef({
      ...repo,
      ref: SHA.main,
      filter: 'all',
      check_name: 'synth --check',
    });
    expect(all.data.total_count).toBe(2);
  });
});

describe('fake GitHub: faults and Octokit recovery', () => {
  it('a 502 is retried by @octokit/plugin-retry and the call succeeds', async () => {
    github.failNext({ route: 'GET /repos/{owner}/{repo}', status: 502 });
    const { data } = await octokit.rest.repos.get(repo);
    expect(data.full_name).toBe('acme/platform');
    expect(github.calls.map((call) => call.status)).toEqual([502, 200]);
    expect(github.pendingFaults()).toBe(0);
  });

  it('without the retry plugin the same 502 surfaces (the fault is real)', async () => {
    github.failNext({ route: 'GET /repos/{owner}/{repo}', status: 502 });
    const plain = new Octokit({
      baseUrl: github.baseUrl,
      auth: TOKEN,
      log: { debug() {}, info() {}, warn() {}, error() {} },
    });
    expect(await rejection(plain.rest.repos.get(repo))).toMatchObject({ status: 502 });
  });

  it('a dropped connection is retried', async () => {
    github.failNext({ method: 'GET', path: '/repos/acme/platform', status: 'drop' });
    const { data } = await octokit.rest.repos.get(repo);
    expect(data.full_name).toBe('acme/platform');
    expect(github.calls.map((call) => call.status)).toEqual(['dropped', 200]);
  });

  it('a secondary rate limit (403 + retry-after) is retried by plugin-throttling after retry-after', async () => {
    const seen: number[] = [];
    octokit = client({
      throttle: {
        ...fastPluginOptions().throttle,
        retryAfterBaseValue: 50, // 1 "second" of retry-after = 50 ms: short, yet measurable
        onSecondaryRateLimit: (retryAfter, _options, _octokit, retryCount) => {
          seen.push(retryAfter);
          return retryCount < 1;
        },
      },
    });
    github.failNext({ route: 'POST /repos/{owner}/{repo}/pulls', ...secondaryRateLimit({ retryAfter: 2 }) });
    const started = Date.now();
    const pr = await createPromotionPr();
    expect(pr.number).toBe(1);
    expect(seen).toEqual([2]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(github.calls.map((call) => [call.status, call.injected])).toEqual([
      [403, true],
      [201, false],
    ]);
  });

  it('a 429 secondary rate limit is retried too', async () => {
    github.failNext({
      route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      ...secondaryRateLimit({ status: 429 }),
    });
    await createPromotionPr();
    const { data } = await octokit.rest.issues.createComment({ ...repo, issue_number: 1, body: 'hi' });
    expect(data.body).toBe('hi');
    expect(github.issueComments(1)).toHaveLength(1);
  });

  it('a primary rate limit is retried once the reset time passes', async () => {
    github.failNext({ route: 'GET /repos/{owner}/{repo}', ...primaryRateLimit({ resetInSeconds: 0 }) });
    const { data } = await octokit.rest.repos.get(repo);
    expect(data.name).toBe('platform');
    expect(github.calls.map((call) => call.status)).toEqual([403, 200]);
  });

  it('a secondary rate limit the handler declines surfaces as a 403', async () => {
    octokit = client({ throttle: { ...fastPluginOptions().throttle, onSecondaryRateLimit: () => false } });
    github.failNext({ route: 'POST /repos/{owner}/{repo}/pulls', ...secondaryRateLimit() });
    expect(await rejection(createPromotionPr())).toMatchObject({
      status: 403,
      message: expect.stringContaining('secondary rate limit') as string,
    });
    expect(await github.pullRequests()).toEqual([]);
  });

  it('afterHandling: the write lands, the client sees a 502, and its retry meets a duplicate 422', async () => {
    github.failNext({ route: 'POST /repos/{owner}/{repo}/pulls', status: 502, afterHandling: true });
    const error = await rejection(createPromotionPr());
    expect(error).toMatchObject({
      status: 422,
      message: expect.stringContaining('A pull request already exists') as string,
    });
    expect((await github.pullRequests()).map((pr) => pr.number)).toEqual([1]);
    expect(github.countWrites('POST /repos/{owner}/{repo}/pulls')).toBe(2);
  });

  it('times: a fault can repeat, and retries are bounded', async () => {
    github.failNext({ route: 'GET /repos/{owner}/{repo}', status: 503, times: 10 });
    expect(await rejection(octokit.rest.repos.get(repo))).toMatchObject({ status: 503 });
    expect(github.calls).toHaveLength(4); // first try + 3 retries (fastPluginOptions default)
  });

  it('answers 404 for routes it does not implement, and 400 for bad JSON', async () => {
    expect(await rejection(octokit.request('GET /repos/{owner}/{repo}/releases', repo))).toMatchObject({
      status: 404,
    });
    const response = await fetch(`${github.baseUrl}/repos/acme/platform/pulls`, {
      method: 'POST',
      headers: { authorization: `token ${TOKEN}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ message: 'Problems parsing JSON' });
  });
});

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');

describe.skipIf(!git.available)('fake GitHub backed by the real git remote (resolveRef)', () => {
  it('takes PR heads and status refs from the remote: pushes move an open PR, unknown branches are 422', async () => {
    const remote = await startGitRemote();
    const work = await mkdtemp(join(tmpdir(), 'envmatrix-fake-github-'));
    const backed = await startFakeGitHub({
      repos: ['acme/platform'],
      resolveRef: (fullName, ref) => remote.revParse(fullName, ref),
    });
    try {
      const seeded = await remote.createBareRepo('acme/platform');
      await runGit(['clone', '--quiet', seeded.url, work]);
      await runGit(['checkout', '--quiet', '-b', 'promote/prod'], { cwd: work });
      const commit = async (content: string): Promise<string> => {
        await writeFile(join(work, 'pin.txt'), content);
        await runGit(['add', 'pin.txt'], { cwd: work });
        await runGit(['commit', '--quiet', '-m', content], { cwd: work });
        await runGit(['push', '--quiet', 'origin', 'promote/prod'], { cwd: work });
        return (await runGit(['rev-parse', 'HEAD'], { cwd: work })).trim();
      };
      const first = await commit('1.5.0\n');

      const api = new BotOctokit({ baseUrl: backed.baseUrl, ...fastPluginOptions() });
      const unknown = await rejection(
        api.rest.pulls.create({ ...repo, head: 'promote/nope', base: 'main', title: 't' }),
      );
      expect(unknown.status).toBe(422);
      const created = await api.rest.pulls.create({
        ...repo,
        head: 'promote/prod',
        base: 'main',
        title: 'Promote',
      });
      expect(created.data.head.sha).toBe(first);
      expect(created.data.base.sha).toBe(seeded.sha);

      const second = await commit('1.5.1\n');
      expect((await api.rest.pulls.get({ ...repo, pull_number: 1 })).data.head.sha).toBe(second);
      const status = await api.rest.repos.getCombinedStatusForRef({ ...repo, ref: 'promote/prod' });
      expect(status.data.sha).toBe(second);
    } finally {
      await backed.close();
      await remote.close();
      await rm(work, { recursive: true, force: true });
    }
  });
});
