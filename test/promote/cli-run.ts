/**
 * The real CLI in a child process, for tests that check exit codes, stderr and signals.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { gitEnv } from '../support/git-remote.ts';
import { projectRoot } from '../support/tools.ts';

export const BIN = join(projectRoot, 'bin/envmatrix.js');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function cli(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
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

/** The CLI as a running child, for tests that signal it. */
export function startCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The environment without any GitHub credentials of the machine running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = gitEnv(extra);
  for (const key of [
    'GITHUB_TOKEN',
    'GH_TOKEN',
    'GITHUB_REPOSITORY',
    'GITHUB_API_URL',
    'GITHUB_SERVER_URL',
    'GITHUB_RUN_ID',
  ])
    if (!(key in extra)) delete env[key];
  return env;
}
