/**
 * planPromotion on the example project, in memory: the matrix and pins of src/environments, a generated/
 * synthed from them into a temp folder, pins history written out as revisions, and a fixed clock.
 * Rendering uses the schema and values generators only, so the PR body snapshot shows the promotion's
 * structure without depending on how the Kubernetes generators format manifests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaGenerator } from '../../src/generators/schema.ts';
import { valuesGenerator } from '../../src/generators/values.ts';
import example from '../../src/environments/index.ts';
import { PromotionBlocked } from '../../src/promote/errors.ts';
import { UsageError } from '../../src/core/errors.ts';
import { checkedMatrix, readPins } from '../../src/matrix/load.ts';
import { rolling } from '../../src/matrix/define.ts';
import { serializePins } from '../../src/matrix/pins.ts';
import type { MatrixDefinition, PinsByEnvironment } from '../../src/matrix/types.ts';
import { synth } from '../../src/output/synth.ts';
import { readMarker } from '../../src/promote/naming.ts';
import { healthLookups, planPromotion, PINS_SCHEMA_REF, type PlanFacts } from '../../src/promote/plan.ts';
import { GITHUB_BODY_LIMIT as BODY_LIMIT, githubProfile } from '../../src/promote/scm/github-plugin.ts';
import type { PinsRevision, PromotionRequest } from '../../src/promote/types.ts';
import { projectRoot } from '../support/tools.ts';

const generators = [schemaGenerator, valuesGenerator];
const NOW = new Date('2025-03-05T10:00:00Z'); // a Wednesday
const OLD_SHA = '1111111111111111111111111111111111111111';
const NEW_SHA = '2222222222222222222222222222222222222222';
const STAGING_TO_PROD: PromotionRequest = { from: 'staging', to: 'prod', wave: 0 };

let dir: string;
let pins: PinsByEnvironment;

const revision = (sha: string, at: string, envPins: PinsByEnvironment[string]): PinsRevision => ({
  sha,
  at,
  text: serializePins(envPins.apps, PINS_SCHEMA_REF, envPins.waves),
});

/** Every environment's current pins, committed long ago. */
function settledHistory(p: PinsByEnvironment = pins): PlanFacts['history'] {
  return Object.fromEntries(
    Object.entries(p).map(([env, envPins]) => [
      env,
      [revision(OLD_SHA, '2025-03-01T00:00:00.000Z', envPins)],
    ]),
  );
}

/** The staging pins a staging → prod promotion moves: all but report, pinned alike in every environment. */
function promotedFromStaging(): Record<string, { tag: string; digest?: string }> {
  return Object.fromEntries(Object.entries(pins.staging!.apps).filter(([app]) => app !== 'report'));
}

