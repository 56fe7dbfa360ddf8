/** The real envmatrix CLI in a child process, in a project folder: exit code, stdout and stderr. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../support/tools.ts';

const run = promisify(execFile);
const BIN = join(projectRoot, 'bin/envmatrix.js');

export async function envmatrix(
  root: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [BIN, '--root', root, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
