/**
 * Finding 6 (issue 11): a syntax error in a matrix file printed esbuild's raw TransformError with its
 * stack, and a throw printed a 10-frame stack; neither had a fix. Through the real CLI: now each names
 * file:line:column, shows the lines with a caret and a fix, and prints a stack only with --verbose.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, type ProjectCopy } from '../support/project-copy.ts';
import { projectRoot } from '../support/tools.ts';

const run = promisify(execFile);
const BIN = join(projectRoot, 'bin/envmatrix.js');
const MATRIX = 'src/environments/index.ts';

async function validate(root: string, ...flags: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run('node', [BIN, '--root', root, 'validate', ...flags], { cwd: root });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
}

let project: ProjectCopy;
let original: string;
beforeAll(async () => {
  project = await copyProject();
  original = await readFile(join(project.root, MATRIX), 'utf8');
});
afterAll(() => project.remove());

/** The matrix file with line 5 (`repo: {…},`) replaced. */
async function withLine5(text: string): Promise<void> {
  const lines = original.split('\n');
  lines[4] = text;
  await writeFile(join(project.root, MATRIX), lines.join('\n'));
}

describe('loading errors (finding 6)', () => {
  it('finding 6: a syntax error names file:line:column with a code frame and a fix, and no stack', async () => {
    await withLine5("  repo: { url: 'https://github.com/acme/platform.git' branch: 'main' },");
    const { code, stderr } = await validate(project.root);
    expect(code).toBe(1);
    expect(stderr).toBe(
      [
        `${MATRIX}:5:55: syntax error: Expected "}" but found "branch"`,
        '  3 |',
        '  4 | export default defineMatrix({',
        "> 5 |   repo: { url: 'https://github.com/acme/platform.git' branch: 'main' },",
        '    |                                                       ^',
        '  6 |   // Every Terraform stack (generated/terraform/<env>/aws/<region>/) keeps its state in this bucket.',
        '  7 |   terraform: {',
        `    fix: correct the syntax at ${MATRIX}:5:55, then run the command again (\`npx tsc --noEmit\` lists every syntax and type error)`,
        '',
      ].join('\n'),
    );
  });

  it('finding 6: a throw in a matrix file names where it threw, with a fix; the stack only with --verbose', async () => {
    await withLine5("  repo: (() => { throw new Error('REPO_URL is not set'); })(),");
    const { code, stderr } = await validate(project.root);
    expect(code).toBe(1);
    expect(stderr).toBe(
      [
        `${MATRIX}:5:24: the matrix threw while loading: Error: REPO_URL is not set`,
        '  3 |',
        '  4 | export default defineMatrix({',
        "> 5 |   repo: (() => { throw new Error('REPO_URL is not set'); })(),",
        '    |                        ^',
        '  6 |   // Every Terraform stack (generated/terraform/<env>/aws/<region>/) keeps its state in this bucket.',
        '  7 |   terraform: {',
        `    fix: fix the code at ${MATRIX}:5:24 (or what it reads) so it does not throw; \`--verbose\` prints the stack`,
        '',
      ].join('\n'),
    );
    const verbose = await validate(project.root, '--verbose');
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/fix: fix the code at [^\n]+\n\s+at .*src\/environments\/index\.ts:5:24/);
  });
});