function facts(change: Partial<PlanFacts> = {}): PlanFacts {
  return {
    definition: example,
    pins,
    history: settledHistory(),
    health: new Map([
      [OLD_SHA, [{ context: 'argocd/staging', state: 'success' as const, via: 'status' as const }]],
    ]),
    generatedDir: join(dir, 'generated'),
    now: NOW,
    generators,
    ...change,
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'envmatrix-plan-'));
  pins = (await readPins(projectRoot)).pins;
  await synth(checkedMatrix(example, pins).resolved, { outDir: join(dir, 'generated'), generators });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('planPromotion', () => {
  it('writes the PR for the code host it is given: its size limit, its name, its compare links', async () => {
    const github = await planPromotion(facts(), STAGING_TO_PROD);
    const small = {
      ...githubProfile,
      displayName: 'Gitea',
      bodyLimit: 4000,
      compareUrl: () => 'https://gitea.test/c',
    };
    const plan = await planPromotion(facts({ codeHost: small }), STAGING_TO_PROD);
    expect(github.body.length).toBeGreaterThan(4000);
    expect(plan.body.length).toBeLessThanOrEqual(4000);
    expect(plan.body).toContain("left out to keep this description under Gitea's size limit");
    expect(plan.promotions.map((p) => p.compareUrl)).toEqual(
      plan.promotions.map(() => 'https://gitea.test/c'),
    );
    expect(readMarker(plan.body)?.hash).toBe(github.marker.hash);
  });

  it('plans staging → prod wave 0: pins, rendered change, gates, PR text', async () => {
    const plan = await planPromotion(facts(), STAGING_TO_PROD);
    expect(plan.branch).toBe('envmatrix/promote/staging-to-prod-wave-0');
    expect(plan.base).toBe('main');
    expect(plan.title).toBe(
      'Promote api 1.4.2 → 1.5.0, web 2.0.1 → 2.1.0, worker 0.8.0 → 0.8.1 to prod (wave 0: aws/us-east-1)',
    );
    expect(plan.labels).toEqual(['promotion', 'env:prod']);
    expect(plan.reviewers).toEqual({ users: [], teams: ['sre'] });
    expect(plan.promotions.map((p) => `${p.app} ${p.from?.tag} → ${p.to.tag} from ${p.source.env}`)).toEqual([
      'api 1.4.2 → 1.5.0 from staging',
      'web 2.0.1 → 2.1.0 from staging',
      'worker 0.8.0 → 0.8.1 from staging',
    ]);
    expect(plan.promotions.every((p) => p.gates.every((g) => g.status === 'pass'))).toBe(true);
    expect(plan.blocked).toEqual([]);
    expect(
      plan.changes.map((c) => [
        c.scope,
        c.files.map((f) => `${f.kind} ${f.path} +${f.additions} −${f.deletions}`),
      ]),
    ).toEqual([['prod/aws/us-east-1/main', ['changed values/prod/aws/us-east-1/main.json +9 −9']]]);
    expect(plan.risks).toEqual([]);
    expect(plan.drift).toEqual([]);
    expect(JSON.parse(plan.pinsFile!.content)).toEqual({
      $schema: '../../../generated/schema/releases.schema.json',
      apps: pins.prod!.apps,
      waves: { '0': promotedFromStaging() },
    });
    expect(plan.commitMessage).toContain(
      '\n\nPromoted-From: staging\nPromoted-Apps: api@1.5.0 web@2.1.0 worker@0.8.1\nPromoted-Wave: 0\nEnvmatrix-Plan: ',
    );
    expect(readMarker(plan.body)).toEqual({
      version: 1,
      hash: plan.marker.hash,
      from: 'staging',
      to: 'prod',
      wave: 0,
      // What the PR proposes, by pin and the commit that brought it to staging: a closed PR says what it declined.
      proposed: { api: '1.5.0@111111111111', web: '2.1.0@111111111111', worker: '0.8.1@111111111111' },
    });
    await expect(plan.body).toMatchFileSnapshot('__snapshots__/staging-to-prod-wave-0.md');
  });

  it('is deterministic, and its hash moves only when the promotion does', async () => {
    const a = await planPromotion(facts(), STAGING_TO_PROD);
    const b = await planPromotion(facts({ now: new Date('2025-03-05T11:00:00Z') }), STAGING_TO_PROD);
    expect(b.marker.hash).toBe(a.marker.hash);
    expect((await planPromotion(facts(), STAGING_TO_PROD)).body).toBe(a.body);
    const moved = {
      ...pins,
      staging: {
        ...pins.staging!,
        apps: { ...pins.staging!.apps, web: { tag: '2.1.1', digest: `sha256:${'c'.repeat(64)}` } },
      },
    };
    const c = await planPromotion(facts({ pins: moved, history: settledHistory(moved) }), STAGING_TO_PROD);
    expect(c.marker.hash).not.toBe(a.marker.hash);
    expect(c.branch).toBe(a.branch);
  });

  it('refuses to skip an environment', async () => {
    await expect(planPromotion(facts(), { from: 'dev', to: 'prod', wave: 0 })).rejects.toThrow(
      new PromotionBlocked(
        'dev → prod',
        'order',
        'dev promotes to staging, not prod; releases move one step at a time along dev → staging → prod',
      ),
    );
    await expect(planPromotion(facts(), { from: 'dev', to: 'prod', wave: 0 })).rejects.toThrow(
      'dev → prod: blocked by order: dev promotes to staging, not prod; releases move one step at a time along dev → staging → prod',
    );
  });

  it('holds back an app still soaking, promotes the others, and says when it may pass', async () => {
    const before = {
      ...pins.staging!,
      apps: { ...pins.staging!.apps, worker: { ...pins.prod!.apps.worker! } },
    };
    const history = {
      ...settledHistory(),
      staging: [
        revision(NEW_SHA, '2025-03-05T09:00:00.000Z', pins.staging!),
        revision(OLD_SHA, '2025-03-01T00:00:00.000Z', before),
      ],
    };
    const plan = await planPromotion(facts({ history }), STAGING_TO_PROD);
    expect(plan.promotions.map((p) => p.app)).toEqual(['api', 'web']);
    expect(plan.blocked.map((p) => [p.app, p.gates.filter((g) => g.status !== 'pass')])).toEqual([
      [
        'worker',
        [
          {
            gate: 'soak',
            status: 'block',
            evidence: '1h < 1d: staging has run 0.8.1 since 2025-03-05 09:00 UTC (2222222)',
            passesAt: '2025-03-06T09:00:00.000Z',
          },
          { gate: 'health', status: 'skip', evidence: 'not checked: blocked by soak' },
        ],
      ],
    ]);
    expect(plan.body).toContain(
      '| worker | 0.8.0 → 0.8.1 | soak | 1h < 1d: staging has run 0.8.1 since 2025-03-05 09:00 UTC (2222222) | 2025-03-06 09:00 UTC |',
    );
    // The soaking app costs no health lookup.
    expect(healthLookups(facts({ history }), STAGING_TO_PROD)).toEqual([
      { sha: OLD_SHA, contexts: ['argocd/staging'] },
    ]);
  });

  it('moves an app’s migration digest with its pin, and holds an app whose migration image has none', async () => {
    const ownImage: MatrixDefinition = {
      ...example,
      apps: example.apps.map((app) =>
        app.name === 'api'
          ? { ...app, migrate: { command: ['./migrate', 'up'], image: 'ghcr.io/acme/api-migrations' } }
          : app,
      ),
    };
    const digestOf = (c: string) => `sha256:${c.repeat(64)}`;
    const withMigrateDigest = (env: string, migrateDigest?: string): PinsByEnvironment[string] => {
      const envPins = pins[env]!;
      const api = { ...envPins.apps.api!, ...(migrateDigest && { migrateDigest }) };
      return { ...envPins, apps: { ...envPins.apps, api } };
    };
    // prod runs api with its migration digest (validation asks for it); staging's api pin has none.
    const bare = { ...pins, prod: withMigrateDigest('prod', digestOf('1')) };
    const held = await planPromotion(
      facts({ definition: ownImage, pins: bare, history: settledHistory(bare) }),
      STAGING_TO_PROD,
    );
    expect(held.promotions.map((p) => p.app)).toEqual(['web', 'worker']);
    expect(held.blocked.map((p) => [p.app, p.gates.find((g) => g.gate === 'digest')])).toEqual([
      [
        'api',
        {
          gate: 'digest',
          status: 'block',
          evidence: `1.5.0 has no digest for the app's migration image, and prod requires one; pin it with --migrate-digest sha256:… in the source first`,
        },
      ],
    ]);
    const pinned = { ...bare, staging: withMigrateDigest('staging', digestOf('2')) };
    const moved = await planPromotion(
      facts({ definition: ownImage, pins: pinned, history: settledHistory(pinned) }),
      STAGING_TO_PROD,
    );
    expect(moved.promotions.map((p) => p.app)).toEqual(['api', 'web', 'worker']);
    const prodPins = JSON.parse(moved.pinsFile!.content) as {
      waves: Record<string, Record<string, unknown>>;
    };
    expect(prodPins.waves['0']?.api).toEqual(pinned.staging.apps.api);
    // The commit and the changes table name it beside the image's digest.
    const api = pinned.staging.apps.api!;
    expect(moved.commitMessage).toContain(
      `api: 1.4.2 → ${api.tag}${api.digest ? ` (${api.digest})` : ''} (migration image ${digestOf('2')}) from staging`,
    );
    expect(moved.body).toContain(`(migration \`sha256:${'2'.repeat(12)}…\`)`);
    // Undoing it writes the migration digest back too.
    expect(moved.body).toContain(
      `envmatrix pin --env prod --wave 0 --app api --tag 1.4.2 --digest ${pins.prod!.apps.api!.digest} --migrate-digest ${digestOf('1')}`,
    );
  });

  it('with --atomic, promotes nothing while any app is blocked', async () => {
    const history = {
      ...settledHistory(),
      staging: [revision(NEW_SHA, '2025-03-05T09:00:00.000Z', pins.staging!)],
    };
    const plan = await planPromotion(facts({ history }), { ...STAGING_TO_PROD, atomic: true });
    expect(plan.promotions).toEqual([]);
    expect(plan.blocked.map((p) => p.app)).toEqual(['api', 'web', 'worker']);
    expect(plan.pinsFile).toBeUndefined();
    const passing = await planPromotion(facts(), { ...STAGING_TO_PROD, atomic: true });
    expect(passing.promotions).toHaveLength(3);
  });

  it('blocks every app during the target’s freeze window, until it ends', async () => {
    const plan = await planPromotion(facts({ now: new Date('2025-03-08T12:00:00Z') }), STAGING_TO_PROD);
    expect(plan.promotions).toEqual([]);
    expect(plan.blocked.map((p) => p.gates.find((g) => g.gate === 'freeze'))).toEqual(
      Array(3).fill({
        gate: 'freeze',
        status: 'block',
        evidence:
          'prod is frozen: weekend freeze (`0 16 * * FRI` Europe/Berlin, 64h) from 2025-03-07 15:00 UTC to 2025-03-10 07:00 UTC',
        passesAt: '2025-03-10T07:00:00.000Z',
      }),
    );
  });

  it('blocks on the source environment’s health checks', async () => {
    const health = new Map([
      [OLD_SHA, [{ context: 'argocd/staging', state: 'pending' as const, via: 'status' as const }]],
    ]);
    const plan = await planPromotion(facts({ health }), STAGING_TO_PROD);
    expect(plan.blocked.map((p) => p.gates.find((g) => g.gate === 'health')?.evidence)).toEqual(
      Array(3).fill('argocd/staging: pending on 1111111'),
    );
  });

  it('limits to --apps, and names unknown ones', async () => {
    const plan = await planPromotion(facts(), { ...STAGING_TO_PROD, apps: ['web'] });
    expect(plan.promotions.map((p) => p.app)).toEqual(['web']);
    await expect(planPromotion(facts(), { ...STAGING_TO_PROD, apps: ['wbe'] })).rejects.toThrow(
      new UsageError('--apps names unknown app(s) wbe; the apps are api, report, web, worker'),
    );
  });

  it('promotes wave 1 from wave 0 once wave 0 has soaked in prod, and folds the last wave into apps', async () => {
    const wave0 = { ...pins.prod!, waves: { '0': promotedFromStaging() } };
    const rolling0 = { ...pins, prod: wave0 };
    const history = {
      ...settledHistory(),
      prod: [
        revision(NEW_SHA, '2025-03-04T12:00:00.000Z', wave0),
        revision(OLD_SHA, '2025-03-01T00:00:00.000Z', pins.prod!),
      ],
    };
    const early = await planPromotion(facts({ pins: rolling0, history }), { ...STAGING_TO_PROD, wave: 1 });
    expect(early.promotions).toEqual([]);
    expect(early.blocked.map((p) => p.gates.find((g) => g.gate === 'soak')?.evidence)).toEqual([
      '22h < 1d: prod wave 0 has run 1.5.0 since 2025-03-04 12:00 UTC (2222222)',
      '22h < 1d: prod wave 0 has run 2.1.0 since 2025-03-04 12:00 UTC (2222222)',
      '22h < 1d: prod wave 0 has run 0.8.1 since 2025-03-04 12:00 UTC (2222222)',
    ]);
    const later = await planPromotion(
      facts({ pins: rolling0, history, now: new Date('2025-03-05T13:00:00Z') }),
      { ...STAGING_TO_PROD, wave: 1 },
    );
    expect(later.branch).toBe('envmatrix/promote/staging-to-prod-wave-1');
    expect(later.promotions.map((p) => [p.app, p.source])).toEqual([
      ['api', { env: 'prod', wave: 0 }],
      ['web', { env: 'prod', wave: 0 }],
      ['worker', { env: 'prod', wave: 0 }],
    ]);
    expect(later.targets.map((t) => t.id)).toEqual(['prod/aws/eu-west-1/main', 'prod/azure/westeurope/main']);
    // worker runs in waves 0 and 1 only (not on-prem): wave 1 is its last, so it folds into apps.
    expect(JSON.parse(later.pinsFile!.content)).toEqual({
      $schema: PINS_SCHEMA_REF,
      apps: { ...pins.prod!.apps, worker: pins.staging!.apps.worker },
      waves: {
        '0': { api: pins.staging!.apps.api, web: pins.staging!.apps.web },
        '1': { api: pins.staging!.apps.api, web: pins.staging!.apps.web },
      },
    });
  });

  it('puts what deserves a second look first and asks the risk reviewers', async () => {
    const changed: MatrixDefinition = {
      ...example,
      overrides: [...(example.overrides ?? []), { env: 'prod', app: 'web', set: { strategy: rolling() } }],
    };
    const plan = await planPromotion(facts({ definition: changed }), STAGING_TO_PROD);
    // The stale files are every prod target's: the PR brings all of them up to date, and says so.
    expect(plan.risks.map((r) => `${r.kind} ${r.scope}: ${r.detail}`)).toEqual([
      'strategy prod/aws/eu-west-1/main: web: strategy blueGreen → rolling',
      'strategy prod/aws/us-east-1/main: web: strategy blueGreen → rolling',
      'strategy prod/azure/westeurope/main: web: strategy blueGreen → rolling',
      'strategy prod/onprem/dc1/main: web: strategy blueGreen → rolling',
      'drift prod: 4 generated file(s) on the base branch were stale; this PR brings them up to date too',
    ]);
    expect(plan.drift).toEqual([
      'values/prod/aws/eu-west-1/main.json',
      'values/prod/aws/us-east-1/main.json',
      'values/prod/azure/westeurope/main.json',
      'values/prod/onprem/dc1/main.json',
    ]);
    expect(plan.reviewers).toEqual({ users: [], teams: ['security', 'sre'] });
    expect(
      plan.body.startsWith(
        '## ⚠️ Deserves a second look\n\n- **Strategy** · `prod/aws/eu-west-1/main`: web: strategy blueGreen → rolling',
      ),
    ).toBe(true);
    expect(plan.body).toContain('Risky changes also request review from team security.');
  });

  it('keeps the body under GitHub’s limit for a large promotion, summarizing instead of cutting', async () => {
    const { syntheticMatrix, syntheticPins } = await import('../../bench/synthetic-matrix.ts');
    const size = { environments: 3, clustersPerEnvironment: 2, apps: 400 };
    const definition = syntheticMatrix(size);
    const base = syntheticPins(size);
    const bumped = Object.fromEntries(
      Object.entries(base.staging!.apps).map(([app, pin]) => [app, { ...pin, tag: `${pin.tag}-rc` }]),
    );
    const big = { ...base, staging: { ...base.staging!, apps: bumped } };
    const bigDir = await mkdtemp(join(tmpdir(), 'envmatrix-plan-big-'));
    try {
      await synth(checkedMatrix(definition, base).resolved, {
        outDir: join(bigDir, 'generated'),
        generators,
      });
      const plan = await planPromotion(
        facts({
          definition,
          pins: big,
          history: settledHistory(big),
          health: new Map(),
          generatedDir: join(bigDir, 'generated'),
        }),
        STAGING_TO_PROD,
      );
      expect(plan.promotions).toHaveLength(400);
      expect(plan.body.length).toBeLessThanOrEqual(BODY_LIMIT);
      expect(plan.title).toBe('Promote 400 apps from staging to prod (wave 0: aws/us-east-1/c0)');
      expect(plan.body).toContain('| … | | | | and 350 more apps |');
      expect(plan.body).not.toContain('```diff');
      expect(plan.body).toContain("left out to keep this description under GitHub's size limit");
      expect(plan.body).toContain('# … and 350 more apps: revert the merge commit instead');
      expect(readMarker(plan.body)?.hash).toBe(plan.marker.hash);
    } finally {
      await rm(bigDir, { recursive: true, force: true });
    }
  });
});
