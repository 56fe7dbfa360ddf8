/**
 * The real CLI in a child process: `promote --dry-run` offline on a copy of the example project, and
 * `promote` against the real git remote and the fake GitHub with a token planted in the environment —
 * which must never appear in anything the bot prints, sends or writes.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitEnv, runGit } from '../support/git-remote.ts';
import { copyProject, type ProjectCopy } from '../support/project-copy.ts';
import { projectRoot, requireTool, which } from '../support/tools.ts';
import { createWorkbench, REPO, type Workbench } from './workbench.ts';

const git = requireTool('git', which('git'), 'install git (it provides git http-backend)');
const BIN = join(projectRoot, 'bin/envmatrix.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** The environment without any GitHub credentials of the machine running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = gitEnv(extra);
  for (const key of ['GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_REPOSITORY', 'GITHUB_API_URL'])
    if (!(key in extra)) delete env[key];
  return env;
}

describe.skipIf(!git.available)('envmatrix promote --dry-run (offline, example project)', () => {
  let copy: ProjectCopy;
  beforeAll(async () => {
    copy = await copyProject({ withGenerated: true });
    await writeFile(join(copy.root, '.gitignore'), 'node_modules\n');
    await runGit(['init', '--quiet', '--initial-branch=main'], { cwd: copy.root });
    await runGit(['add', '--all'], { cwd: copy.root });
    await runGit(['commit', '--quiet', '-m', 'example'], {
      cwd: copy.root,
      env: { GIT_AUTHOR_DATE: '2025-03-01T00:00:00Z', GIT_COMMITTER_DATE: '2025-03-01T00:00:00Z' },
    });
  });
  afterAll(async () => {
    await copy?.remove();
  });

  it('prints the plan, the PR title and body, and touches nothing', async () => {
    const status = await runGit(['status', '--porcelain'], { cwd: copy.root });
    const run = await cli(
      [
        '--root',
        copy.root,
        'promote',
        '--from',
        'staging',
        '--to',
        'prod',
        '--wave',
        '0',
        '--dry-run',
        '--now',
        '2025-03-05T10:00:00Z',
      ],
      cleanEnv(),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      '(offline: health gates not checked; set GITHUB_TOKEN and GITHUB_REPOSITORY to read them)',
    );
    expect(run.stdout).toContain(
      'staging → prod wave 0: would promote api 1.4.2 → 1.5.0, web 2.0.1 → 2.1.0, worker 0.8.0 → 0.8.1\n' +
        '  api 1.4.2 → 1.5.0: order ✔ · digest ✔ · freeze ✔ · soak ✔ · health –\n',
    );
    expect(run.stdout).toContain(
      '---- title ----\nPromote api 1.4.2 → 1.5.0, web 2.0.1 → 2.1.0, worker 0.8.0 → 0.8.1 to prod (wave 0: aws/us-east-1)\n---- body ----\n',
    );
    expect(run.stdout).toMatch(/<!-- envmatrix:plan \{[^\n]+\} -->\n---- end ----/);
    expect(await runGit(['status', '--porcelain'], { cwd: copy.root })).toBe(status);
    expect((await runGit(['worktree', 'list'], { cwd: copy.root })).trim().split('\n')).toHaveLength(1);
  });

  it('answers a wrong edge with the promotion order, exit 1', async () => {
    const run = await cli(
      ['--root', copy.root, 'promote', '--from', 'dev', '--to', 'prod', '--dry-run'],
      cleanEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'dev → prod: blocked by order: dev promotes to staging, not prod; releases move one step at a time along dev → staging → prod\n',
    );
  });
});

describe.skipIf(!git.available)('envmatrix promote with a token in the environment', () => {
  let wb: Workbench;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const run = async (args: string[], extra: Record<string, string> = {}): Promise<Run> => {
    const result = await cli(['--root', wb.clone, 'promote', ...args, '--now', '2025-03-05T10:00:00Z'], {
      ...env,
      ...extra,
    });
    outputs.push(result.stdout, result.stderr);
    return result;
  };

  beforeAll(async () => {
    wb = await createWorkbench({ token: 'ghs_PLANTED0secret0token0must0never0leak00' });
    wb.github.addStatus(REPO, wb.seedSha, { state: 'success', context: 'argocd/staging' });
    env = cleanEnv({ GITHUB_TOKEN: wb.token, GITHUB_REPOSITORY: REPO, GITHUB_API_URL: wb.github.baseUrl });
  });
  afterAll(async () => {
    await wb?.close();
  });

  it('opens the PR from GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL', async () => {
    const result = await run(['--from', 'staging', '--to', 'prod', '--wave', '0']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `staging → prod wave 0: opened #1 https://github.com/${REPO}/pull/1: api 1.4.2 → 1.5.0, web 2.0.1 → 2.1.0, worker 0.8.0 → 0.8.1 from staging\n` +
        '  api 1.4.2 → 1.5.0: order ✔ · digest ✔ · freeze ✔ · soak ✔ · health ✔\n' +
        '  web 2.0.1 → 2.1.0: order ✔ · digest ✔ · freeze ✔ · soak ✔ · health ✔\n' +
        '  worker 0.8.0 → 0.8.1: order ✔ · digest ✔ · freeze ✔ · soak ✔ · health ✔\n' +
        // api's migration runs with the new version: the risk line names the Job and what it runs.
        '  risk: migration prod/aws/us-east-1/main: Job api/api-migrate changes: runs ./migrate up (ghcr.io/acme/api:1.5.0@sha256:41df3a1a07763d29c45915a45236839c1f92136f45f07ca5af2ebe627e579399) before the rollout\n',
    );
    expect(wb.github.calls.every((c) => c.authScheme === 'token' && c.authorized)).toBe(true);
  });

  it('reports GitHub refusing with the status, GitHub’s message and the next step, exit 4', async () => {
    wb.github.failNext({
      route: 'GET /repos/{owner}/{repo}/pulls',
      status: 403,
      body: {
        message: 'Resource not accessible by integration',
        documentation_url: 'https://docs.github.com/rest',
      },
    });
    const result = await run(['--from', 'staging', '--to', 'prod', '--wave', '0']);
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      'GitHub list pull requests for envmatrix/promote/staging-to-prod-wave-0 failed with 403: Resource not accessible by integration\n' +
        `    fix: the token needs contents: write and pull-requests: write on ${REPO}\n`,
    );
  });

  it('reports git refusing a wrong token without printing either token, exit 5', async () => {
    const result = await run(['--all'], { GITHUB_TOKEN: 'ghs_WRONG0token0also0never0printed0000' });
    expect(result.code).toBe(5);
    // The remote refused the header; git then wanted a password and was not allowed to ask.
    expect(result.stderr).toMatch(
      /^git fetch failed: fatal: could not read Username for 'http:\/\/127\.0\.0\.1:\d+': terminal prompts disabled\n {4}fix: check the token \(GITHUB_TOKEN\): it needs contents: write on the repository\n$/,
    );
    expect(wb.remote.calls.at(-1)?.status).toBe(401);
  });

  it('never lets the token out: not in output, requests, commits, PR text or .git/config', async () => {
    for (const secret of [wb.token, 'ghs_WRONG0token0also0never0printed0000']) {
      expect(outputs.filter((text) => text.includes(secret))).toEqual([]);
      expect(wb.github.callsMentioning(secret)).toEqual([]);
      expect(await readFile(join(wb.clone, '.git/config'), 'utf8')).not.toContain(secret);
      expect(
        await runGit(['log', '--all', '--format=%B%n%an%ae'], { cwd: join(wb.remote.root, `${REPO}.git`) }),
      ).not.toContain(secret);
    }
    expect((await runGit(['worktree', 'list'], { cwd: wb.clone })).trim().split('\n')).toHaveLength(1);
  });
});
