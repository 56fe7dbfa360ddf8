/** The fake GitHub's routes for pull requests: list, create, get, update, request reviewers. */
import type { operations } from '@octokit/openapi-types';
import type { JsonBody, PullRequestSimple, PullState, ValidationErrorItem } from './fake-github-types.ts';
import {
  ApiError,
  DOCS,
  asObject,
  invalidRequest,
  oneOf,
  optionalBoolean,
  optionalNullableString,
  optionalString,
  optionalStringArray,
  requiredString,
  route,
  validationFailed,
} from './fake-github-routing.ts';
import type { Route } from './fake-github-routing.ts';
import type { FakeStore } from './fake-github-store.ts';
import type { Shapes } from './fake-github-shapes.ts';

export function pullsRoutes(store: FakeStore, shapes: Shapes): Route[] {
  const {
    login,
    now,
    newId,
    repoFromParams,
    resolve,
    pullOf,
    refreshHead,
    paginate,
    openPullForHead,
    created,
  } = store;
  const { pullRequest, pullRequestSimple } = shapes;
  return [
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
  ];
}
