/**
 * A throwaway copy of this project (src/, package.json, node_modules linked) in a temp dir, for tests that
 * run the real CLI or edit the matrix without touching the working tree.
 */
import { cp, mkdir, mkdtemp, readdir, rm, symlink, utimes } from 'node:fs/promises';
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

/**
 * Fill `root` with a project as a user has it: the matrix (src/apps, src/environments) copied,
 * envmatrix's define API (src/matrix) this checkout's, and node_modules of its own (links to this
 * checkout's packages) so its caches are its own. Its files an hour old, as in a checkout worked on for
 * a while: the matrix cache saves nothing a load read within the last seconds (matrix-cache.ts), and a
 * fresh copy is all that new.
 */
export async function fillUserProject(root: string): Promise<void> {
  for (const dir of ['src/apps', 'src/environments'])
    await cp(join(projectRoot, dir), join(root, dir), { recursive: true });
  await cp(join(projectRoot, 'package.json'), join(root, 'package.json'));
  await symlink(join(projectRoot, 'src/matrix'), join(root, 'src/matrix'), 'dir');
  await mkdir(join(root, 'node_modules'));
  for (const name of await readdir(join(projectRoot, 'node_modules')))
    if (name !== '.cache')
      await symlink(join(projectRoot, 'node_modules', name), join(root, 'node_modules', name));
  const hourAgo = new Date(Date.now() - 3_600_000);
  const entries = await readdir(join(root, 'src'), { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  for (const file of [...files, join(root, 'package.json')]) await utimes(file, hourAgo, hourAgo);
}
