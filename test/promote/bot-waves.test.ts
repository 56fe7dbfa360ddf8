/**
 * Gates and waves end to end (real git, fake GitHub): blocked apps are reported with their gate and
 * evidence and cost no writes; a promotion into prod moves wave by wave, each wave's PR opening only
 * once the previous one is merged and has soaked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool, which } from '../support/tools.ts';
import { createWorkbench, pinsJson, hours, NOW, REPO, type Workbench } from './workbench.ts';

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');
const STAGING = 'src/environments/releases/staging.json';
const PROD = 'src/environments/releases/prod.json';
const at = (h: number) => new Date(NOW.getTime() + hours(h));

describe.skipIf(!git.available)('gates against git and GitHub', () => {
  let wb: Workbench;
  beforeAll(async () => {
    wb = await createWorkbench();
  });
  afterAll(async () => {
    await wb?.close();
  });

  it('blocks on health with the failing context and commit, reading one status and writing nothing', async () => {
    wb.github.addStatus(REPO, wb.seedSha, { state: 'failure', context: 'argocd/staging' });
    const [outcome] = await wb.promote({ wave: 0 });
    expect(outcome?.action).toBe('blocked');
    expect(outcome?.plan.blocked.map((p) => p.gates.find((g) => g.gate === 'health')?.evidence)).toEqual(
      Array(3).fill(`argocd/staging: failure on ${wb.seedSha.slice(0, 7)}`),
    );
    expect(wb.github.calls.map((c) => c.route)).toEqual(['GET /repos/{owner}/{repo}/commits/{ref}/status']);
    expect(wb.github.writeCalls()).toEqual([]);
  });

  it('blocks during the freeze window until it ends, without asking GitHub anything', async () => {
    const calls = wb.github.calls.length;
    const [outcome] = await wb.promote({ wave: 0, now: new Date('2025-03-08T12:00:00Z') });
    expect(outcome?.action).toBe('blocked');
    expect(outcome?.plan.blocked.map((p) => p.gates.find((g) => g.gate === 'freeze'))).toEqual(
      Array(3).fill({
        gate: 'freeze',
        status: 'block',
        evidence:
          'prod is frozen: weekend freeze (`0 16 * * FRI` Europe/Berlin, 64h) from 2025-03-07 15:00 UTC to 2025-03-10 07:00 UTC',
        passesAt: '2025-03-10T07:00:00.000Z',
      }),
    );
    expect(wb.github.calls.length).toBe(calls);
  });

  it('holds back an app that has not soaked and promotes the others', async () => {
    wb.github.addStatus(REPO, wb.seedSha, { state: 'success', context: 'argocd/staging' });
    const staging = pinsJson(await wb.show('main', STAGING));
    staging.apps.api = { tag: '1.5.1', digest: `sha256:${'5'.repeat(64)}` };
    const sha = await wb.commitToMain(
      { [STAGING]: `${JSON.stringify(staging, null, 2)}\n` },
      'api 1.5.1',
      at(-1),
    );
    const [outcome] = await wb.promote({ wave: 0 });
    expect(outcome?.action).toBe('opened');
    expect(outcome?.plan.promotions.map((p) => p.app)).toEqual(['web', 'worker']);
    expect(outcome?.plan.blocked.map((p) => [p.app, p.gates.find((g) => g.status === 'block')])).toEqual([
      [
        'api',
        {
          gate: 'soak',
          status: 'block',
          evidence: `1h < 1d: staging has run 1.5.1 since 2025-03-05 09:00 UTC (${sha.slice(0, 7)})`,
          passesAt: '2025-03-06T09:00:00.000Z',
        },
      ],
    ]);
    const pr = await wb.github.pullRequest(1);
    expect(pr.title).toBe('Promote web 2.0.1 → 2.1.0, worker 0.8.0 → 0.8.1 to prod (wave 0: aws/us-east-1)');
    expect(pr.body).toContain(
      `| api | 1.4.2 → 1.5.1 | soak | 1h < 1d: staging has run 1.5.1 since 2025-03-05 09:00 UTC (${sha.slice(0, 7)}) | 2025-03-06 09:00 UTC |`,
    );
    expect(
      pinsJson(await wb.show('envmatrix/promote/staging-to-prod-wave-0', PROD)).waves?.['0']?.api,
    ).toBeUndefined();
  });

  it('puts the open PR on hold when a freeze starts, once, and keeps its branch', async () => {
    const head = await wb.remote.revParse(REPO, 'envmatrix/promote/staging-to-prod-wave-0');
    const saturday = new Date('2025-03-08T12:00:00Z');
    const writes = wb.github.writeCalls().length;
    const [outcome] = await wb.promote({ wave: 0, now: saturday });
    expect(outcome?.action).toBe('on-hold');
    expect(
      wb.github
        .writeCalls()
        .slice(writes)
        .map((c) => c.route),
    ).toEqual([
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
      'POST /repos/{owner}/{repo}/statuses/{sha}',
    ]);
    const pr = await wb.github.pullRequest(1);
    // The gates status on the head turns pending, saying when it clears, so a required check stops a merge.
    const status = wb.github.writeCalls().at(-1)?.body as { state: string; description: string };
    expect([status.state, status.description]).toEqual([
      'pending',
      'held: api by freeze until 2025-03-10 07:00 UTC; web by freeze until 2025-03-10 07:00 UTC; worker by freeze until 2025-03-10 07:00 UTC',
    ]);
    expect(pr.title).toBe(
      'On hold: promote api 1.4.2 → 1.5.1, web 2.0.1 → 2.1.0, worker 0.8.0 → 0.8.1 to prod (wave 0: aws/us-east-1)',
    );
    expect(pr.body).toContain('⛔ **On hold**: every app this PR would promote from **staging** to **prod**');
    expect(await wb.remote.revParse(REPO, 'envmatrix/promote/staging-to-prod-wave-0')).toBe(head);
    await wb.promote({ wave: 0, now: saturday });
    expect(wb.github.writeCalls().length).toBe(writes + 2);
  });
});

describe.skipIf(!git.available)('waves against git and GitHub', () => {
  let wb: Workbench;
  beforeAll(async () => {
    wb = await createWorkbench();
    wb.github.addStatus(REPO, wb.seedSha, { state: 'success', context: 'argocd/staging' });
  });
  afterAll(async () => {
    await wb?.close();
  });
  const actions = (outcomes: Awaited<ReturnType<Workbench['promote']>>) =>
    outcomes.map(
      (o) =>
        `${o.plan.branch.replace('envmatrix/promote/staging-to-prod-', '')} ${o.action}${o.pullRequest ? ` #${o.pullRequest.number}` : ''}`,
    );

  it('opens the wave-0 PR first; the next wave waits for its merge and soak', async () => {
    expect(actions(await wb.promote())).toEqual(['wave-0 opened #1', 'wave-1 nothing', 'wave-2 nothing']);
    const merge0 = await wb.mergeBranch('envmatrix/promote/staging-to-prod-wave-0', 1, NOW);

    const soaking = await wb.promote({ now: at(1) });
    expect(actions(soaking)).toEqual(['wave-0 nothing', 'wave-1 blocked', 'wave-2 nothing']);
    expect(soaking[1]?.plan.blocked.map((p) => p.gates.find((g) => g.gate === 'soak')?.evidence)).toEqual([
      `1h < 1d: prod wave 0 has run 1.5.0 since 2025-03-05 10:00 UTC (${merge0.slice(0, 7)})`,
      `1h < 1d: prod wave 0 has run 2.1.0 since 2025-03-05 10:00 UTC (${merge0.slice(0, 7)})`,
      `1h < 1d: prod wave 0 has run 0.8.1 since 2025-03-05 10:00 UTC (${merge0.slice(0, 7)})`,
    ]);
    // The merged wave-0 branch is the bot's own: cleaned up once nothing is left on it.
    expect(await wb.remote.revParse(REPO, 'envmatrix/promote/staging-to-prod-wave-0')).toBeUndefined();
  });

  it('opens wave 1 after the soak, then wave 2, and folds the rollout back into apps', async () => {
    expect(actions(await wb.promote({ now: at(25) }))).toEqual([
      'wave-0 nothing',
      'wave-1 opened #2',
      'wave-2 nothing',
    ]);
    const wave1 = await wb.github.pullRequest(2);
    expect(wave1.title).toBe(
      'Promote api 1.4.2 → 1.5.0, web 2.0.1 → 2.1.0, worker 0.8.0 → 0.8.1 to prod (wave 1: aws/eu-west-1, azure/westeurope)',
    );
    expect(wave1.body).toContain('Promotes **3 apps** from **prod wave 0** to **prod**, wave **1** of 3');
    await wb.mergeBranch('envmatrix/promote/staging-to-prod-wave-1', 2, at(25));

    expect(actions(await wb.promote({ now: at(50) }))).toEqual([
      'wave-0 nothing',
      'wave-1 nothing',
      'wave-2 opened #3',
    ]);
    // worker does not run on-prem: wave 2 is api and web only.
    expect((await wb.github.pullRequest(3)).title).toBe(
      'Promote api 1.4.2 → 1.5.0, web 2.0.1 → 2.1.0 to prod (wave 2: onprem/dc1)',
    );
    await wb.mergeBranch('envmatrix/promote/staging-to-prod-wave-2', 3, at(50));

    const staging = pinsJson(await wb.show('main', STAGING));
    const prod = pinsJson(await wb.show('main', PROD));
    expect(prod.apps).toEqual(staging.apps);
    expect(prod.waves).toBeUndefined();
    expect(actions(await wb.promote({ now: at(51) }))).toEqual([
      'wave-0 nothing',
      'wave-1 nothing',
      'wave-2 nothing',
    ]);
    expect((await wb.github.pullRequests()).map((pr) => [pr.number, pr.state, pr.merged])).toEqual([
      [1, 'closed', true],
      [2, 'closed', true],
      [3, 'closed', true],
    ]);
  });
});
