/** The project root as the working directory. */
import { UsageError } from '../core/errors.ts';

/**
 * Makes the project root the working directory: source locations in messages are relative to it. A
 * root that is not a folder is a usage error, not a bug.
 */
export function enterProject(root: string): void {
  if (process.cwd() === root) return;
  try {
    process.chdir(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    throw new UsageError(`--root ${root}: ${code === 'ENOENT' ? 'no such folder' : 'not a folder'}`, {
      fix: 'pass the project folder, the one that holds src/environments (the default is the working directory)',
    });
  }
}
