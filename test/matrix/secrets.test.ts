/**
 * Finding 9 (issue 11): the secret check flagged TOKEN_TTL, MAX_TOKENS and PASSWORD_MIN_LENGTH with no
 * opt-out, and missed Stripe `sk_live_…` and Slack `xoxb-…`. Values are now also checked with
 * secretlint's recommended rules (offline, in memory); a key listed in `publicConfig` is skipped; no
 * message ever contains the value.
 */
import { describe, expect, it } from 'vitest';
import { defineApp } from '../../src/matrix/index.ts';
import { scanConfigSecrets } from '../../src/matrix/secret-scan.ts';
import { fixtureApps, fixtureMatrix } from '../support/matrix-fixture.ts';
import { problems } from '../support/problems.ts';

// Built from pieces so this file itself does not trip secret scanners.
const STRIPE = ['sk', 'live', 'Zq8vR2mT5wX9kL3nB7cJ4hD1'].join('_');
const SLACK = ['xoxb', '123456789012', '1234567890123', 'AbCdEfGhIjKlMnOpQrStUvWx'].join('-');

function workerWith(config: Record<string, string>, publicConfig?: string[]) {
  const [api] = fixtureApps();
  const worker = defineApp({
    name: 'worker',
    image: 'ghcr.io/acme/worker',
    replicas: 2,
    dependsOn: ['api'],
    config,
    ...(publicConfig && { publicConfig }),
  });
  return fixtureMatrix({ apps: [api!, worker] });
}

describe('secrets in config (finding 9)', () => {
  it('finding 9: keys that describe a credential are not flagged; keys that hold one still are', () => {
    const matrix = workerWith({
      TOKEN_TTL: '3600',
      MAX_TOKENS: '512',
      PASSWORD_MIN_LENGTH: '12',
      DB_PASSWORD: 'x',
    });
    expect(problems(matrix)).toEqual([
      '[dev/aws/us-east-1/main/worker] config key "DB_PASSWORD" looks like a credential',
      '[prod/aws/eu-west-1/main/worker] config key "DB_PASSWORD" looks like a credential',
      '[prod/gcp/europe-west1/main/worker] config key "DB_PASSWORD" looks like a credential',
      '[prod/onprem/dc1/main/worker] config key "DB_PASSWORD" looks like a credential',
    ]);
  });

  it('finding 9: a Stripe live key is caught, without echoing it', () => {
    const found = problems(workerWith({ PAYMENTS: STRIPE }));
    expect(found[0]).toBe(
      '[dev/aws/us-east-1/main/worker] config value of "PAYMENTS" looks like a Stripe live key',
    );
    expect(found.join('\n')).not.toContain(STRIPE);
  });

  it("finding 9: secretlint's rules catch a Slack bot token, naming where it is written, without echoing it", async () => {
    const matrix = workerWith({ NOTIFY: SLACK });
    const issues = await scanConfigSecrets(matrix);
    expect(issues).toEqual([
      {
        path: 'apps.worker.config.NOTIFY',
        message:
          'config value of "NOTIFY" looks like a secret (secretlint: @secretlint/secretlint-rule-slack)',
        source: matrix.apps[1]!.source,
        fix: 'move it to secrets as a reference {name, store, key}; secret values never go in the matrix',
      },
    ]);
    expect(JSON.stringify(issues)).not.toContain(SLACK);
  });

  it('finding 9: publicConfig opts a key out of every secret check', async () => {
    const matrix = workerWith({ STRIPE_PUBLISHABLE_KEY: 'pk', API_TOKEN: 'public-demo', NOTIFY: SLACK }, [
      'API_TOKEN',
      'NOTIFY',
    ]);
    expect(problems(matrix)).toEqual([]);
    expect(await scanConfigSecrets(matrix)).toEqual([]);
  });
});
