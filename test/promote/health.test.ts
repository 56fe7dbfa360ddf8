/**
 * Issue 12, finding 6: health can be wrong. A check run concluded `skipped` or `neutral` proved nothing
 * ran green, so it is not healthy unless the environment's policy says so; and a commit with more than
 * 100 check runs had the rest ignored. Against the fake GitHub through the real adapter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthGate } from '../../src/promote/gates.ts';
import { GitHubCodeHost } from '../../src/promote/scm/github.ts';
import { fastPluginOptions, startFakeGitHub, type FakeGitHub } from '../support/fake-github.ts';

const REPO = 'acme/platform';
const TOKEN = 'ghs_healthTOKEN0123456789abcdefABCDEF';
const SHA = '24ad878f0c0ffee0000000000000000000000000';

describe('commit health from check runs', () => {
  let github: FakeGitHub;
  let host: GitHubCodeHost;
  beforeAll(async () => {
    github = await startFakeGitHub({ repos: [{ fullName: REPO }], token: TOKEN, resolveRef: () => SHA });
    host = new GitHubCodeHost({
      repository: REPO,
      token: TOKEN,
      apiUrl: github.baseUrl,
      ...fastPluginOptions(),
    });
    // The checks the environment needs ran first, then a matrix build added 150 more: GitHub lists
    // check runs newest first, so the needed ones are on the second page of 100.
    github.addCheckRun(REPO, SHA, { name: 'argocd/staging', conclusion: 'skipped' });
    github.addCheckRun(REPO, SHA, { name: 'smoke', conclusion: 'neutral' });
    github.addCheckRun(REPO, SHA, {
      name: 'e2e',
      conclusion: 'success',
      detailsUrl: 'https://ci.acme.example/e2e/981',
    });
    for (let i = 0; i < 150; i++)
      github.addCheckRun(REPO, SHA, { name: `build ${i}`, conclusion: 'success' });
  });
  afterAll(async () => {
    await github?.close();
  });

  it('reads every page and keeps skipped and neutral apart from success', async () => {
    const before = github.calls.length;
    const checks = await host.commitHealth(SHA, ['argocd/staging', 'smoke', 'e2e']);
    // The evidence link: the integrator's details_url when it gave one, else GitHub's page of the run.
    expect(checks.map((check) => [check.context, check.state, check.via, check.url])).toEqual([
      [
        'argocd/staging',
        'skipped',
        'check-run',
        expect.stringMatching(/^https:\/\/github\.com\/acme\/platform\/runs\/\d+$/),
      ],
      [
        'smoke',
        'neutral',
        'check-run',
        expect.stringMatching(/^https:\/\/github\.com\/acme\/platform\/runs\/\d+$/),
      ],
      ['e2e', 'success', 'check-run', 'https://ci.acme.example/e2e/981'],
    ]);
    expect(github.calls.slice(before).map((call) => call.route)).toEqual([
      'GET /repos/{owner}/{repo}/commits/{ref}/status',
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
      'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
    ]);
  });

  it('blocks on skipped and neutral unless the policy accepts them', async () => {
    const health = new Map([[SHA, await host.commitHealth(SHA, ['argocd/staging', 'smoke', 'e2e'])]]);
    const arrival = { sha: SHA, at: '2025-03-01T00:00:00.000Z' };
    const contexts = ['argocd/staging', 'smoke', 'e2e'];
    const links = Object.fromEntries(health.get(SHA)!.map((check) => [check.context, check.url]));
    expect(healthGate({ env: 'staging' }, contexts, arrival, health)).toEqual({
      gate: 'health',
      status: 'block',
      evidence: 'argocd/staging: skipped on 24ad878; smoke: neutral on 24ad878',
      links,
    });
    expect(healthGate({ env: 'staging' }, contexts, arrival, health, ['skipped', 'neutral'])).toEqual({
      gate: 'health',
      status: 'pass',
      evidence:
        'argocd/staging skipped (healthy by policy), smoke neutral (healthy by policy), e2e success on 24ad878',
      links,
    });
  });
});
