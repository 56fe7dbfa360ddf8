import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatActionlintErrors, lintWorkflow } from './support/actionlint.ts';
import { projectRoot } from './support/tools.ts';

const dir = join(projectRoot, '.github/workflows');
const files = (await readdir(dir)).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml')).sort();

describe('GitHub workflows', () => {
  it('exist', () => {
    expect(files).toContain('ci.yml');
  });

  for (const file of files) {
    describe(file, () => {
      it('passes actionlint', async () => {
        const text = await readFile(join(dir, file), 'utf8');
        const errors = await lintWorkflow(text, `.github/workflows/${file}`);
        expect(formatActionlintErrors(`.github/workflows/${file}`, errors)).toBe('');
      });

      it('declares least-privilege permissions at the top level', async () => {
        const workflow = parse(await readFile(join(dir, file), 'utf8')) as { permissions?: unknown };
        expect(workflow.permissions).toBeDefined();
        expect(workflow.permissions).not.toBe('write-all');
        if (typeof workflow.permissions === 'object' && workflow.permissions !== null) {
          // Write scopes, if any, belong on the jobs that need them, not the whole workflow.
          expect(Object.values(workflow.permissions).filter((p) => p === 'write')).toEqual([]);
        }
      });
    });
  }
});
