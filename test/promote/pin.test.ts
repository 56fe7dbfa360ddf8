/**
 * `envmatrix pin`: validation against the matrix and policy (pure), editing a checkout, and committing
 * or opening a PR through the real adapters (git remote + fake GitHub).
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import example from '../../src/environments/index.ts';
import { GitOperationError } from '../../src/promote/scm/errors.ts';
import { UsageError } from '../../src/core/errors.ts';
import { PinBlocked } from '../../src/promote/errors.ts';
import { checkedMatrix, readPins } from '../../src/matrix/load.ts';
import type { PinsByEnvironment } from '../../src/matrix/types.ts';
import { synth } from '../../src/output/synth.ts';
import { pinInWorkingTree, planPin, pushPin } from '../../src/promote/pin.ts';
import type { Scm } from '../../src/promote/scm/scm.ts';
import { runGit } from '../support/git-remote.ts';
import { projectRoot, requireTool, which } from '../support/tools.ts';
import { createWorkbench, pinsJson, NOW, REPO, type Workbench } from './workbench.ts';

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');
const DIGEST = `sha256:${'d'.repeat(64)}`;
let pins: PinsByEnvironment;
beforeAll(async () => {
  pins = (await readPins(projectRoot)).pins;
});

describe('planPin', () => {
  it('validates against the matrix and the environment’s policy, naming the fix', () => {
    const cases: [Parameters<typeof planPin>[2], string][] = [
      [
        { env: 'qa', app: 'api', tag: '1.0.0' },
        '--env qa is not an environment; use one of dev, staging, prod',
      ],
      [
        { env: 'dev', app: 'apii', tag: '1.0.0' },
        '--app apii is not an app; use one of api, report, web, worker',
      ],
      [
        { env: 'dev', app: 'api', tag: '-1' },
        '--tag "-1" is not an image tag (letters, digits, _ . -; at most 128)',
      ],
      [
        { env: 'dev', app: 'api', tag: '1', digest: 'sha256:abc' },
        '--digest "sha256:abc" is not sha256: followed by 64 lowercase hex digits',
      ],
      [
        { env: 'prod', app: 'api', tag: '1.6.0' },
        'prod requires pins by digest: pass --digest sha256:… for api 1.6.0',
      ],
      [
        { env: 'dev', app: 'worker', tag: '0.9.0', migrateDigest: DIGEST },
        '--migrate-digest: worker has no migration image of its own in dev (migrate.image); leave the flag out',
      ],
      [
        { env: 'prod', app: 'worker', tag: '1', digest: DIGEST, wave: 2 },
        'worker runs in waves 0, 1 of prod, not wave 2',
      ],
    ];
    for (const [request, message] of cases)
      expect(() => planPin(example, pins, request)).toThrow(new UsageError(message));
  });

  it('requires --migrate-digest where digests are required and the app migrates with an image of its own, and writes it', () => {
    const ownImage = {
      ...example,
      apps: example.apps.map((app) =>
        app.name === 'api'
          ? { ...app, migrate: { command: ['./migrate', 'up'], image: 'ghcr.io/acme/api-migrations' } }
          : app,
      ),
    };
    // What prod runs now has its migration digest (validation asks for it there, test/matrix/validate.test.ts).
    const prodApi = { ...pins.prod!.apps.api!, migrateDigest: `sha256:${'f'.repeat(64)}` };
    const pinned = { ...pins, prod: { ...pins.prod!, apps: { ...pins.prod!.apps, api: prodApi } } };
    expect(() =>
      planPin(ownImage, pinned, { env: 'prod', app: 'api', tag: '1.6.0', digest: DIGEST }),
    ).toThrow(
      new UsageError(
        'prod requires pins by digest, and api migrates with an image of its own: pass --migrate-digest sha256:… (its digest at 1.6.0)',
      ),
    );
    expect(() =>
      planPin(ownImage, pins, { env: 'dev', app: 'api', tag: '1.7.0', migrateDigest: 'sha256:0' }),
    ).toThrow(
      new UsageError('--migrate-digest "sha256:0" is not sha256: followed by 64 lowercase hex digits'),
    );
    const migrateDigest = `sha256:${'e'.repeat(64)}`;
    const plan = planPin(ownImage, pinned, {
      env: 'prod',
      app: 'api',
      tag: '1.6.0',
      digest: DIGEST,
      migrateDigest,
    });
    expect(pinsJson(plan.pinsFile.content).waves?.['0']?.api).toEqual({
      tag: '1.6.0',
      digest: DIGEST,
      migrateDigest,
    });
    expect(plan.body).toContain('its migration image by sha256:eeeeeeeeeeee…');
    // The headline names both digests the reviewer approves.
    expect(plan.body).toContain(
      `to **1.6.0 (\`${DIGEST.slice(0, 19)}…\`, migrations \`sha256:eeeeeeeeeeee…\`)** in`,
    );
    // The same tag and digest with another migration digest is a change, not "already pinned".
    const devApi = pins.dev!.apps.api!;
    expect(planPin(ownImage, pinned, { env: 'dev', app: 'api', ...devApi }).unchanged).toBe(true);
    const dev = planPin(ownImage, pinned, { env: 'dev', app: 'api', ...devApi, migrateDigest });
    expect(dev.unchanged).toBe(false);
    expect(pinsJson(dev.pinsFile.content).apps.api).toEqual({ ...devApi, migrateDigest });
  });

  it('pins an environment without reviewers by commit, one with reviewers by PR', () => {
    const dev = planPin(example, pins, { env: 'dev', app: 'api', tag: '1.7.0' });
    expect(dev.mode).toBe('commit');
    expect(dev.from?.tag).toBe('1.6.0');
    expect(pinsJson(dev.pinsFile.content).apps.api).toEqual({ tag: '1.7.0' });
    expect(dev.commitMessage).toBe('Pin api 1.7.0 in dev\n\nEnvmatrix-Pin: dev/api@1.7.0\n');
    const prod = planPin(example, pins, { env: 'prod', app: 'api', tag: '1.6.0', digest: DIGEST });
    expect(prod.mode).toBe('pull-request');
    expect(prod.branch).toBe('envmatrix/promote/pin-prod-api');
    expect(prod.title).toBe('Pin api 1.6.0 in prod wave 0');
    expect(planPin(example, pins, { env: 'dev', app: 'worker', tag: '0.9.0' }).unchanged).toBe(true);
  });

  it('rolls one wave back with --wave, leaving the others', () => {
    const plan = planPin(example, pins, { env: 'prod', app: 'api', tag: '1.4.1', digest: DIGEST, wave: 0 });
    const file = pinsJson(plan.pinsFile.content);
    expect(file.apps.api?.tag).toBe('1.4.2');
    expect(file.waves).toEqual({ '0': { api: { tag: '1.4.1', digest: DIGEST } } });
    expect(plan.title).toBe('Pin api 1.4.1 in prod wave 0');
  });
});

describe('planPin passes the gates promote does (issue 12)', () => {
  const SATURDAY = new Date('2025-03-08T10:00:00Z'); // inside prod's weekend freeze
  const FROZEN =
    'prod is frozen: weekend freeze (`0 16 * * FRI` Europe/Berlin, 64h) from 2025-03-07 15:00 UTC to 2025-03-10 07:00 UTC';
  const request = { env: 'prod', app: 'api', tag: '1.6.0', digest: DIGEST };

  it('refuses a pin inside the freeze, naming when it clears and the override', () => {
    let failure: unknown;
    try {
      planPin(example, pins, request, { now: SATURDAY });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(PinBlocked);
    expect(failure).toMatchObject({
      exitCode: 1,
      message: `pin prod: blocked by freeze: ${FROZEN}`,
      fix: 'wait until 2025-03-10 07:00 UTC, or pass --override-freeze "<reason>" (recorded in the commit and the PR)',
    });
    expect(() => planPin(example, pins, request, { now: SATURDAY, overrideFreeze: '  ' })).toThrow(
      new UsageError('--override-freeze needs a reason: --override-freeze "<why this cannot wait>"'),
    );
  });

  it('records an override’s reason in the commit trailer and the PR body', () => {
    const plan = planPin(example, pins, request, { now: SATURDAY, overrideFreeze: 'CVE-2025-1234 hotfix' });
    expect(plan.commitMessage).toBe(
      'Pin api 1.6.0 in prod wave 0\n\nEnvmatrix-Pin: prod/api@1.6.0 wave 0\nEnvmatrix-Override-Freeze: CVE-2025-1234 hotfix\n',
    );
    expect(plan.body).toContain(`\n- ⚠️ **freeze**: **overridden**: CVE-2025-1234 hotfix (${FROZEN})\n`);
  });

  it('writes the first wave of a multi-wave environment, every wave only with --all-waves', () => {
    const first = planPin(example, pins, request, { now: NOW });
    expect([first.waves, first.title, pinsJson(first.pinsFile.content).waves]).toEqual([
      [0],
      'Pin api 1.6.0 in prod wave 0',
      { '0': { api: { tag: '1.6.0', digest: DIGEST } } },
    ]);
    // The promotion template's sections (issue 12: pin PRs said nothing of gates, waves or targets).
    expect(first.body).toContain(
      '## Where it lands\n\n| target | wave | engine |\n| --- | --- | --- |\n| `prod/aws/us-east-1/main` | 0 | argocd |\n\n' +
        'Later waves follow through `envmatrix promote`, each once the wave before it is merged and has soaked 1d: wave 1 (`prod/aws/eu-west-1/main`, `prod/azure/westeurope/main`), wave 2 (`prod/onprem/dc1/main`).\n',
    );
    expect(first.body).toContain(
      '\n- ✅ **freeze**: open; next freeze weekend freeze (`0 16 * * FRI` Europe/Berlin, 64h) starts 2025-03-07 15:00 UTC\n- ✅ **digest**: pinned by digest sha256:dddddddddddd…\n',
    );
    expect(first.body).toContain(
      '- Before merging: close this PR: prod wave 0 keeps what it runs, and nothing moves on to waves 1 and 2.\n',
    );
    const all = planPin(example, pins, { ...request, allWaves: true }, { now: NOW });
    expect([all.waves, all.title, pinsJson(all.pinsFile.content).apps.api]).toEqual([
      [0, 1, 2],
      'Pin api 1.6.0 in prod',
      { tag: '1.6.0', digest: DIGEST },
    ]);
    expect(() => planPin(example, pins, { ...request, allWaves: true, wave: 1 })).toThrow(
      new UsageError('--all-waves and --wave exclude each other: pass one'),
    );
  });
});

describe('pinInWorkingTree', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'envmatrix-pin-'));
    for (const dir of ['src/matrix', 'src/apps', 'src/environments'])
      await cp(join(projectRoot, dir), join(root, dir), { recursive: true });
    await synth(checkedMatrix(example, pins).resolved, { outDir: join(root, 'generated') });
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes the pins file and synths the environment’s generated/', async () => {
    const outcome = await pinInWorkingTree({ root, request: { env: 'dev', app: 'api', tag: '1.7.0' } });
    expect(outcome.action).toBe('written');
    expect(
      pinsJson(await readFile(join(root, 'src/environments/releases/dev.json'), 'utf8')).apps.api,
    ).toEqual({ tag: '1.7.0' });
    const values = await readFile(join(root, 'generated/values/dev/aws/us-east-1/main.json'), 'utf8');
    expect(values).toContain('"reference": "ghcr.io/acme/api:1.7.0"');
    expect((await pinInWorkingTree({ root, request: { env: 'dev', app: 'api', tag: '1.7.0' } })).action).toBe(
      'unchanged',
    );
  });
});

describe.skipIf(!git.available)('pushPin against git and GitHub', () => {
  let wb: Workbench;
  beforeAll(async () => {
    wb = await createWorkbench();
  });
  afterAll(async () => {
    await wb?.close();
  });

  it('commits a dev pin to main, starting again when main moves under it, without calling GitHub', async () => {
    let raced = false;
    const racing: Scm = {
      ...wb.scm,
      push: async (branch, sha, options) => {
        if (branch === 'main' && !raced) {
          raced = true; // someone else lands a commit between the bot's fetch and its push
          await wb.commitToMain({ 'README.md': '# platform\n' }, 'Docs', NOW);
        }
        return wb.scm.push(branch, sha, options);
      },
    };
    const outcome = await pushPin({
      scm: racing,
      request: { env: 'dev', app: 'api', tag: '1.7.0' },
      now: NOW,
    });
    expect(outcome.action).toBe('committed');
    const log = (await runGit(['log', '--format=%s', 'main'], { cwd: join(wb.remote.root, `${REPO}.git`) }))
      .trim()
      .split('\n');
    expect(log).toEqual(['Pin api 1.7.0 in dev', 'Docs', 'Initial commit']);
    expect(pinsJson(await wb.show('main', 'src/environments/releases/dev.json')).apps.api).toEqual({
      tag: '1.7.0',
    });
    expect(await wb.show('main', 'generated/values/dev/aws/us-east-1/main.json')).toContain(
      '"reference": "ghcr.io/acme/api:1.7.0"',
    );
    expect(wb.github.calls).toEqual([]);
  });

  it('fails with the rejection when main keeps moving', async () => {
    const racing: Scm = {
      ...wb.scm,
      push: async (branch, sha, options) => {
        await wb.commitToMain({ 'README.md': `# platform ${sha}\n` }, 'Docs again', NOW);
        return wb.scm.push(branch, sha, options);
      },
    };
    const failure = await pushPin({
      scm: racing,
      request: { env: 'dev', app: 'web', tag: '2.3.0' },
      attempts: 2,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GitOperationError);
    expect((failure as GitOperationError).rejected).toBe(true);
  });

  it('does not commit a prod pin to main inside the freeze (issue 12), and nothing is pushed', async () => {
    const before = await wb.remote.revParse(REPO, 'main');
    const failure = await pushPin({
      scm: wb.scm,
      request: { env: 'prod', app: 'api', tag: '1.4.3', digest: DIGEST },
      mode: 'commit',
      now: new Date('2025-03-08T10:00:00Z'),
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PinBlocked);
    expect(await wb.remote.revParse(REPO, 'main')).toBe(before);
  });

  it('opens a PR for prod with its reviewers and labels, and leaves it alone on a rerun', async () => {
    const request = { env: 'prod', app: 'api', tag: '1.4.3', digest: DIGEST };
    const run = `https://github.com/${REPO}/actions/runs/77`;
    const outcome = await pushPin({ scm: wb.scm, request, now: NOW, runUrl: run });
    expect(outcome.action).toBe('opened');
    const pr = await wb.github.pullRequest(outcome.pullRequest!.number);
    // The promotion template: when, on which main commit, from which run; and the rollback.
    const main = (await wb.remote.revParse(REPO, 'main'))!;
    expect(pr.body).toContain(
      `\n_Evaluated at 2025-03-05 10:00 UTC on \`main\` at \`${main.slice(0, 7)}\`, by [this workflow run](${run}). The freeze is as of then; the bot updates this description when the plan changes._\n`,
    );
    expect(pr.body).toContain(
      '\n```sh\nenvmatrix pin --env prod --wave 0 --app api --tag 1.4.2 --digest sha256:b326df80c604626b42c8122403b73be4f55086f89d49235c3013008dbf326974\n```\n',
    );
    expect([
      pr.title,
      pr.head.ref,
      pr.labels.map((l) => l.name),
      pr.requested_teams?.map((t) => t.slug),
    ]).toEqual([
      'Pin api 1.4.3 in prod wave 0',
      'envmatrix/promote/pin-prod-api',
      ['pin', 'env:prod'],
      ['sre'],
    ]);
    const writes = wb.github.writeCalls().length;
    expect((await pushPin({ scm: wb.scm, request, now: NOW })).action).toBe('unchanged');
    expect(wb.github.writeCalls().length).toBe(writes);
  });
});
