import { describe, expect, it } from 'vitest';
import { resolveMatrix } from '../../src/matrix/resolve.ts';
import type { ResolvedEnvironment } from '../../src/matrix/types.ts';
import {
  activeFreeze,
  digestGate,
  freezeGate,
  healthGate,
  passesAt,
  soakGate,
} from '../../src/promote/gates.ts';
import { fixtureMatrix, fixturePins } from '../support/matrix-fixture.ts';

/** An environment as the resolver makes it, with the policy fields a test sets. */
const resolvedProd = resolveMatrix(fixtureMatrix(), fixturePins()).environments.find(
  (e) => e.name === 'prod',
)!;
function env(change: Partial<ResolvedEnvironment['policy']> = {}, name = 'prod'): ResolvedEnvironment {
  return {
    ...resolvedProd,
    name,
    policy: { ...resolvedProd.policy, requireDigest: false, soakSeconds: 0, freeze: [], ...change },
  };
}

const WEEKEND = {
  cron: '0 16 * * FRI',
  duration: '64h',
  timeZone: 'Europe/Berlin',
  reason: 'weekend freeze',
} as const;
const SHA = '24ad87891949043c2836a6e8643ade2b04a1b156';

describe('freeze gate', () => {
  it('is open mid-week and names the next window', () => {
    expect(freezeGate(env({ freeze: [WEEKEND] }), new Date('2025-03-05T10:00:00Z'))).toEqual({
      gate: 'freeze',
      status: 'pass',
      evidence:
        'open; next freeze weekend freeze (`0 16 * * FRI` Europe/Berlin, 64h) starts 2025-03-07 15:00 UTC',
    });
  });

  it('blocks inside the window, read in the window’s time zone, until it ends', () => {
    // 16:00 in Berlin is 15:00 UTC in winter (CET); the window lasts until Monday 08:00 Berlin.
    expect(freezeGate(env({ freeze: [WEEKEND] }), new Date('2025-03-08T12:00:00Z'))).toEqual({
      gate: 'freeze',
      status: 'block',
      evidence:
        'prod is frozen: weekend freeze (`0 16 * * FRI` Europe/Berlin, 64h) from 2025-03-07 15:00 UTC to 2025-03-10 07:00 UTC',
      passesAt: '2025-03-10T07:00:00.000Z',
    });
  });

  it('follows daylight saving time: in summer the window starts at 14:00 UTC', () => {
    expect(freezeGate(env({ freeze: [WEEKEND] }), new Date('2025-07-04T13:59:00Z')).status).toBe('pass');
    expect(freezeGate(env({ freeze: [WEEKEND] }), new Date('2025-07-04T14:00:00Z'))).toMatchObject({
      status: 'block',
      passesAt: '2025-07-07T06:00:00.000Z',
    });
  });

  it('opens exactly when the window ends', () => {
    expect(freezeGate(env({ freeze: [WEEKEND] }), new Date('2025-03-10T07:00:00Z')).status).toBe('pass');
    expect(freezeGate(env({ freeze: [WEEKEND] }), new Date('2025-03-10T06:59:59Z')).status).toBe('block');
  });

  it('merges windows that overlap into one span', () => {
    // 6h windows starting at 00:00, 04:00 and 08:00 chain into one freeze from 00:00 to 14:00.
    const span = activeFreeze({ cron: '0 0,4,8 * * *', duration: '6h' }, new Date('2025-03-05T05:00:00Z'));
    expect(span?.start.toISOString()).toBe('2025-03-05T00:00:00.000Z');
    expect(span?.end.toISOString()).toBe('2025-03-05T14:00:00.000Z');
  });

  it('passes when the environment has no windows', () => {
    expect(freezeGate(env(), new Date()).evidence).toBe('no freeze windows in prod');
  });
});

describe('soak gate', () => {
  const arrival = { sha: SHA, at: '2025-03-04T08:00:00.000Z' };
  const pin = { tag: '1.5.0' };

  it('passes once the pin has been in the source for the soak time', () => {
    expect(soakGate({ env: 'staging' }, pin, arrival, 24 * 3600, new Date('2025-03-05T10:00:00Z'))).toEqual({
      gate: 'soak',
      status: 'pass',
      evidence: '1d 2h ≥ 1d: staging has run 1.5.0 since 2025-03-04 08:00 UTC (24ad878)',
    });
  });

  it('blocks before, with the time it passes', () => {
    expect(soakGate({ env: 'staging' }, pin, arrival, 24 * 3600, new Date('2025-03-04T11:30:00Z'))).toEqual({
      gate: 'soak',
      status: 'block',
      evidence: '3h 30m < 1d: staging has run 1.5.0 since 2025-03-04 08:00 UTC (24ad878)',
      passesAt: '2025-03-05T08:00:00.000Z',
    });
  });

  // Kills the planted `>=` → `>` mutant: the gate opens at the very second the soak ends (the passesAt it
  // promised while blocking), and blocks one second before it.
  it('passes at exactly the soak time, the instant it said it would, and blocks a second earlier', () => {
    const blocked = soakGate({ env: 'staging' }, pin, arrival, 24 * 3600, new Date('2025-03-05T07:59:59Z'));
    expect(blocked).toEqual({
      gate: 'soak',
      status: 'block',
      evidence: '23h 59m < 1d: staging has run 1.5.0 since 2025-03-04 08:00 UTC (24ad878)',
      passesAt: '2025-03-05T08:00:00.000Z',
    });
    expect(soakGate({ env: 'staging' }, pin, arrival, 24 * 3600, new Date(blocked.passesAt!))).toEqual({
      gate: 'soak',
      status: 'pass',
      evidence: '1d ≥ 1d: staging has run 1.5.0 since 2025-03-04 08:00 UTC (24ad878)',
    });
  });

  it('speaks of the previous wave for wave promotions', () => {
    expect(
      soakGate({ env: 'prod', wave: 0 }, pin, arrival, 3600, new Date('2025-03-04T08:20:00Z')).evidence,
    ).toBe('20m < 1h: prod wave 0 has run 1.5.0 since 2025-03-04 08:00 UTC (24ad878)');
  });

  it('blocks a pin that is not on the base branch yet', () => {
    expect(soakGate({ env: 'staging' }, pin, undefined, 7200, new Date())).toEqual({
      gate: 'soak',
      status: 'block',
      evidence:
        'staging runs 1.5.0 only in the working tree, not on the base branch; the 2h soak starts when it lands',
    });
  });
});

