/** The fake GitHub's routes for commit statuses and check runs. */
import type { operations } from '@octokit/openapi-types';
import type {
  CheckRunRecord,
  CombinedCommitStatus,
  JsonBody,
  JsonBodyOf,
  StatusState,
} from './fake-github-types.ts';
import {
  ApiError,
  DOCS,
  asObject,
  oneOf,
  optionalNullableString,
  optionalString,
  requiredString,
  route,
} from './fake-github-routing.ts';
import type { Route } from './fake-github-routing.ts';
import type { FakeStore } from './fake-github-store.ts';
import type { Shapes } from './fake-github-shapes.ts';

export function commitsRoutes(store: FakeStore, shapes: Shapes): Route[] {
  const { login, repoFromParams, resolve, paginate, latestPerContext, recordStatus, created } = store;
  const { minimalRepository, statusBase, commitStatus, checkRun } = shapes;
  return [
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
        commit_url: `${store.apiBase}/repos/${repo.fullName}/commits/${sha}`,
        url: `${store.apiBase}/repos/${repo.fullName}/commits/${sha}/status`,
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
}
