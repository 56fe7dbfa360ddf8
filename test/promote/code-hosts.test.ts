/**
 * Code hosts as plugins: the factory picks and configures a host from the environment, each adapter
 * classifies its failures into the neutral kinds, and the promotion code reacts to kinds only — proven
 * against the real adapters (smart-HTTP git remote with a rejecting pre-receive hook, the fake GitHub).
 */
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { pushPin } from '../../src/promote/pin.ts';
import type { CodeHostPlugin } from '../../src/promote/scm/code-host.ts';
import {
  CodeHostError,
  GitHubApiError,
  GitOperationError,
  SCM_ERROR_KINDS,
  SCM_EXIT_CODES,
} from '../../src/promote/scm/errors.ts';
import { classifyGitFailure } from '../../src/promote/scm/git.ts';
import { classifyGitHubError } from '../../src/promote/scm/github.ts';
import { github, githubProfile } from '../../src/promote/scm/github-plugin.ts';
import { CODE_HOSTS, codeHostFromEnvironment } from '../../src/promote/scm/hosts.ts';
import type { Scm } from '../../src/promote/scm/scm.ts';
import { requireTool, which } from '../support/tools.ts';
import { createWorkbench, NOW, REPO, type Workbench } from './workbench.ts';

requireTool('git', which('git'), 'install git (it provides git http-backend)');
const TOKEN = 'ghs_factoryTOKEN0123456789abcdefABCDEF';

