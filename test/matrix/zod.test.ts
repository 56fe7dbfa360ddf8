/**
 * src/matrix/zod.ts loads zod's CommonJS build with require (its ESM build costs a process 0.1–0.2 s
 * more under tsx's loader). A module importing zod's values the ESM way would load a second copy,
 * whose schemas and errors do not mix with the first: only type imports may name 'zod' directly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder } from '../../src/output/file-hash.ts';
import { projectRoot } from '../support/tools.ts';

describe('zod', () => {
  it('is loaded in one place; other modules import only its types', () => {
    const valueImports = filesUnder(join(projectRoot, 'src'))
      .filter((file) => file.endsWith('.ts') && !file.endsWith(join('src', 'matrix', 'zod.ts')))
      .filter((file) => /^import (?!type\b)[^;]*from 'zod(?:\/[^']*)?';/m.test(readFileSync(file, 'utf8')));
    expect(valueImports).toEqual([]);
  });

  it('gives the same schemas as the package', async () => {
    const { z } = await import('../../src/matrix/zod.ts');
    expect(z.object({ tag: z.string() }).safeParse({ tag: 1 }).success).toBe(false);
    expect(z.toJSONSchema(z.object({ tag: z.string() }))).toMatchObject({
      type: 'object',
      properties: { tag: { type: 'string' } },
    });
  });
});
