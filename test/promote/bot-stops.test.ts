/**
 * Issue 12, finding 7: closing a wave's PR without merging must stop the rollout of what it proposed,
 * in that wave and every later one, until a new pin moves the source or the bot runs with --resume.
 * Before, the bot reopened the same versions as soon as the plan changed at all (another app, --apps).
 * Real git over smart HTTP, the real Octokit against the fake GitHub; the stop is read from the PR
 * list the bot asks for anyway, so it costs no call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOutcome } from '../../src/cli/promote.ts';
import { dryRunPromotion } from '../../src/promote/run.ts';
import { requireTool, which } from '../support/tools.ts';
import { createWorkbench, pinsJson, hours, NOW, REPO, type Workbench } from './workbench.ts';

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');
const STAGING = 'src/environments/releases/staging.json';
const at = (h: number) => new Date(NOW.getTime() + hours(h));

describe.skipIf(!git.available)('a closed wave PR stops the rollout', () => {
  let wb: Workbench;
  let mark = 0;
  const since = () => {
    const calls = wb.github.calls.slice(mark);
    mark = wb.github.calls.length;
    return calls.map((c) => `${c.route ?? `${c.method} ${c.path}`} ${c.status}`);
  };
  const stopped = (number: number, tag: string, sha: string, since: string, where = 'staging') =>
    `#${number} proposed ${tag} (${where} since ${since}, ${sha.slice(0, 7)}) and was closed without merging; held here and in later waves until a new pin moves ${where}, or run again with --resume`;
  let seeded = '';

  beforeAll(async () => {
    wb = await createWorkbench();
    wb.github.addStatus(REPO, wb.seedSha, { state: 'success', context: 'argocd/staging' });
  });
  afterAll(async () => {
    await wb?.close();
  });

  it('does not propose the closed PR’s versions again, even when the plan differs, with two reads', async () => {
    expect((await wb.promote({ wave: 0 }))[0]?.action).toBe('opened');
    await wb.closePullRequest(1);
    mark = wb.github.calls.length;

    // Only api and web: another plan (another hash), which the bot used to open as a new PR.
    const [narrow] = await wb.promote({ wave: 0, apps: ['api', 'web'] });
    expect(narrow?.action).toBe('blocked');
    expect(since()).toEqual([
      'GET /repos/{owner}/{repo}/commits/{ref}/status 200',
      'GET /repos/{owner}/{repo}/pulls 200',
    ]);
    seeded = narrow!.plan.blocked[0]!.arrival!.at.slice(0, 10);
    const when = `${seeded} 00:00 UTC`;
    expect(formatOutcome(narrow!, false).split('\n')).toEqual([
      'staging → prod wave 0: blocked: api (stopped), web (stopped)',
      '  api 1.4.2 → 1.5.0: order ✔ · digest ✔ · freeze ✔ · soak ✔ · stopped ✖ · health –',
      `    stopped: ${stopped(1, '1.5.0', wb.seedSha, when)}`,
      '  web 2.0.1 → 2.1.0: order ✔ · digest ✔ · freeze ✔ · soak ✔ · stopped ✖ · health –',
      `    stopped: ${stopped(1, '2.1.0', wb.seedSha, when)}`,
    ]);
    // The whole wave, too; and nothing was written to GitHub or pushed.
    expect((await wb.promote({ wave: 0 }))[0]?.action).toBe('blocked');
    // A dry run that can read the PRs says the same.
    const [dry] = await dryRunPromotion({
      ...{ root: wb.clone, from: 'staging', to: 'prod', wave: 0, now: NOW },
      git: wb.scm,
      host: wb.scm,
    });
    expect(formatOutcome(dry!, false).split('\n')[0]).toBe(
      'staging → prod wave 0: nothing to promote; blocked: api (stopped), web (stopped), worker (stopped)',
    );
    expect((await wb.github.pullRequests()).map((pr) => [pr.number, pr.state])).toEqual([[1, 'closed']]);
  });

  it('lifts the stop for an app a new pin moves in the source, and only for it', async () => {
    const staging = pinsJson(await wb.show('main', STAGING));
    staging.apps.api = { tag: '1.5.1', digest: `sha256:${'5'.repeat(64)}` };
    const moved = await wb.commitToMain(
      { [STAGING]: `${JSON.stringify(staging, null, 2)}\n` },
      'Pin api 1.5.1 in staging',
      at(-30),
    );
    wb.github.addStatus(REPO, moved, { state: 'success', context: 'argocd/staging' });
    const [outcome] = await wb.promote({ wave: 0 });
    expect(outcome?.action).toBe('opened');
    expect(outcome?.pullRequest?.number).toBe(2);
    expect(outcome?.plan.promotions.map((p) => `${p.app} ${p.to.tag}`)).toEqual(['api 1.5.1']);
    expect(outcome?.plan.blocked.map((p) => p.gates.find((g) => g.status === 'block')?.gate)).toEqual([
      'stopped',
      'stopped',
    ]);
    const body = (await wb.github.pullRequest(2)).body ?? '';
    expect(body).toContain(
      `| web | 2.0.1 → 2.1.0 | stopped | [#1](https://github.com/${REPO}/pull/1) proposed 2.1.0 (staging since ${seeded} 00:00 UTC, ${wb.seedSha.slice(0, 7)}) and was closed without merging; held here and in later waves until a new pin moves staging, or run again with --resume | — |`,
    );
  });

  it('proposes the stopped versions again with --resume, and the stop ends with that PR', async () => {
    const [resumed] = await wb.promote({ wave: 0, resume: true });
    expect(resumed?.action).toBe('updated');
    expect(resumed?.pullRequest?.number).toBe(2);
    expect(resumed?.plan.promotions.map((p) => `${p.app} ${p.to.tag}`)).toEqual([
      'api 1.5.1',
      'web 2.1.0',
      'worker 0.8.1',
    ]);
    // #2 is open and newer than #1: #1 no longer stops anything, without --resume too.
    expect((await wb.promote({ wave: 0 }))[0]?.action).toBe('unchanged');
  });

  it('stops wave 1 and so wave 2 when wave 1’s PR is closed', async () => {
    await wb.mergeBranch('envmatrix/promote/staging-to-prod-wave-0', 2, NOW);
    const opened = await wb.promote({ now: at(25) });
    expect(opened.map((o) => o.action)).toEqual(['nothing', 'opened', 'nothing']);
    await wb.closePullRequest(opened[1]!.pullRequest!.number);
    const later = await wb.promote({ now: at(50) });
    expect(later.map((o) => o.action)).toEqual(['nothing', 'blocked', 'nothing']);
    expect(later[1]?.plan.blocked.map((p) => p.gates.at(-2)?.evidence)).toEqual([
      expect.stringMatching(
        /^#3 proposed 1\.5\.1 \(prod wave 0 since 2025-03-05 10:00 UTC, [0-9a-f]{7}\) and was closed without merging; held here and in later waves until a new pin moves prod wave 0, or run again with --resume$/,
      ),
      expect.stringMatching(/^#3 proposed 2\.1\.0 /),
      expect.stringMatching(/^#3 proposed 0\.8\.1 /),
    ]);
    // A narrower plan is no way around it either.
    expect((await wb.promote({ now: at(50), wave: 1, apps: ['api'] }))[0]?.action).toBe('blocked');
  });
});
