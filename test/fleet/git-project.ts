/**
 * A copy of this project (with generated/) as a real git repository with a made-up history, for the
 * report: pins that arrive at known times, with pull requests named in the commit subjects.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runGit } from '../support/git-remote.ts';
import { copyProject, type ProjectCopy } from '../support/project-copy.ts';

export interface HistoryCommit {
  /** ISO 8601 author and committer time. */
  readonly at: string;
  readonly subject: string;
  /** Files to write before committing (repo-relative path → content); the first commit adds everything. */
  readonly files?: Readonly<Record<string, string>>;
}

/** The example's pins file for `env` with `tag` for `app`: its text with that one tag replaced. */
export async function pinsWith(root: string, env: string, app: string, tag: string): Promise<string> {
  const text = await readFile(join(root, 'src/environments/releases', `${env}.json`), 'utf8');
  const pattern = new RegExp(`("${app}": \\{\\s*"tag": ")[^"]+`);
  if (!pattern.test(text)) throw new Error(`${env}.json pins no ${app}`);
  return text.replace(pattern, `$1${tag}`);
}

export async function gitProject(
  history: (root: string) => Promise<readonly HistoryCommit[]>,
): Promise<ProjectCopy> {
  const project = await copyProject({ withGenerated: true });
  const { root } = project;
  const originals = new Map<string, string>();
  const commits = await history(root);
  for (const commit of commits)
    for (const path of Object.keys(commit.files ?? {}))
      if (!originals.has(path)) originals.set(path, await readFile(join(root, path), 'utf8'));
  await runGit(['init', '-q', '-b', 'main'], { cwd: root });
  for (const commit of commits) {
    for (const [path, content] of Object.entries(commit.files ?? {}))
      await writeFile(join(root, path), content);
    await runGit(['add', '-A'], { cwd: root });
    await runGit(['commit', '-q', '--allow-empty', '-m', commit.subject], {
      cwd: root,
      env: { GIT_AUTHOR_DATE: commit.at, GIT_COMMITTER_DATE: commit.at },
    });
  }
  // The working tree ends as the example is, whatever the history wrote on the way.
  for (const [path, content] of originals) await writeFile(join(root, path), content);
  const dirty = await runGit(['status', '--porcelain'], { cwd: root });
  if (dirty.trim() !== '') throw new Error(`the made-up history must end at the example: ${dirty}`);
  return project;
}