describe('the code host factory', () => {
  it('picks GitHub by default and reads its variables, flags first', () => {
    const host = codeHostFromEnvironment(
      { repo: 'acme/other' },
      {
        GITHUB_TOKEN: TOKEN,
        GITHUB_REPOSITORY: 'acme/platform',
        GITHUB_API_URL: 'https://ghe.example/api/v3',
      },
    );
    expect(host.profile).toBe(githubProfile);
    expect(host.settings).toEqual({
      token: TOKEN,
      repository: 'acme/other',
      apiUrl: 'https://ghe.example/api/v3',
      base: 'main',
    });
    expect(host.identity).toEqual({
      name: 'envmatrix[bot]',
      email: 'envmatrix[bot]@users.noreply.github.com',
    });
    expect(host.online).toBe(true);
    // The token and the basic-auth form git sends it in are both secrets.
    expect(host.secrets).toEqual([TOKEN, Buffer.from(`x-access-token:${TOKEN}`).toString('base64')]);
    expect(Object.keys(CODE_HOSTS)).toEqual(['github']);
  });

  it('takes the bot identity from ENVMATRIX_BOT_NAME and ENVMATRIX_BOT_EMAIL', () => {
    const host = codeHostFromEnvironment(
      {},
      { ENVMATRIX_BOT_NAME: 'Ops', ENVMATRIX_BOT_EMAIL: 'ops@acme.test' },
    );
    expect(host.identity).toEqual({ name: 'Ops', email: 'ops@acme.test' });
    expect(host.online).toBe(false);
  });

  it('names the registered hosts when ENVMATRIX_CODE_HOST is unknown', () => {
    const run = () => codeHostFromEnvironment({}, { ENVMATRIX_CODE_HOST: 'gitlab' });
    expect(run).toThrow(UsageError);
    expect(run).toThrow('ENVMATRIX_CODE_HOST=gitlab is not a code host envmatrix knows; use one of github');
  });

  it('says which variable is missing, in the host’s words', () => {
    const host = codeHostFromEnvironment({}, {});
    expect(() => host.requireToken('promote')).toThrow(
      'promote needs a GitHub token: set GITHUB_TOKEN (in a workflow: env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}, or a GitHub App token from actions/create-github-app-token), or use --dry-run',
    );
    expect(() => host.requireRepository('promote')).toThrow(
      'promote needs the repository: pass --repo owner/name or set GITHUB_REPOSITORY',
    );
  });

  it('checks the token’s format before any call: a pasted line break is invalid input, not a 500', () => {
    const host = codeHostFromEnvironment({}, { GITHUB_TOKEN: `${TOKEN}\n`, GITHUB_REPOSITORY: REPO });
    let failure: unknown;
    try {
      host.requireToken('promote');
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(CodeHostError);
    expect(failure).toMatchObject({ kind: 'invalid-input', status: undefined });
    expect((failure as Error).message).toBe(
      'GitHub token check failed: GITHUB_TOKEN contains whitespace or a character outside ASCII\n    fix: copy the token again, without spaces or a line break',
    );
    expect((failure as Error).message).not.toContain(TOKEN);
  });

  it('takes a new host as one plugin: its variables, messages, credentials and profile', () => {
    const gitea: CodeHostPlugin = {
      profile: { ...githubProfile, id: 'gitea', displayName: 'Gitea', bodyLimit: 1000 },
      settings: (flags, env) => ({
        token: env.GITEA_TOKEN,
        repository: flags.repo ?? env.GITEA_REPOSITORY,
        apiUrl: env.GITEA_SERVER_URL ?? 'https://gitea.example',
        base: flags.base ?? 'main',
      }),
      checkToken: () => undefined,
      messages: {
        missingToken: (what) => `${what} needs GITEA_TOKEN`,
        missingRepository: (what) => `${what} needs GITEA_REPOSITORY`,
        offline: '(offline)',
        credentialsHint: 'GITEA_TOKEN',
      },
      gitCredentials: (token) => ({ username: 'oauth2', password: token }),
      connect: () => {
        throw new Error('not in this test');
      },
    };
    const hosts = { ...CODE_HOSTS, gitea };
    const host = codeHostFromEnvironment({}, { ENVMATRIX_CODE_HOST: 'gitea', GITEA_TOKEN: TOKEN }, hosts);
    expect(host.profile.displayName).toBe('Gitea');
    expect(host.requireToken('pin --push')).toBe(TOKEN);
    expect(() => host.requireRepository('pin --push')).toThrow('pin --push needs GITEA_REPOSITORY');
    expect(host.secrets).toEqual([TOKEN, Buffer.from(`oauth2:${TOKEN}`).toString('base64')]);
  });
});

describe('the GitHub profile', () => {
  it('links ghcr images to their repository’s compare view, and nothing else', () => {
    expect(githubProfile.compareUrl('ghcr.io/acme/api', '1.4.2', '1.5.0')).toBe(
      'https://github.com/acme/api/compare/1.4.2...1.5.0',
    );
    expect(githubProfile.compareUrl('ghcr.io/acme/api', '1.5.0', '1.5.0')).toBeUndefined();
    expect(githubProfile.compareUrl('ghcr.io/acme/api', undefined, '1.5.0')).toBeUndefined();
    expect(githubProfile.compareUrl('123.dkr.ecr.us-east-1.amazonaws.com/api', '1', '2')).toBeUndefined();
    expect(githubProfile.bodyLimit).toBe(65_000);
    expect(github.gitCredentials(TOKEN)).toEqual({ username: 'x-access-token', password: TOKEN });
  });
});

describe('error classification', () => {
  it('maps GitHub’s answers onto the neutral kinds', () => {
    const cases: [number, string, string][] = [
      [401, 'Bad credentials', 'auth'],
      [403, 'API rate limit exceeded for installation ID 1', 'rate-limited'],
      [403, 'You have exceeded a secondary rate limit', 'rate-limited'],
      [429, 'Too Many Requests', 'rate-limited'],
      [403, 'Resource not accessible by integration', 'refused'],
      [409, 'Reference update failed', 'conflict'],
      [
        422,
        'Validation Failed; A pull request already exists for acme:envmatrix/promote/dev-to-staging.',
        'exists',
      ],
      [422, 'Validation Failed; Reviews may only be requested from collaborators.', 'invalid-input'],
      [404, 'Not Found', 'invalid-input'],
      [502, 'Server Error', 'network'],
      [0, 'other side closed', 'network'],
    ];
    expect(cases.map(([status, detail]) => [status, detail, classifyGitHubError(status, detail)])).toEqual(
      cases,
    );
  });

  it('maps git’s push failures onto the neutral kinds', () => {
    const cases: [string, string][] = [
      [' ! [rejected]        abc -> main (fetch first)', 'conflict'],
      [' ! [rejected]        abc -> envmatrix/promote/x (stale info)', 'conflict'],
      [" ! [remote rejected] abc -> main (cannot lock ref 'refs/heads/main')", 'conflict'],
      [' ! [remote rejected] abc -> main (pre-receive hook declined)', 'refused'],
      ['remote: error: GH006: Protected branch update failed for refs/heads/main.', 'refused'],
      ["fatal: could not read Username for 'https://github.com': terminal prompts disabled", 'auth'],
      ['fatal: unable to access: Failed to connect to 127.0.0.1 port 9: Connection refused', 'network'],
    ];
    expect(cases.map(([detail]) => [detail, classifyGitFailure(detail)])).toEqual(cases);
  });

  it('gives every kind an exit code', () => {
    expect(Object.keys(SCM_EXIT_CODES).sort()).toEqual([...SCM_ERROR_KINDS].sort());
    const error = new GitHubApiError(
      'auth',
      'list pull requests',
      401,
      'Bad credentials',
      'check GITHUB_TOKEN',
    );
    expect([error.kind, error.exitCode, error.fix, error.message]).toEqual([
      'auth',
      1,
      'check GITHUB_TOKEN',
      'GitHub list pull requests failed with 401: Bad credentials\n    fix: check GITHUB_TOKEN',
    ]);
  });
});

describe('against the real adapters', () => {
  let wb: Workbench;
  beforeAll(async () => {
    wb = await createWorkbench();
  });
  afterAll(async () => {
    await wb?.close();
  });

  it('a pre-receive hook refusing a direct pin is "refused", and pin does not retry it as a race', async () => {
    const hook = join(wb.remote.root, `${REPO}.git`, 'hooks', 'pre-receive');
    await writeFile(
      hook,
      '#!/bin/sh\necho "main is protected: changes go through pull requests" >&2\nexit 1\n',
    );
    await chmod(hook, 0o755);
    let pushes = 0;
    const counting: Scm = {
      ...wb.scm,
      push: (branch, sha, options) => {
        pushes++;
        return wb.scm.push(branch, sha, options);
      },
    };
    const failure = await pushPin({
      scm: counting,
      request: { env: 'dev', app: 'web', tag: '2.3.0' },
      mode: 'commit',
      now: NOW,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitOperationError);
    expect(failure).toMatchObject({ kind: 'refused', rejected: false });
    expect((failure as GitOperationError).detail).toContain(
      'main is protected: changes go through pull requests',
    );
    expect((failure as GitOperationError).fix).toBe(
      'the remote refused the push (a protected branch or a pre-receive hook); the detail names the rule',
    );
    expect(pushes).toBe(1);
    await rm(hook);
  });

  it('GitHub’s 422 "already exists" reaches the bot as "exists"', async () => {
    const branch = 'envmatrix/promote/dev-to-staging';
    await wb.scm.push(branch, wb.seedSha, { force: true });
    await wb.commitOnBranch(branch, { 'NOTES.md': 'a change to propose\n' });
    const input = { branch, base: 'main', title: 't', body: 'b' };
    const first = await wb.scm.createPullRequest(input).catch((error: unknown) => error);
    const second = await wb.scm.createPullRequest(input).catch((error: unknown) => error);
    expect(first).toMatchObject({ number: 1, state: 'open' });
    expect(second).toBeInstanceOf(GitHubApiError);
    expect(second).toMatchObject({ kind: 'exists', status: 422 });
  });
});
