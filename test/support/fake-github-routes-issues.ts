/** The fake GitHub's routes for issue labels and comments. */
import type { operations } from '@octokit/openapi-types';
import type { CommentState, JsonBody } from './fake-github-types.ts';
import { ApiError, DOCS, asObject, notFound, requiredString, route } from './fake-github-routing.ts';
import type { Route } from './fake-github-routing.ts';
import type { FakeStore } from './fake-github-store.ts';
import type { Shapes } from './fake-github-shapes.ts';

export function issuesRoutes(store: FakeStore, shapes: Shapes): Route[] {
  const { login, now, newId, repoFromParams, pullOf, paginate, ensureLabel, labelNames, created } = store;
  const { labelsOf, issueComment } = shapes;
  return [
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
  ];
}
