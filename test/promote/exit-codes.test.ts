/**
 * The README's exit-code table, asserted: the table lists exactly the codes the CLI can set, and the
 * promotion-bot rows that no other CLI test reaches (3 conflict, 6 rate-limited, 7 network, 8 invalid
 * input) come from the real CLI against the fake GitHub and the real git remote. 0, 1 and 2 are in
 * test/cli/cli.test.ts, 4 and 5 in test/promote/cli.test.ts, 130 and 143 in test/promote/interrupt.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES as INTERRUPT_EXIT_CODES } from '../../src/cli/interrupt.ts';
import { EXIT } from '../../src/core/errors.ts';
import { SCM_EXIT_CODES } from '../../src/promote/scm/errors.ts';
import { secondaryRateLimit } from '../support/fake-github.ts';
import { projectRoot, requireTool, which } from '../support/tools.ts';
import { cleanEnv, cli, type Run } from './cli-run.ts';
import { createWorkbench, REPO, type Workbench } from './workbench.ts';

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');

/** The codes in the README's `| exit code | meaning |` table. */
function readmeExitCodes(): number[] {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('| exit code |'));
  const rows = table.split('\n').slice(2);
  const codes: number[] = [];
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    codes.push(
      ...row
        .split('|')[1]!
        .split(',')
        .map((code) => Number(code.trim())),
    );
  }
  return codes;
}

describe('the README exit-code table', () => {
  it('lists exactly the codes the CLI sets', () => {
    const codes = new Set([
      ...Object.values(EXIT),
      ...Object.values(SCM_EXIT_CODES),
      ...Object.values(INTERRUPT_EXIT_CODES),
    ]);
    expect(readmeExitCodes()).toEqual([...codes].sort((a, b) => a - b));
  });
});

describe.skipIf(!git.available)('promote exit codes from the real CLI (README table rows 3, 6, 7, 8)', () => {
  let wb: Workbench;
  let env: NodeJS.ProcessEnv;
  const promote = (extra: Record<string, string> = {}): Promise<Run> =>
    cli(
      [
        '--root',
        wb.clone,
        'promote',
        '--from',
        'staging',
        '--to',
        'prod',
        '--wave',
        '0',
        '--now',
        '2025-03-05T10:00:00Z',
      ],
      { ...env, ...extra },
    );
  // Listing and opening pull requests: whichever the bot calls first fails.
  const PULLS = { path: `/repos/${REPO}/pulls` };

  beforeAll(async () => {
    wb = await createWorkbench();
    wb.github.addStatus(REPO, wb.seedSha, { state: 'success', context: 'argocd/staging' });
    env = cleanEnv({ GITHUB_TOKEN: wb.token, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: wb.github.baseUrl });
  });
  afterAll(async () => {
    await wb?.close();
  });

  it('8: a token with whitespace is refused before any call', async () => {
    const calls = wb.github.calls.length;
    const result = await promote({ GITHUB_TOKEN: 'ghs_has a space' });
    expect(result.stderr).toContain('GITHUB_TOKEN contains whitespace or a character outside ASCII');
    expect(result.stderr).toContain('fix: copy the token again, without spaces or a line break');
    expect(result.code).toBe(8);
    expect(wb.github.calls.length).toBe(calls);
  });

  it('3: GitHub answering 409 (someone moved it at the same time)', { timeout: 60_000 }, async () => {
    // @octokit/plugin-retry retries a 409 too (it is not in its doNotRetry list): the first answer and three retries.
    wb.github.failNext({ ...PULLS, status: 409, body: { message: 'Conflict' }, times: 4 });
    const result = await promote();
    expect(result.stderr).toContain('failed with 409: Conflict');
    expect(result.code).toBe(3);
    expect(wb.github.pendingFaults()).toBe(0);
  });

  it('6: rate-limited until the retries run out', async () => {
    // The first answer and the bot's three retries.
    wb.github.failNext({ ...PULLS, ...secondaryRateLimit({ retryAfter: 1 }), times: 4 });
    const result = await promote();
    expect(result.stderr).toContain('secondary rate limit');
    expect(result.code).toBe(6);
    expect(wb.github.pendingFaults()).toBe(0);
  });

  it('7: GitHub failing with 502 until the retries run out', { timeout: 60_000 }, async () => {
    // The first answer and @octokit/plugin-retry's three retries.
    wb.github.failNext({ ...PULLS, status: 502, body: { message: 'Bad Gateway' }, times: 4 });
    const result = await promote();
    expect(result.stderr).toContain('failed with 502: Bad Gateway');
    expect(result.code).toBe(7);
    expect(wb.github.pendingFaults()).toBe(0);
  });
});
