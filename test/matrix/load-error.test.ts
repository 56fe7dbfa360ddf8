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

/** The number of the example matrix's `repo: {…},` line (1-based), wherever the file has it. */
const repoLine = (): number => original.split('\n').findIndex((line) => line.startsWith('  repo:')) + 1;

/** The matrix file with the `repo:` line replaced. */
async function withRepoLine(text: string): Promise<void> {
  const lines = original.split('\n');
  lines[repoLine() - 1] = text;
  await writeFile(join(project.root, MATRIX), lines.join('\n'));
}

/** The code frame the loader prints: two lines before the `repo:` line, it (replaced), a caret, two after. */
function frame(replaced: string, column: number): string[] {
  const lines = original.split('\n');
  const at = repoLine();
  const width = String(at + 2).length;
  const numbered = (n: number, text: string, mark = ' '): string =>
    `${mark} ${String(n).padStart(width)} | ${text}`.trimEnd();
  return [
    numbered(at - 2, lines[at - 3]!),
    numbered(at - 1, lines[at - 2]!),
    numbered(at, replaced, '>'),
    `${' '.repeat(width + 3)}| ${' '.repeat(column - 1)}^`,
    numbered(at + 1, lines[at]!),
    numbered(at + 2, lines[at + 1]!),
  ];
}

describe('loading errors (finding 6)', () => {
  it('finding 6: a syntax error names file:line:column with a code frame and a fix, and no stack', async () => {
    const broken = "  repo: { url: 'https://github.com/acme/platform.git' branch: 'main' },";
    await withRepoLine(broken);
    const at = `${MATRIX}:${repoLine()}:55`;
    const { code, stderr } = await validate(project.root);
    expect(code).toBe(1);
    expect(stderr).toBe(
      [
        `${at}: syntax error: Expected "}" but found "branch"`,
        ...frame(broken, 55),
        `    fix: correct the syntax at ${at}, then run the command again (\`npx tsc --noEmit\` lists every syntax and type error)`,
        '',
      ].join('\n'),
    );
  });

  it('finding 6: a throw in a matrix file names where it threw, with a fix; the stack only with --verbose', async () => {
    const throwing = "  repo: (() => { throw new Error('REPO_URL is not set'); })(),";
    await withRepoLine(throwing);
    const at = `${MATRIX}:${repoLine()}:24`;
    const { code, stderr } = await validate(project.root);
    expect(code).toBe(1);
    expect(stderr).toBe(
      [
        `${at}: the matrix threw while loading: Error: REPO_URL is not set`,
        ...frame(throwing, 24),
        `    fix: fix the code at ${at} (or what it reads) so it does not throw; \`--verbose\` prints the stack`,
        '',
      ].join('\n'),
    );
    const verbose = await validate(project.root, '--verbose');
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(
      new RegExp(`fix: fix the code at [^\\n]+\\n\\s+at .*src/environments/index\\.ts:${repoLine()}:24`),
    );
  });
});
