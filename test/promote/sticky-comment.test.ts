/**
 * The sticky PR-preview comment through the GitHub adapter, against the fake GitHub: the first run
 * posts it, a later run edits it in place, an unchanged run writes nothing, and there is never a second
 * one — also when it sits on a later page of a long conversation.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GitHubCodeHost } from '../../src/promote/scm/github.ts';
import { fastPluginOptions, startFakeGitHub, type FakeGitHub } from '../support/fake-github.ts';

const TOKEN = 'ghs_sticky_comment_token_123456';
const MARKER = '<!-- envmatrix:preview -->';
const CREATE = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
const UPDATE = 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}';

let github: FakeGitHub;
let host: GitHubCodeHost;
let pr: number;

beforeEach(async () => {
  github = await startFakeGitHub({
    token: TOKEN,
    repos: [{ fullName: 'acme/platform', branches: { main: 'a'.repeat(40), 'feature/x': 'b'.repeat(40) } }],
  });
  host = new GitHubCodeHost({
    repository: 'acme/platform',
    token: TOKEN,
    apiUrl: github.baseUrl,
    ...fastPluginOptions(),
  });
  pr = (
    await host.createPullRequest({ branch: 'feature/x', base: 'main', title: 'Change the matrix', body: '' })
  ).number;
});

afterEach(async () => {
  expect(github.callsMentioning(TOKEN)).toEqual([]);
  await github.close();
});

const previews = () => github.issueComments(pr).filter((c) => c.body?.includes(MARKER));

describe('upsertStickyComment', () => {
  it('posts the comment once, then edits it in place; an unchanged body writes nothing', async () => {
    const first = await host.upsertStickyComment(pr, MARKER, `${MARKER}\nfirst render`);
    expect(first.action).toBe('created');
    expect(github.countWrites(CREATE)).toBe(1);

    const writes = github.writeCalls().length;
    expect(await host.upsertStickyComment(pr, MARKER, `${MARKER}\nfirst render`)).toEqual({
      id: first.id,
      action: 'unchanged',
    });
    expect(github.writeCalls().length).toBe(writes);

    expect(await host.upsertStickyComment(pr, MARKER, `${MARKER}\nsecond render`)).toEqual({
      id: first.id,
      action: 'updated',
    });
    expect(github.countWrites(CREATE)).toBe(1);
    expect(github.countWrites(UPDATE)).toBe(1);
    expect(previews().map((c) => [c.id, c.body])).toEqual([[first.id, `${MARKER}\nsecond render`]]);
  });

  it('adds the marker when the body lacks it, so the next run finds the comment', async () => {
    const first = await host.upsertStickyComment(pr, MARKER, 'no marker here');
    expect(previews().map((c) => c.body)).toEqual([`${MARKER}\nno marker here`]);
    expect(await host.upsertStickyComment(pr, MARKER, 'no marker here')).toEqual({
      id: first.id,
      action: 'unchanged',
    });
  });

  it('finds its comment on a later page of a long conversation and leaves other comments alone', async () => {
    await host.comment(pr, 'a reviewer: looks odd');
    for (let i = 0; i < 105; i++) await host.comment(pr, `chatter ${i}`);
    // Comment 107: on the second page of 100.
    const first = await host.upsertStickyComment(pr, MARKER, `${MARKER}\nv1`);
    expect(first.action).toBe('created');
    expect(await host.upsertStickyComment(pr, MARKER, `${MARKER}\nv2`)).toEqual({
      id: first.id,
      action: 'updated',
    });
    expect(github.calls.some((c) => c.route?.endsWith('/comments') && c.query.page === '2')).toBe(true);
    expect(previews().map((c) => c.body)).toEqual([`${MARKER}\nv2`]);
    expect(github.issueComments(pr)[0]!.body).toBe('a reviewer: looks odd');
    expect(github.issueComments(pr)).toHaveLength(107);
  });
});
