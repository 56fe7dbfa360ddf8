/**
 * A throwaway copy of this project (src/, package.json, node_modules linked) in a temp dir, for tests that
 * run the real CLI or edit the matrix without touching the working tree.
 */
import { cp, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './tools.ts';

export interface ProjectCopy {
  readonly root: string;
  remove(): Promise<void>;
}

export async function copyProject(
  options: {
    withGenerated?: boolean;
    /** A node_modules folder of its own (its packages linked), so that its cache folder is its own. */
    ownCache?: boolean;
  } = {},
): Promise<ProjectCopy> {
  const root = await mkdtemp(join(tmpdir(), 'envmatrix-project-'));
  await cp(join(projectRoot, 'src'), join(root, 'src'), { recursive: true });
  await cp(join(projectRoot, 'package.json'), join(root, 'package.json'));
  if (options.withGenerated)
    await cp(join(projectRoot, 'generated'), join(root, 'generated'), { recursive: true });
  if (options.ownCache) {
    await mkdir(join(root, 'node_modules'));
    for (const name of await readdir(join(projectRoot, 'node_modules')))
      if (name !== '.cache')
        await symlink(join(projectRoot, 'node_modules', name), join(root, 'node_modules', name));
  } else {
    await symlink(join(projectRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}
