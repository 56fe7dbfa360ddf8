/**
 * Issue 12: the bot tells the truth about failures. Each kind of adapter failure reaches the user with
 * its own exit code and a fix that names what to do — against the smart-HTTP git remote (a rejecting
 * pre-receive hook) and GitHub's API (the fake, a refused connection, a server that dies mid-answer).
 */
import { createServer, type Server } from 'node:net';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushPin } from '../../src/promote/pin.ts';
import { GitHubApiError, GitOperationError, SCM_EXIT_CODES } from '../../src/promote/scm/errors.ts';
import { GitHubCodeHost } from '../../src/promote/scm/github.ts';
import { fastPluginOptions } from '../support/fake-github.ts';
import { requireTool, which } from '../support/tools.ts';
import { cleanEnv, cli } from './cli-run.ts';
import { createWorkbench, NOW, REPO, type Workbench } from './workbench.ts';

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

describe('exit codes', () => {
  it('gives each kind its own code: retryable 3/6/7, a person must act 4/5/8', () => {
    expect(SCM_EXIT_CODES).toEqual({
      exists: 1,
      conflict: 3,
      refused: 4,
      auth: 5,
      'rate-limited': 6,
      network: 7,
      'invalid-input': 8,
    });
  });
});

describe('GitHub could not be reached: no HTTP status is invented', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
  });

  it('a refused connection is network, exit 7, with no status', async () => {
    const probe = createServer();
    const port = await listen(probe);
    await new Promise((resolve) => probe.close(resolve)); // nothing listens there now
    const apiUrl = `http://127.0.0.1:${port}`;
    const host = new GitHubCodeHost({ repository: REPO, token: 'ghs_x', apiUrl, ...fastPluginOptions() });
    const failure = await host.pullRequests('envmatrix/promote/x', 'main').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GitHubApiError);
    expect(failure).toMatchObject({ kind: 'network', status: 0, exitCode: 7 });
    expect((failure as Error).message).toBe(
      `GitHub list pull requests for envmatrix/promote/x failed: no answer (connect ECONNREFUSED 127.0.0.1:${port})\n` +
        `    fix: no answer from ${apiUrl} and the retries ran out: check the network (and GITHUB_API_URL), then run again`,
    );
  });

  it('a server that dies mid-answer is network, exit 7, with no status', async () => {
    const dying = createServer((socket) => socket.on('data', () => socket.destroy()));
    servers.push(dying);
    const apiUrl = `http://127.0.0.1:${await listen(dying)}`;
    const host = new GitHubCodeHost({ repository: REPO, token: 'ghs_x', apiUrl, ...fastPluginOptions() });
    const failure = await host.pullRequests('envmatrix/promote/x', 'main').catch((e: unknown) => e);
    expect(failure).toMatchObject({ kind: 'network', status: 0, exitCode: 7 });
    expect((failure as Error).message).toBe(
      'GitHub list pull requests for envmatrix/promote/x failed: no answer (other side closed)\n' +
        `    fix: no answer from ${apiUrl} and the retries ran out: check the network (and GITHUB_API_URL), then run again`,
    );
  });
});

describe.skipIf(!git.available)('a refused push, through the CLI', () => {
  let wb: Workbench;
  let env: NodeJS.ProcessEnv;
  const hook = () => join(wb.remote.root, `${REPO}.git`, 'hooks', 'pre-receive');
  beforeAll(async () => {
    wb = await createWorkbench();
    env = cleanEnv({ GITHUB_TOKEN: wb.token, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: wb.github.baseUrl });
    await writeFile(hook(), '#!/bin/sh\necho "pushes to main need a pull request" >&2\nexit 1\n');
    await chmod(hook(), 0o755);
  });
  afterAll(async () => {
    await rm(hook(), { force: true });
    await wb?.close();
  });

  it('pin --mode commit: exit 4, names the rule and --mode pr, pushes once', async () => {
    const pushesBefore = wb.remote.calls.filter(
      (c) => c.method === 'POST' && c.service === 'git-receive-pack',
    );
    const result = await cli(
      [
        '--root',
        wb.clone,
        'pin',
        '--env',
        'dev',
        '--app',
        'web',
        '--tag',
        '2.3.0',
        '--push',
        '--mode',
        'commit',
      ],
      env,
    );
    expect(result.code).toBe(4);
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe('git push main failed: To ' + wb.remote.url(REPO));
    expect(lines.at(-2)).toBe(
      '    fix: main is protected (the remote said: pushes to main need a pull request): use --mode pr',
    );
    const pushes = wb.remote.calls.filter((c) => c.method === 'POST' && c.service === 'git-receive-pack');
    expect(pushes.length - pushesBefore.length).toBe(1);
    expect(wb.github.calls).toEqual([]);
  });

  it('pushPin: the same refusal as a typed error, never retried as a race', async () => {
    const failure = await pushPin({
      scm: wb.scm,
      request: { env: 'dev', app: 'web', tag: '2.3.0' },
      mode: 'commit',
      now: NOW,
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GitOperationError);
    expect(failure).toMatchObject({
      kind: 'refused',
      exitCode: 4,
      fix: 'main is protected (the remote said: pushes to main need a pull request): use --mode pr',
    });
  });
});
