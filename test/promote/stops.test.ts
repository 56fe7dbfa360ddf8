/**
 * Which closed PRs stop which apps (src/promote/stops.ts declinedProposals), on PR lists as the code
 * host returns them (newest first). The bot-level behaviour is in bot-stops.test.ts and, under faults,
 * bot-model.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { renderMarker } from '../../src/promote/naming.ts';
import type { PullRequest } from '../../src/promote/scm/scm.ts';
import { declinedProposals } from '../../src/promote/stops.ts';

function pr(
  number: number,
  state: 'open' | 'closed' | 'merged',
  proposed: Record<string, string> | undefined,
): PullRequest {
  // `{}`: a marker without `proposed`, as an on-hold PR's body carries.
  const marker =
    proposed &&
    renderMarker({
      version: 1,
      hash: `h${number}`,
      from: 'staging',
      to: 'prod',
      wave: 0,
      ...(Object.keys(proposed).length > 0 && { proposed }),
    });
  return {
    number,
    url: `https://github.com/acme/platform/pull/${number}`,
    state: state === 'open' ? 'open' : 'closed',
    merged: state === 'merged',
    title: `PR ${number}`,
    body: marker ? `Promote.\n\n${marker}\n` : 'A PR someone wrote by hand.',
    branch: 'envmatrix/promote/staging-to-prod',
    base: 'main',
    labels: [],
    requested: { users: [], teams: [] },
  };
}

const stopped = (prs: PullRequest[]) => declinedProposals(prs).map((d) => [d.number, d.proposed]);

describe('declinedProposals', () => {
  it('a newer PR for other apps does not end a stop; one that proposes the app again does', () => {
    const declined = pr(1, 'closed', { api: '1.5.0@aaaaaaaaaaaa', worker: '0.8.1@aaaaaaaaaaaa' });
    // The bot's own next PR, for a web pin that landed since: api and worker stay stopped.
    expect(stopped([pr(2, 'open', { web: '2.1.0@bbbbbbbbbbbb' }), declined])).toEqual([
      [1, { api: '1.5.0@aaaaaaaaaaaa', worker: '0.8.1@aaaaaaaaaaaa' }],
    ]);
    // --resume opened a PR with api again: api's stop ends, worker's holds.
    expect(stopped([pr(2, 'open', { api: '1.5.0@aaaaaaaaaaaa' }), declined])).toEqual([
      [1, { worker: '0.8.1@aaaaaaaaaaaa' }],
    ]);
    // A merged PR that moved both ends both.
    expect(
      stopped([pr(2, 'merged', { api: '1.5.0@aaaaaaaaaaaa', worker: '0.8.1@aaaaaaaaaaaa' }), declined]),
    ).toEqual([]);
  });

  it('several closed PRs each stop what they proposed; PRs older than a move of the app do not', () => {
    expect(
      stopped([
        pr(4, 'closed', { api: '1.6.0@cccccccccccc' }),
        pr(3, 'closed', { web: '2.1.0@bbbbbbbbbbbb' }),
        pr(2, 'merged', { api: '1.5.0@aaaaaaaaaaaa' }),
        pr(1, 'closed', { api: '1.4.9@999999999999', web: '2.0.9@999999999999' }),
      ]),
    ).toEqual([
      [4, { api: '1.6.0@cccccccccccc' }],
      [3, { web: '2.1.0@bbbbbbbbbbbb' }],
      [1, { web: '2.0.9@999999999999' }],
    ]);
  });

  it('an open or merged PR without a marker ends every older stop; a closed one without stops nothing', () => {
    const declined = pr(1, 'closed', { api: '1.5.0@aaaaaaaaaaaa' });
    expect(stopped([pr(2, 'merged', undefined), declined])).toEqual([]);
    // An on-hold PR's marker proposes nothing (found by bot-model.test.ts): it ends no stop.
    expect(stopped([pr(2, 'open', {}), declined])).toEqual([[1, { api: '1.5.0@aaaaaaaaaaaa' }]]);
    expect(stopped([pr(2, 'closed', undefined), declined])).toEqual([[1, { api: '1.5.0@aaaaaaaaaaaa' }]]);
  });
});
