import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullRequestOf, releaseHistory } from '../../src/fleet/history.ts';
import { buildReportData, type ReportData } from '../../src/fleet/report-data.ts';
import { escapeHtml, renderReportPage, scriptJson } from '../../src/fleet/report/page.ts';
import { flatValues } from '../../src/fleet/values.ts';
import { checkedMatrix, loadMatrix } from '../../src/matrix/load.ts';
import type { ResolvedMatrix } from '../../src/matrix/types.ts';
import { dryRunPromotion } from '../../src/promote/run.ts';
import type { PinsRevision } from '../../src/promote/types.ts';
import { DIGEST, fixtureMatrix, fixturePins } from '../support/matrix-fixture.ts';
import type { ProjectCopy } from '../support/project-copy.ts';
import { gitProject } from './git-project.ts';
import { GitRepository } from '../../src/promote/scm/git.ts';

const pins = (apps: Record<string, string>, waves?: Record<string, Record<string, string>>): string =>
  JSON.stringify({
    apps: Object.fromEntries(Object.entries(apps).map(([app, tag]) => [app, { tag, digest: DIGEST }])),
    ...(waves && {
      waves: Object.fromEntries(
        Object.entries(waves).map(([w, byApp]) => [
          w,
          Object.fromEntries(Object.entries(byApp).map(([app, tag]) => [app, { tag, digest: DIGEST }])),
        ]),
      ),
    }),
  });

const fixture = checkedMatrix(fixtureMatrix(), fixturePins()).resolved;

/** Newest first, as the git adapter returns them. */
const revisions: Record<string, PinsRevision[]> = {
  dev: [
    {
      sha: 'd2'.padEnd(40, '0'),
      at: '2026-11-03T09:00:00.000Z',
      text: pins({ api: '1.1.0', worker: '0.2.0' }),
    },
    {
      sha: 'd1'.padEnd(40, '0'),
      at: '2026-11-01T09:00:00.000Z',
      text: pins({ api: '1.0.0', worker: '0.2.0' }),
    },
  ],
  prod: [
    // The last wave folds the rollout back into apps: api 1.1.0 everywhere.
    {
      sha: 'p4'.padEnd(40, '0'),
      at: '2026-11-06T12:00:00.000Z',
      text: pins({ api: '1.1.0', worker: '0.1.0' }),
    },
    {
      sha: 'p3'.padEnd(40, '0'),
      at: '2026-11-05T12:00:00.000Z',
      text: pins({ api: '1.0.0', worker: '0.1.0' }, { '0': { api: '1.1.0' } }),
    },
    {
      sha: 'p2'.padEnd(40, '0'),
      at: '2026-11-02T12:00:00.000Z',
      text: pins({ api: '1.0.0', worker: '0.1.0' }),
    },
    {
      sha: 'p1'.padEnd(40, '0'),
      at: '2026-10-30T12:00:00.000Z',
      text: pins({ api: '0.9.0', worker: '0.1.0' }),
    },
  ],
};
const subjects = new Map([
  ['p4'.padEnd(40, '0'), 'Promote api 1.0.0 → 1.1.0 to prod wave 1 (#17)'],
  ['p3'.padEnd(40, '0'), 'Merge pull request #16 from acme/envmatrix/promote/dev-to-prod-wave-0'],
  ['p2'.padEnd(40, '0'), 'Pin api 1.0.0 in prod'],
]);

describe('release history from the pins files’ git history', () => {
  it('reads the pull request from GitHub’s merge and squash subjects', () => {
    expect(pullRequestOf('Merge pull request #16 from acme/x')).toBe(16);
    expect(pullRequestOf('Promote api to prod (#17)')).toBe(17);
    expect(pullRequestOf('Bump #3 things')).toBeUndefined();
    expect(pullRequestOf(undefined)).toBeUndefined();
  });

  it('lists each pin change per environment, newest first, with its wave, commit and PR', () => {
    const history = releaseHistory(fixture, revisions, subjects);
    expect(
      history.events.prod!.map((e) => [
        e.at.slice(0, 10),
        e.app,
        e.from,
        e.to,
        e.wave,
        e.sha.slice(0, 2),
        e.pr,
      ]),
    ).toEqual([
      ['2026-11-06', 'api', '1.0.0', '1.1.0', undefined, 'p4', 17],
      ['2026-11-05', 'api', '1.0.0', '1.1.0', 0, 'p3', 16],
      ['2026-11-02', 'api', '0.9.0', '1.0.0', undefined, 'p2', undefined],
      ['2026-10-30', 'api', undefined, '0.9.0', undefined, 'p1', undefined],
      ['2026-10-30', 'worker', undefined, '0.1.0', undefined, 'p1', undefined],
    ]);
    expect(history.events.dev!.map((e) => [e.app, e.from, e.to])).toEqual([
      ['api', '1.0.0', '1.1.0'],
      ['api', undefined, '1.0.0'],
      ['worker', undefined, '0.2.0'],
    ]);
  });

  it('measures each release’s lead time from the first environment to every wave of the last', () => {
    const { leadTimes } = releaseHistory(fixture, revisions, subjects);
    expect(leadTimes).toEqual([
      {
        app: 'api',
        tag: '1.1.0',
        firstAt: '2026-11-03T09:00:00.000Z',
        lastAt: '2026-11-06T12:00:00.000Z',
        seconds: 3 * 86_400 + 3 * 3_600,
      },
      {
        app: 'api',
        tag: '1.0.0',
        firstAt: '2026-11-01T09:00:00.000Z',
        lastAt: '2026-11-02T12:00:00.000Z',
        seconds: 86_400 + 3 * 3_600,
      },
      // Not in prod yet: on its way.
      { app: 'worker', tag: '0.2.0', firstAt: '2026-11-01T09:00:00.000Z' },
    ]);
  });
});

