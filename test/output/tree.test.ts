import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listFiles, pathUnder } from '../../src/output/tree.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'envmatrix-tree-'));
  for (const file of ['generated/index.json', 'generated/k8s/dev/a-b/x.yaml', 'generated/k8s/dev/a/y.yaml']) {
    await mkdir(join(root, file, '..'), { recursive: true });
    await writeFile(join(root, file), '');
  }
  await mkdir(join(root, 'generated/empty'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const expected = ['index.json', 'k8s/dev/a-b/x.yaml', 'k8s/dev/a/y.yaml'];

describe('listFiles', () => {
  it('lists every file (not folder) below the folder, relative, with forward slashes, in code-unit order', async () => {
    expect(await listFiles(join(root, 'generated'))).toEqual(expected);
  });

  it('gives the same paths for a folder written relatively or with a trailing slash', async () => {
    const relativeDir = `${relative(process.cwd(), join(root, 'generated'))}/`;
    expect(await listFiles(relativeDir)).toEqual(expected);
  });

  it('is empty for a folder that does not exist', async () => {
    expect(await listFiles(join(root, 'missing'))).toEqual([]);
  });
});

describe('pathUnder', () => {
  it('gives the path.join of the folder and each listed path, however the folder was written', async () => {
    for (const dir of [join(root, 'generated'), `${relative(process.cwd(), join(root, 'generated'))}/`]) {
      const under = pathUnder(dir);
      for (const path of await listFiles(dir)) expect(under(path)).toBe(resolve(dir, path));
    }
  });
});
