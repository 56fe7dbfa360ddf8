/**
 * The promotion bot end to end: real git over smart HTTP, the real Octokit against the fake GitHub.
 * One repository is taken through its life: first PR, idle rerun, the source moving, main moving,
 * and nothing left to promote.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrailers } from '../../src/promote/naming.ts';
import { runGit } from '../support/git-remote.ts';
import { requireTool, which } from '../support/tools.ts';
import { createWorkbench, pinsJson, hours, NOW, REPO, type Workbench } from './workbench.ts';

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');
const BRANCH = 'envmatrix/promote/staging-to-prod-wave-0';
const STAGING = 'src/environments/releases/staging.json';
const PROD = 'src/environments/releases/prod.json';

describe.skipIf(!git.available)('promotion bot against git and GitHub', () => {
  let wb: Workbench;
  let mark = 0;
  /** Calls since the last `since()`. */
  const since = () => {
    const calls = wb.github.calls.slice(mark);
    mark = wb.github.calls.length;
    return calls.map((c) => `${c.route ?? `${c.method} ${c.path}`} ${c.status}`);
  };
  const bare = () => join(wb.remote.root, `${REPO}.git`);
  const pushes = () =>
    wb.remote.calls.filter((c) => c.method === 'POST' && c.service === 'git-receive-pack').length;

  beforeAll(async () => {
    wb = await createWorkbench();
    wb.github.addStatus(REPO, wb.seedSha, { state: 'success', context: 'argocd/staging' });
  });
  afterAll(async () => {
    await wb?.close();
  });

  it('opens one PR for wave 0 with the branch, commit, files, title, body, labels and reviewers', async () => {
    const run = `https://github.com/${REPO}/actions/runs/4242`;
    const [outcome] = await wb.promote({ wave: 0, runUrl: run });
    expect(outcome?.action).toBe('opened');
    expect(outcome?.pullRequest).toEqual({ number: 1, url: `https://github.com/${REPO}/pull/1` });
    expect(since()).toEqual([
      `GET /repos/{owner}/{repo}/commits/{ref}/status 200`,
      'GET /repos/{owner}/{repo}/pulls 200',
      'POST /repos/{owner}/{repo}/pulls 201',
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers 201',
      'POST /repos/{owner}/{repo}/statuses/{sha} 201',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels 200',
    ]);

    const pr = await wb.github.pullRequest(1);
    // The status branch protection can require, on the PR's head (issue 12).
    const gates = await fetch(`${wb.github.baseUrl}/repos/${REPO}/commits/${pr.head.sha}/status`, {
      headers: { authorization: `token ${wb.token}` },
    }).then(
      (r) =>
        r.json() as Promise<{
          statuses: { context: string; state: string; description: string; target_url: string }[];
        }>,
    );
    mark = wb.github.calls.length;
    expect(gates.statuses.map((st) => [st.context, st.state, st.description, st.target_url])).toEqual([
      [
        'envmatrix/gates',
        'success',
        'all gates pass for api, web, worker',
        `https://github.com/${REPO}/pull/1`,
      ],
    ]);
    expect(pr.head.ref).toBe(BRANCH);
    expect(pr.base.ref).toBe('main');
    expect(pr.title).toBe(
      'Promote api 1.4.2 → 1.5.0, web 2.0.1 → 2.1.0, worker 0.8.0 → 0.8.1 to prod (wave 0: aws/us-east-1)',
    );
    expect(pr.body).toBe(outcome!.plan.body);
    // When and on what the gates were evaluated: the base commit and the workflow run (issue 12).
    expect(pr.body).toContain(
      `\n_Evaluated at 2025-03-05 10:00 UTC on \`main\` at \`${wb.seedSha.slice(0, 7)}\`, by [this workflow run](${run}). Soak, health and freeze are as of then; the bot updates this description when the plan changes._\n`,
    );
    expect(pr.body).toMatch(
      /<!-- envmatrix:plan \{"version":1,"hash":"[0-9a-f]{16}","from":"staging","to":"prod","wave":0,"proposed":\{"api":"1\.5\.0@[0-9a-f]{12}","web":"2\.1\.0@[0-9a-f]{12}","worker":"0\.8\.1@[0-9a-f]{12}"\}\} -->/,
    );
    expect(pr.labels.map((l) => l.name)).toEqual(['promotion', 'env:prod']);
    // api runs a migration with the new version: a risk, so the risk reviewers (security) too.
    expect(pr.requested_teams?.map((t) => t.slug)).toEqual(['security', 'sre']);

    const head = (await wb.remote.revParse(REPO, BRANCH))!;
    const [parents, author, message] = (
      await runGit(['log', '-1', '--format=%P%x00%an <%ae>%x00%B', head], { cwd: bare() })
    ).split('\0');
    expect(parents).toBe(wb.seedSha);
    expect(author).toBe('envmatrix[bot] <envmatrix[bot]@users.noreply.github.com>');
    expect(readTrailers(message!)).toEqual({
      'Promoted-From': 'staging',
      'Promoted-Apps': 'api@1.5.0 web@2.1.0 worker@0.8.1',
      'Promoted-Wave': '0',
      'Envmatrix-Plan': outcome!.plan.marker.hash,
    });
    const files = (await runGit(['diff', '--name-only', wb.seedSha, head], { cwd: bare() }))
      .trim()
      .split('\n');
    expect(files).toContain(PROD);
    expect(files).toContain('generated/index.json');
    expect(files).toContain('generated/values/prod/aws/us-east-1/main.json');
    // Only the wave-0 target's output moves: nothing of wave 1 or 2, nothing of other environments;
    // and FLEET.md, the fleet overview, which lists the versions each cluster runs.
    expect(
      files.filter(
        (f) =>
          f.startsWith('generated/') &&
          f !== 'generated/index.json' &&
          f !== 'generated/FLEET.md' &&
          !f.includes('prod/aws/us-east-1'),
      ),
    ).toEqual([]);
    expect(files).toContain('generated/FLEET.md');
    expect(pinsJson(await wb.show(BRANCH, PROD)).waves?.['0']?.api?.tag).toBe('1.5.0');

    // The token went over the wire only: not into the clone's config, not into anything sent to GitHub.
    expect(await readFile(join(wb.clone, '.git/config'), 'utf8')).not.toContain(wb.token);
    expect(wb.github.callsMentioning(wb.token)).toEqual([]);
    expect(wb.remote.calls.every((c) => c.authorized)).toBe(true);
  });

  it('makes no write call on a rerun with nothing new (three reads), and pushes nothing', async () => {
    const before = pushes();
    const [outcome] = await wb.promote({ wave: 0 });
    expect(outcome?.action).toBe('unchanged');
    // staging's health, the branch's PRs, and the gates status on the PR's head (found: not set again).
    expect(since()).toEqual([
      'GET /repos/{owner}/{repo}/commits/{ref}/status 200',
      'GET /repos/{owner}/{repo}/pulls 200',
      'GET /repos/{owner}/{repo}/commits/{ref}/status 200',
    ]);
    expect(pushes()).toBe(before);
  });

  it('rebuilds the branch on a new main without touching the PR', async () => {
    const main = await wb.commitToMain(
      { 'README.md': '# platform\n' },
      'Docs',
      new Date(NOW.getTime() - hours(1)),
    );
    const hash = (await wb.github.pullRequest(1)).body;
    const [outcome] = await wb.promote({ wave: 0 });
    expect(outcome?.action).toBe('rebuilt');
    // A new head needs its own envmatrix/gates status (statuses belong to a commit, not to the PR).
    expect(since()).toEqual([
      'GET /repos/{owner}/{repo}/commits/{ref}/status 200',
      'GET /repos/{owner}/{repo}/pulls 200',
      'POST /repos/{owner}/{repo}/statuses/{sha} 201',
    ]);
    const head = (await wb.remote.revParse(REPO, BRANCH))!;
    expect((await runGit(['log', '-1', '--format=%P', head], { cwd: bare() })).trim()).toBe(main);
    expect((await wb.github.pullRequest(1)).body).toBe(hash);
  });

  it('updates the same PR in place when the source moves again', async () => {
    const staging = pinsJson(await wb.show('main', STAGING));
    staging.apps.api = { tag: '1.5.1', digest: `sha256:${'5'.repeat(64)}` };
    const moved = await wb.commitToMain(
      { [STAGING]: `${JSON.stringify(staging, null, 2)}\n` },
      'Pin api 1.5.1 in staging',
      new Date(NOW.getTime() - hours(30)),
    );
    wb.github.addStatus(REPO, moved, { state: 'success', context: 'argocd/staging' });
    const [outcome] = await wb.promote({ wave: 0 });
    expect(outcome?.action).toBe('updated');
    expect(outcome?.pullRequest?.number).toBe(1);
    // The staging pin went to main without a synth, so main's generated/FLEET.md (which lists what
    // staging runs) is stale: the PR brings it up to date and flags that as drift, a risk; the risk
    // reviewers were asked already (api's migration), so nobody new is requested.
    expect(outcome?.plan.drift).toEqual(['FLEET.md']);
    expect(since()).toEqual([
      'GET /repos/{owner}/{repo}/commits/{ref}/status 200',
      'GET /repos/{owner}/{repo}/commits/{ref}/status 200',
      'GET /repos/{owner}/{repo}/pulls 200',
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number} 200',
      'POST /repos/{owner}/{repo}/statuses/{sha} 201',
    ]);
    expect((await wb.github.pullRequests()).length).toBe(1);
    const pr = await wb.github.pullRequest(1);
    expect(pr.title).toBe(
      'Promote api 1.4.2 → 1.5.1, web 2.0.1 → 2.1.0, worker 0.8.0 → 0.8.1 to prod (wave 0: aws/us-east-1)',
    );
    expect(pinsJson(await wb.show(BRANCH, PROD)).waves?.['0']?.api?.tag).toBe('1.5.1');
    expect(pr.head.sha).toBe(await wb.remote.revParse(REPO, BRANCH));
  });

  it('closes the stale PR with a comment and deletes its branch when nothing is left to promote', async () => {
    // Someone rolls staging back to what prod runs: the PR has nothing left to do.
    const prod = pinsJson(await wb.show('main', PROD));
    const staging = pinsJson(await wb.show('main', STAGING));
    await wb.commitToMain(
      { [STAGING]: `${JSON.stringify({ ...staging, apps: prod.apps }, null, 2)}\n` },
      'Roll staging back',
      new Date(NOW.getTime() - hours(48)),
    );
    const [outcome] = await wb.promote({ wave: 0 });
    expect(outcome?.action).toBe('closed');
    // The PR's comments are read first: a comment is the one write GitHub does not deduplicate.
    expect(since()).toEqual([
      'GET /repos/{owner}/{repo}/pulls 200',
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments 200',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments 201',
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number} 200',
    ]);
    const pr = await wb.github.pullRequest(1);
    expect(pr.state).toBe('closed');
    expect(pr.merged).toBe(false);
    expect(wb.github.issueComments(1).map((c) => c.body)).toEqual([
      'Closing: nothing is left to promote from **staging** to **prod wave 0**. prod wave 0 already runs what staging runs (api 1.4.2, report 1.0.0, web 2.0.1, worker 0.8.0), so this PR would change nothing.\n\n' +
        `The bot deletes the branch \`${BRANCH}\` and opens a new PR when staging has something new for prod wave 0.\n`,
    ]);
    expect(await wb.remote.revParse(REPO, BRANCH)).toBeUndefined();
    // And the next run has nothing to say to GitHub at all.
    expect((await wb.promote({ wave: 0 }))[0]?.action).toBe('nothing');
    expect(since()).toEqual([]);
  });
});