describe('report data for the example matrix', () => {
  let project: ProjectCopy;
  let example: ResolvedMatrix;
  let data: ReportData;
  // Monday 2026-11-30 02:00 UTC: inside prod's weekend freeze (Friday 16:00 Berlin + 64h = Monday 07:00 UTC).
  const now = new Date('2026-11-30T02:00:00Z');

  beforeAll(async () => {
    // Every pin on the base branch since 2026-11-22: every soak has passed; only prod's freeze holds.
    project = await gitProject(() =>
      Promise.resolve([{ at: '2026-11-22T00:00:00Z', subject: 'The example fleet' }]),
    );
    example = (await loadMatrix({ root: project.root })).resolved;
    const git = await GitRepository.open({ dir: project.root });
    const outcomes = await dryRunPromotion({ root: project.root, all: true, now, git });
    data = buildReportData({
      matrix: example,
      plans: outcomes.map((o) => o.plan),
      revisions: {},
      subjects: new Map(),
      now,
    });
  });
  afterAll(() => project.remove());

  it('has one row per cluster and one cell per app, with version, digest, strategy and replicas', () => {
    expect(data.apps).toEqual(['api', 'report', 'web', 'worker']);
    expect(data.targets.map((t) => t.id)).toEqual(example.targets.map((t) => t.id));
    const onprem = data.targets.find((t) => t.id === 'prod/onprem/dc1/main')!;
    expect(onprem).toMatchObject({ engine: 'flux', wave: 2, cloud: 'onprem' });
    expect(onprem.cells[0]).toEqual({
      app: 'api',
      tag: '1.4.2',
      digest: 'sha256:b326df80c604626b42c8122403b73be4f55086f89d49235c3013008dbf326974',
      strategy: 'canary',
      replicas: '6–30',
    });
    expect(onprem.cells[3]).toBeNull(); // worker is not placed on-prem
  });

  it('lists pending promotions with the gate holding each and when it clears (freeze)', () => {
    expect(
      data.pending.map((p) => [p.from, p.to, p.wave, p.app, p.fromTag, p.toTag, p.status, p.clearsAt]),
    ).toEqual([
      ['dev', 'staging', 0, 'api', '1.5.0', '1.6.0', 'ready', undefined],
      ['dev', 'staging', 0, 'web', '2.1.0', '2.2.0', 'ready', undefined],
      ['dev', 'staging', 0, 'worker', '0.8.1', '0.9.0', 'ready', undefined],
      ['staging', 'prod', 0, 'api', '1.4.2', '1.5.0', 'blocked', '2026-11-30T07:00:00.000Z'],
      ['staging', 'prod', 0, 'web', '2.0.1', '2.1.0', 'blocked', '2026-11-30T07:00:00.000Z'],
      ['staging', 'prod', 0, 'worker', '0.8.0', '0.8.1', 'blocked', '2026-11-30T07:00:00.000Z'],
    ]);
    const api = data.pending.find((p) => p.to === 'prod' && p.app === 'api')!;
    expect(api.gates.find((g) => g.status === 'block')).toMatchObject({ gate: 'freeze' });
    expect(data.environments.map((e) => [e.name, e.soak, e.freeze.status, e.freeze.evidence])).toEqual([
      ['dev', undefined, 'none', 'no freeze windows in dev'],
      ['staging', '2h', 'none', 'no freeze windows in staging'],
      ['prod', '1d', 'frozen', 'frozen until 2026-11-30 07:00 UTC'],
    ]);
  });

  it('carries every app value with the layer and file that set it, for the compare view', () => {
    const { strings, cells } = data.values;
    const t = data.targets.findIndex((x) => x.id === 'prod/aws/us-east-1/main');
    const decoded = cells[t]![0]!.map(([p, v, l, s]) => ({
      path: strings[p],
      value: strings[v],
      layer: strings[l],
      source: strings[s],
    }));
    expect(decoded).toEqual(flatValues(example, 'prod/aws/us-east-1/main', 'api'));
    expect(decoded.find((v) => v.path === 'scaling.min')).toMatchObject({ value: '6', layer: 'environment' });
  });

  it('is the same data for the same facts (no clock, no machine in it)', () => {
    const again = buildReportData({ matrix: example, plans: [], revisions: {}, subjects: new Map(), now });
    expect(JSON.stringify({ ...again, pending: [] })).toBe(JSON.stringify({ ...data, pending: [] }));
  });
});

describe('report page', () => {
  it('escapes text and keeps embedded JSON from closing its script element', () => {
    expect(escapeHtml('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
    expect(scriptJson({ s: '</script><script>alert(1)</script>' })).toBe(
      '{"s":"\\u003c/script>\\u003cscript>alert(1)\\u003c/script>"}',
    );
  });

  it('forbids every network request with its Content-Security-Policy and loads nothing from outside', () => {
    const data = buildReportData({
      matrix: fixture,
      plans: [],
      revisions,
      subjects,
      now: new Date('2026-11-30T00:00:00Z'),
    });
    const html = renderReportPage(data, { css: 'body{}', js: '/* js */' });
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">`,
    );
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/);
    expect(html).toContain('<a href="https://github.com/acme/platform/pull/17">#17</a>');
  });
});
