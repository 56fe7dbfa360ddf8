/**
 * The import rules in .dependency-cruiser.cjs bite: a copy of src/ with one violation of each rule planted
 * fails dependency-cruiser, naming every rule, while the real tree passes.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../support/tools.ts';

const run = promisify(execFile);
const DEPCRUISE = join(projectRoot, 'node_modules/.bin/depcruise');

async function depcruise(root: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await run(
      DEPCRUISE,
      ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
      {
        cwd: root,
      },
    );
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/** Files planted in the copy, each breaking exactly one rule. */
const PLANTED: Record<string, string> = {
  // matrix reaching up into generators
  'src/matrix/planted-upward.ts': "export type { OutputFile } from '../generators/types.ts';\n",
  // a two-module cycle inside core
  'src/core/planted-cycle-a.ts':
    "import { b } from './planted-cycle-b.ts';\nexport const a = (): number => b() + 1;\n",
  'src/core/planted-cycle-b.ts':
    "import { a } from './planted-cycle-a.ts';\nexport const b = (): number => a() - 1;\n",
  // Octokit outside the GitHub adapter
  'src/promote/planted-octokit.ts': "export { Octokit } from '@octokit/rest';\n",
  // cdk8s outside the generators
  'src/output/planted-cdk8s.ts': "export { App } from 'cdk8s';\n",
  // user content importing an internal module instead of the public define API
  'src/apps/planted-internal.ts': "export { resolveMatrix } from '../matrix/resolve.ts';\n",
  // a code-host adapter importing the planner
  'src/promote/scm/planted-planner.ts': "export type { PromotionPlan } from '../types.ts';\n",
};

let copy: string;
beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), 'envmatrix-import-rules-'));
  for (const entry of ['src', '.dependency-cruiser.cjs', 'tsconfig.json', 'package.json'])
    await cp(join(projectRoot, entry), join(copy, entry), { recursive: true });
  await symlink(join(projectRoot, 'node_modules'), join(copy, 'node_modules'));
});
afterAll(() => rm(copy, { recursive: true, force: true }));

describe('import rules (dependency-cruiser)', () => {
  it('pass on the real tree', async () => {
    const { code, output } = await depcruise(projectRoot);
    expect(output).not.toMatch(/error/);
    expect(code).toBe(0);
  });

  it('fail on a planted upward import, cycle, stray Octokit or cdk8s, internal user import and adapter leak', async () => {
    for (const [path, text] of Object.entries(PLANTED)) await writeFile(join(copy, path), text);
    const { code, output } = await depcruise(copy);
    expect(code).not.toBe(0);
    const broken = [...output.matchAll(/error (\S+): (src\/\S+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(new Set(broken)).toEqual(
      new Set([
        'layer-matrix src/matrix/planted-upward.ts',
        'no-circular src/core/planted-cycle-a.ts',
        'octokit-only-in-github-adapter src/promote/planted-octokit.ts',
        'cdk8s-cdktf-only-in-generators src/output/planted-cdk8s.ts',
        'user-content-uses-public-api src/apps/planted-internal.ts',
        'code-host-adapters-see-neutral-types src/promote/scm/planted-planner.ts',
      ]),
    );
  });
});
