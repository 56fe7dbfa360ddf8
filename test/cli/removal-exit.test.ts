/**
 * The README's exit-code row 1 "refused removal", from the real CLI: a synth that would drop more than
 * 30% of an environment's deployments exits 1, names them, and writes nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readTree } from '../../src/output/tree.ts';
import { copyProject } from '../support/project-copy.ts';
import { envmatrix } from './run.ts';

it(
  'synth refusing a large removal exits 1 and leaves generated/ untouched',
  { timeout: 120_000 },
  async () => {
    const copy = await copyProject({ withGenerated: true });
    try {
      const matrix = join(copy.root, 'src/environments/index.ts');
      const text = await readFile(matrix, 'utf8');
      // staging's AWS cluster moves region: its Applications leave staging/aws/us-east-1.
      expect(text).toContain("aws('staging', 'us-east-1', {");
      await writeFile(matrix, text.replace("aws('staging', 'us-east-1', {", "aws('staging', 'us-west-2', {"));
      const before = await readTree(join(copy.root, 'generated'));
      const result = await envmatrix(copy.root, 'synth');
      expect(result.stderr).toContain("Synth would remove more than 30% of an environment's deployments:\n");
      expect(result.stderr).toContain('run synth with --allow-removals');
      expect(result.code).toBe(1);
      expect(await readTree(join(copy.root, 'generated'))).toEqual(before);
    } finally {
      await copy.remove();
    }
  },
);
