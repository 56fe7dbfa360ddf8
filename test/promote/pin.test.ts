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
      [{ env: 'dev', app: 'apii', tag: '1.0.0' }, '--app apii is not an app; use one of api, web, worker'],
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
        { env: 'prod', app: 'worker', tag: '1', digest: DIGEST, wave: 2 },
        'worker runs in waves 0, 1 of prod, not wave 2',
      ],
    ];
    for (const [request, message] of cases)
      expect(() => planPin(example, pins, request)).toThrow(new UsageError(message));
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
    expect(prod.title).toBe('Pin api 1.6.0 in prod');
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

  it('opens a PR for prod with its reviewers and labels, and leaves it alone on a rerun', async () => {
    const request = { env: 'prod', app: 'api', tag: '1.4.3', digest: DIGEST };
    const outcome = await pushPin({ scm: wb.scm, request, now: NOW });
    expect(outcome.action).toBe('opened');
    const pr = await wb.github.pullRequest(outcome.pullRequest!.number);
    expect([
      pr.title,
      pr.head.ref,
      pr.labels.map((l) => l.name),
      pr.requested_teams?.map((t) => t.slug),
    ]).toEqual(['Pin api 1.4.3 in prod', 'envmatrix/promote/pin-prod-api', ['pin', 'env:prod'], ['sre']]);
    const writes = wb.github.writeCalls().length;
    expect((await pushPin({ scm: wb.scm, request, now: NOW })).action).toBe('unchanged');
    expect(wb.github.writeCalls().length).toBe(writes);
  });
});
