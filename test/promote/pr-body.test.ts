/**
 * Issue 12, finding 5: the PR body had no evaluation time or trigger, unlinked health evidence, no word
 * of the manual blue-green promote, and was mostly diffs of objects whose only change was the version
 * label. The prod body here is planned with every generator (the manifests reviewers really get), from
 * the example project, with a fixed clock, trigger and health.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import example from '../../src/environments/index.ts';
import { checkedMatrix, readPins } from '../../src/matrix/load.ts';
import { serializePins } from '../../src/matrix/pins.ts';
import type { PinsByEnvironment } from '../../src/matrix/types.ts';
import { synth } from '../../src/output/synth.ts';
import { manualPromotions, rolloutAutoPromotes } from '../../src/promote/after-merge.ts';
import { labelOnlyMove } from '../../src/promote/label-only.ts';
import { planPromotion, PINS_SCHEMA_REF, type PlanFacts } from '../../src/promote/plan.ts';
import { evaluatedLine, linkedEvidence, safeLink } from '../../src/promote/render-body.ts';
import { github, GITHUB_BODY_LIMIT } from '../../src/promote/scm/github-plugin.ts';
import type { FileChange } from '../../src/promote/types.ts';
import { projectRoot } from '../support/tools.ts';

const NOW = new Date('2025-03-05T10:00:00Z');
const ARRIVAL = '1111111111111111111111111111111111111111';
const BASE = '2222222222222222222222222222222222222222';
const RUN = 'https://github.com/acme/platform/actions/runs/4242';
const ARGOCD = 'https://argocd.acme.example/applications/argocd/staging-aws-us-east-1-main-api';

const change = (patch: string, over: Partial<FileChange> = {}): FileChange => ({
  path: 'k8s/prod/aws/us-east-1/main/api/manifest.yaml',
  kind: 'changed',
  object: 'Service api/api',
  additions: 1,
  deletions: 1,
  patch,
  ...over,
});
const hunk = (...lines: string[]) =>
  ['--- a/x', '+++ b/x', '@@ -1,3 +1,3 @@', ' metadata:', '   labels:', ...lines, ''].join('\n');
const MOVES = [
  { app: 'api', from: '1.4.2', to: '1.5.0' },
  { app: 'web', from: '2.0.1', to: '2.1.0' },
];

describe('what counts as a label-only change', () => {
  it('is one changed object whose every changed line moves the version label of one app', () => {
    const label = hunk('-    app.kubernetes.io/version: 1.4.2', '+    app.kubernetes.io/version: 1.5.0');
    expect(labelOnlyMove(change(label), MOVES)).toEqual(MOVES[0]);
    // The YAML writer quotes a tag that reads as a number.
    const quoted = hunk(`-    app.kubernetes.io/version: "1.4.2"`, `+    app.kubernetes.io/version: '1.5.0'`);
    expect(labelOnlyMove(change(quoted), MOVES)).toEqual(MOVES[0]);
  });

  it('is not: the image beside the label, another label, a mixed or a partial move, a new object, a file', () => {
    const cases: [string, FileChange][] = [
      [
        'image too',
        change(
          hunk(
            '-    app.kubernetes.io/version: 1.4.2',
            '-        image: ghcr.io/acme/api:1.4.2',
            '+    app.kubernetes.io/version: 1.5.0',
            '+        image: ghcr.io/acme/api:1.5.0',
          ),
        ),
      ],
      [
        'another label',
        change(hunk('-    app.kubernetes.io/part-of: platform', '+    app.kubernetes.io/part-of: shop')),
      ],
      [
        'two apps',
        change(hunk('-    app.kubernetes.io/version: 1.4.2', '+    app.kubernetes.io/version: 2.1.0')),
      ],
      ['added only', change(hunk('+    app.kubernetes.io/version: 1.5.0'))],
      [
        'not the promoted version',
        change(hunk('-    app.kubernetes.io/version: 1.4.1', '+    app.kubernetes.io/version: 1.5.0')),
      ],
      [
        'new object',
        change(hunk('-    app.kubernetes.io/version: 1.4.2', '+    app.kubernetes.io/version: 1.5.0'), {
          kind: 'added',
        }),
      ],
      [
        'a whole file',
        change(hunk('-    app.kubernetes.io/version: 1.4.2', '+    app.kubernetes.io/version: 1.5.0'), {
          object: undefined,
        }),
      ],
    ];
    expect(cases.filter(([, c]) => labelOnlyMove(c, MOVES) !== undefined).map(([name]) => name)).toEqual([]);
  });
});

describe('evaluation line, links and the workflow run', () => {
  it('says when, on which base commit and from which run', () => {
    expect(evaluatedLine(NOW.toISOString(), 'main', { commit: BASE, runUrl: RUN })).toBe(
      '_Evaluated at 2025-03-05 10:00 UTC on `main` at `2222222`, by [this workflow run](https://github.com/acme/platform/actions/runs/4242). Soak, health and freeze are as of then; the bot updates this description when the plan changes._',
    );
    expect(evaluatedLine(NOW.toISOString(), 'main', {})).toBe(
      '_Evaluated at 2025-03-05 10:00 UTC. Soak, health and freeze are as of then; the bot updates this description when the plan changes._',
    );
  });

  it('builds the run URL from GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID, only when all are sound', () => {
    const env = {
      GITHUB_SERVER_URL: 'https://github.example.com',
      GITHUB_REPOSITORY: 'acme/platform',
      GITHUB_RUN_ID: '4242',
    };
    expect(github.runUrl!(env)).toBe('https://github.example.com/acme/platform/actions/runs/4242');
    expect(github.runUrl!({ ...env, GITHUB_RUN_ID: undefined })).toBeUndefined();
    expect(github.runUrl!({ ...env, GITHUB_RUN_ID: '42) [x](https://evil' })).toBeUndefined();
    expect(github.runUrl!({ ...env, GITHUB_SERVER_URL: 'https://user:secret@github.com' })).toBeUndefined();
  });

  it('links each context where it starts an item of the evidence, and never a credential', () => {
    expect(
      linkedEvidence({
        evidence: 'argocd/staging: failure on 1111111; e2e: missing on 1111111',
        links: { 'argocd/staging': 'https://argocd.example/app?view=tree', e2e: 'javascript:alert(1)' },
      }),
    ).toBe(
      '[argocd/staging](https://argocd.example/app?view=tree): failure on 1111111; e2e: missing on 1111111',
    );
    expect(safeLink('https://bot:hunter2@ci.example/run/1 (retry)|x')).toBe(
      'https://ci.example/run/1%20%28retry%29%7Cx',
    );
  });
});

describe('after merge', () => {
  it('lists the blue-green promote for each cluster of the wave where auto-promotion is off', async () => {
    const { pins } = await readPins(projectRoot);
    const { resolved } = checkedMatrix(example, pins);
    const wave1 = resolved.targets.filter((t) => t.env === 'prod' && t.wave === 1).map((t) => t.id);
    expect(manualPromotions(resolved, 'prod', wave1, ['api', 'web', 'worker'])).toEqual([
      {
        target: 'prod/aws/eu-west-1/main',
        app: 'web',
        command: 'kubectl argo rollouts promote web -n web --context prod-aws-eu-west-1-main',
      },
      {
        target: 'prod/azure/westeurope/main',
        app: 'web',
        command: 'kubectl argo rollouts promote web -n web --context prod-azure-westeurope-main',
      },
    ]);
    // staging's web is rolling, so nothing by hand there.
    const staging = resolved.targets.filter((t) => t.env === 'staging').map((t) => t.id);
    expect(manualPromotions(resolved, 'staging', staging, ['web'])).toEqual([]);
    const env = resolved.environments.find((e) => e.name === 'prod')!;
    const web = resolved.targets.find((t) => t.id === wave1[0])!.apps.find((a) => a.name === 'web')!;
    expect(rolloutAutoPromotes({ env, app: web })).toBe(false);
  });
});

describe('the prod PR body with every generator', () => {
  let dir: string;
  let pins: PinsByEnvironment;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'envmatrix-body-'));
    pins = (await readPins(projectRoot)).pins;
    await synth(checkedMatrix(example, pins).resolved, {
      outDir: join(dir, 'generated'),
      only: 'prod',
      writeFilesAbove: true,
    });
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const facts = (): PlanFacts => ({
    definition: example,
    pins,
    history: Object.fromEntries(
      Object.entries(pins).map(([env, p]) => [
        env,
        [
          {
            sha: ARRIVAL,
            at: '2025-03-01T00:00:00.000Z',
            text: serializePins(p.apps, PINS_SCHEMA_REF, p.waves),
          },
        ],
      ]),
    ),
    health: new Map([
      [
        ARRIVAL,
        [{ context: 'argocd/staging', state: 'success' as const, via: 'status' as const, url: ARGOCD }],
      ],
    ]),
    generatedDir: join(dir, 'generated'),
    now: NOW,
    trigger: { commit: BASE, runUrl: RUN },
  });

  it('says when and why, links health, names the manual promote, and shows only the diffs that matter', async () => {
    const plan = await planPromotion(facts(), { from: 'staging', to: 'prod', wave: 0 });
    const { body } = plan;
    expect(body).toContain(
      '\n_Evaluated at 2025-03-05 10:00 UTC on `main` at `2222222`, by [this workflow run](https://github.com/acme/platform/actions/runs/4242). ',
    );
    expect(body).toContain(`| ✅ [argocd/staging](${ARGOCD}) success on 1111111 |`);
    expect(body).toContain(
      '\n```sh\nkubectl argo rollouts promote web -n web --context prod-aws-us-east-1-main\n```\n',
    );
    const relabelled = body.split('\n').filter((line) => line.includes('change only their'));
    expect(relabelled).toHaveLength(1);
    expect(relabelled[0]).toMatch(
      /^- \d+ objects change only their `app\.kubernetes\.io\/version` label \(api 1\.4\.2 → 1\.5\.0, web 2\.0\.1 → 2\.1\.0, worker 0\.8\.0 → 0\.8\.1\): /,
    );
    // What stays a diff: each workload (image and version) and the values file, nothing that is only a label.
    const diffs = [...body.matchAll(/^(`{3,})diff\n([\s\S]*?)^\1$/gm)].map((m) => m[2]!);
    const moves = plan.promotions.map((p) => ({ app: p.app, from: p.from!.tag, to: p.to.tag }));
    const files = plan.changes.flatMap((c) => c.files);
    expect(diffs.length).toBe(files.filter((f) => !labelOnlyMove(f, moves)).length);
    expect(diffs.length).toBeLessThan(files.length);
    expect(body.length).toBeLessThan(GITHUB_BODY_LIMIT);
    await expect(body).toMatchFileSnapshot('__snapshots__/staging-to-prod-wave-0-full.md');
  });
});