describe('health gate', () => {
  const arrival = { sha: SHA, at: '2025-03-04T08:00:00.000Z' };

  it('passes when every required context is success', () => {
    const health = new Map([
      [SHA, [{ context: 'argocd/staging', state: 'success' as const, via: 'status' as const }]],
    ]);
    expect(healthGate({ env: 'staging' }, ['argocd/staging'], arrival, health)).toEqual({
      gate: 'health',
      status: 'pass',
      evidence: 'argocd/staging success on 24ad878',
    });
  });

  it('blocks on a failing or missing context and says which', () => {
    const health = new Map([[SHA, [{ context: 'argocd/staging', state: 'failure' as const }]]]);
    expect(healthGate({ env: 'staging' }, ['argocd/staging', 'smoke'], arrival, health)).toEqual({
      gate: 'health',
      status: 'block',
      evidence: 'argocd/staging: failure on 24ad878; smoke: no status or check run on 24ad878',
    });
  });

  it('blocks when the lookup has no answer for the commit (never a silent pass)', () => {
    expect(healthGate({ env: 'staging' }, ['argocd/staging'], arrival, new Map()).status).toBe('block');
  });

  it('is skipped, not passed, when the code host was not asked (offline dry run)', () => {
    expect(healthGate({ env: 'staging' }, ['argocd/staging'], arrival, undefined)).toEqual({
      gate: 'health',
      status: 'skip',
      evidence: 'not checked (no code host access): needs argocd/staging on 24ad878',
    });
  });

  it('passes when the source has no health checks', () => {
    expect(healthGate({ env: 'dev' }, [], arrival, undefined).evidence).toBe(
      'no health checks configured for dev',
    );
  });
});

describe('digest gate', () => {
  it('blocks a pin without a digest where the target requires one', () => {
    expect(digestGate({ tag: '2.2.0' }, env({ requireDigest: true }))).toEqual({
      gate: 'digest',
      status: 'block',
      evidence:
        '2.2.0 has no digest, and prod requires one; pin it with --digest sha256:… in the source first',
    });
  });

  it('blocks a pin without a migrateDigest for an app with a migration image of its own', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(digestGate({ tag: '2.2.0', digest }, env({ requireDigest: true }), true)).toEqual({
      gate: 'digest',
      status: 'block',
      evidence:
        "2.2.0 has no digest for the app's migration image, and prod requires one; pin it with --migrate-digest sha256:… in the source first",
    });
    const both = digestGate(
      { tag: '2.2.0', digest, migrateDigest: `sha256:${'b'.repeat(64)}` },
      env({ requireDigest: true }),
      true,
    );
    expect(both).toEqual({
      gate: 'digest',
      status: 'pass',
      evidence: 'pinned by digest sha256:aaaaaaaaaaaa…, its migration image by sha256:bbbbbbbbbbbb…',
    });
  });

  it('passes otherwise', () => {
    expect(digestGate({ tag: '2.2.0' }, env({}, 'staging')).evidence).toBe('not required in staging');
    expect(
      digestGate({ tag: '2.2.0', digest: `sha256:${'a'.repeat(64)}` }, env({ requireDigest: true })).status,
    ).toBe('pass');
  });
});

describe('passesAt', () => {
  it('is the latest time among blocked gates, and unknown when one cannot say', () => {
    const soak = {
      gate: 'soak' as const,
      status: 'block' as const,
      evidence: '',
      passesAt: '2025-03-05T08:00:00.000Z',
    };
    const freeze = {
      gate: 'freeze' as const,
      status: 'block' as const,
      evidence: '',
      passesAt: '2025-03-10T07:00:00.000Z',
    };
    expect(passesAt([soak, freeze])).toBe('2025-03-10T07:00:00.000Z');
    expect(passesAt([soak, { gate: 'health', status: 'block', evidence: '' }])).toBeUndefined();
  });
});
