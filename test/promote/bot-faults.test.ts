/**
 * Failures on the way and convergence after them (real git, fake GitHub): dropped pushes, 502s,
 * secondary rate limits and lost answers are retried; a run that still fails leaves a state the next
 * run finishes, with no duplicate PR and no lost pin.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GitHubApiError } from '../../src/promote/scm/errors.ts';
import { secondaryRateLimit } from '../support/fake-github.ts';
import { requireTool, which } from '../support/tools.ts';
import { createWorkbench, pinsJson, REPO, type Workbench } from './workbench.ts';

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');
const BRANCH = 'envmatrix/promote/staging-to-prod-wave-0';
const PULLS = 'POST /repos/{owner}/{repo}/pulls';
const LABELS = 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels';
const REVIEWERS = 'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers';
const STATUSES = 'POST /repos/{owner}/{repo}/statuses/{sha}';

describe.skipIf(!git.available)('promotion bot under faults', () => {
  let wb: Workbench | undefined;
  const open = async (): Promise<Workbench> => {
    wb = await createWorkbench();
    wb.github.addStatus(REPO, wb.seedSha, { state: 'success', context: 'argocd/staging' });
    return wb;
  };
  afterEach(async () => {
    await wb?.close();
    wb = undefined;
  });
  const writes = (w: Workbench) =>
    w.github.writeCalls().map((c) => `${c.route} ${c.status}${c.injected ? ' (injected)' : ''}`);
  /** One open PR, fully set up, whose branch carries the promoted pins. */
  const converged = async (w: Workbench) => {
    const prs = await w.github.pullRequests();
    expect(prs.map((pr) => [pr.number, pr.state, pr.head.ref])).toEqual([[1, 'open', BRANCH]]);
    expect(prs[0]!.labels.map((l) => l.name)).toEqual(['promotion', 'env:prod']);
    // api's migration makes every staging → prod promotion risky: the risk reviewers too.
    expect(prs[0]!.requested_teams?.map((t) => t.slug)).toEqual(['security', 'sre']);
    expect(pinsJson(await w.show(BRANCH, 'src/environments/releases/prod.json')).waves?.['0']?.api?.tag).toBe(
      '1.5.0',
    );
  };

  it('retries a push whose connection drops mid-way', async () => {
    const w = await open();
    w.remote.failNextPush({ afterBytes: 64 });
    expect((await w.promote({ wave: 0 }))[0]?.action).toBe('opened');
    // One failed `git push` (curl resends the dropped POST once itself), then the bot's retry.
    expect(
      w.remote.calls
        .filter((c) => c.service === 'git-receive-pack' && c.method === 'POST')
        .map((c) => c.status),
    ).toEqual(['dropped', 'dropped', 200]);
    await converged(w);
  });

  it('treats a push that landed but lost its answer as done', async () => {
    const w = await open();
    w.remote.failNextPush({ afterUpdate: true });
    expect((await w.promote({ wave: 0 }))[0]?.action).toBe('opened');
    // The push landed, its answer did not: the bot sees the branch at its commit and does not push again.
    expect(
      w.remote.calls
        .filter((c) => c.service === 'git-receive-pack' && c.method === 'POST')
        .map((c) => c.status),
    ).toEqual(['dropped', 'dropped']);
    await converged(w);
  });

  it('retries a 502 and a 403 secondary rate limit', async () => {
    const w = await open();
    w.github.failNext({ route: PULLS, status: 502 });
    w.github.failNext({ route: LABELS, ...secondaryRateLimit({ retryAfter: 1 }) });
    expect((await w.promote({ wave: 0 }))[0]?.action).toBe('opened');
    expect(writes(w)).toEqual([
      `${PULLS} 502 (injected)`,
      `${PULLS} 201`,
      `${REVIEWERS} 201`,
      `${STATUSES} 201`,
      `${LABELS} 403 (injected)`,
      `${LABELS} 200`,
    ]);
    expect(w.github.pendingFaults()).toBe(0);
    await converged(w);
  });

  it('adopts a PR whose creation answer was lost instead of opening a duplicate', async () => {
    const w = await open();
    w.github.failNext({ route: PULLS, status: 502, afterHandling: true });
    const [outcome] = await w.promote({ wave: 0 });
    expect(outcome?.action).toBe('updated');
    expect(outcome?.pullRequest?.number).toBe(1);
    expect(writes(w)).toEqual([
      `${PULLS} 502 (injected)`,
      `${PULLS} 422`,
      `${REVIEWERS} 201`,
      `${STATUSES} 201`,
      `${LABELS} 200`,
    ]);
    await converged(w);
  });

  it('converges on the rerun after a run that failed half-way', async () => {
    const w = await open();
    // Four 502s: the first try and the three retries all fail.
    w.github.failNext({ route: LABELS, status: 502, times: 4 });
    const failure = await w.promote({ wave: 0 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitHubApiError);
    expect((failure as Error).message).toBe(
      'GitHub label pull request #1 failed with 502: Server Error\n    fix: GitHub or the network failed and the retries ran out; run again (a rerun converges)',
    );
    expect(w.github.pendingFaults()).toBe(0);
    expect((await w.github.pullRequest(1)).labels).toEqual([]);
    const [outcome] = await w.promote({ wave: 0 });
    expect(outcome?.action).toBe('updated');
    await converged(w);
  });

  it('leaves a branch someone else pushed to alone, and says so', async () => {
    const w = await open();
    await w.promote({ wave: 0 });
    const pushed = await w.commitOnBranch(BRANCH, { 'NOTE.md': 'a human was here\n' });
    const [outcome] = await w.promote({ wave: 0, now: new Date('2025-03-05T11:00:00Z') });
    expect(outcome?.action).toBe('edited');
    expect(outcome?.warnings).toEqual([
      `${BRANCH} has commits the bot did not write; it is left alone. Delete the branch (or merge/close its PR) to let the bot take over again.`,
    ]);
    expect(await w.remote.revParse(REPO, BRANCH)).toBe(pushed);
    expect(writes(w)).toEqual([`${PULLS} 201`, `${REVIEWERS} 201`, `${STATUSES} 201`, `${LABELS} 200`]);
  });

  it('does not reopen a PR a reviewer closed: its versions are stopped (test/promote/bot-stops.test.ts)', async () => {
    const w = await open();
    await w.promote({ wave: 0 });
    await w.closePullRequest(1);
    const [outcome] = await w.promote({ wave: 0 });
    expect(outcome?.action).toBe('blocked');
    expect(
      outcome?.plan.blocked.map((p) => `${p.app} ${p.gates.find((g) => g.status === 'block')?.gate}`),
    ).toEqual(['api stopped', 'web stopped', 'worker stopped']);
    expect((await w.github.pullRequests()).map((pr) => pr.state)).toEqual(['closed']);
  });
});
