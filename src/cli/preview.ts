/**
 * `envmatrix diff --base <rev> --format markdown [--comment <pr>]`: the PR preview (src/fleet/pr-preview.ts)
 * of generated/ in the working tree against generated/ at `<rev>`; with --comment, posted as one sticky
 * comment on the pull request through the code-host adapter, edited in place on every run.
 *
 * Like `affected`, it reads git directly (the index at the revision, then the changed files' contents in
 * one `git cat-file --batch`): a read of the local checkout, no remote and no credentials.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { UsageError } from '../core/errors.ts';
import { PREVIEW_MARKER, renderPreview, type ChangedFile } from '../fleet/pr-preview.ts';
import type { CodeHostFlags } from '../promote/scm/code-host.ts';
import { codeHostFromEnvironment } from '../promote/scm/hosts.ts';
import type { CodeHostOperations, StickyCommentHost } from '../promote/scm/scm.ts';
import { indexAtRevision, workingTreeIndex } from './affected.ts';
import { outDirOf, type GlobalOptions } from './context.ts';

export interface PreviewFlags extends GlobalOptions, Omit<CodeHostFlags, 'base'> {
  readonly base?: string;
  readonly format?: string;
  readonly comment?: string;
}

/** Code hosts whose adapter keeps one comment per PR current (GitHub's does). */
function hasStickyComments(host: CodeHostOperations): host is CodeHostOperations & StickyCommentHost {
  return typeof (host as Partial<StickyCommentHost>).upsertStickyComment === 'function';
}

/** Contents of `generated/<path>` at `commit`, for each path; absent when the revision lacks it. */
function blobsAt(root: string, commit: string, paths: readonly string[]): Promise<Map<string, string>> {
  return new Promise((resolvePromise, reject) => {
    const git = spawn('git', ['cat-file', '--batch'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    git.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    git.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    git.on('error', reject);
    git.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed (${code}): ${stderr.trim()}`));
      const out = Buffer.concat(chunks);
      const result = new Map<string, string>();
      let offset = 0;
      for (const path of paths) {
        const end = out.indexOf(0x0a, offset);
        const header = out.subarray(offset, end).toString();
        offset = end + 1;
        const size = /^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1];
        if (size === undefined) continue; // `<name> missing`
        result.set(path, out.subarray(offset, offset + Number(size)).toString('utf8'));
        offset += Number(size) + 1;
      }
      resolvePromise(result);
    });
    // `./` reads the path relative to the project root, which need not be the repository's top level.
    git.stdin.end(paths.map((path) => `${commit}:./generated/${path}\n`).join(''));
  });
}

export async function previewCommand(flags: PreviewFlags): Promise<number> {
  const root = resolve(flags.root);
  const base = flags.base;
  if (base === undefined)
    throw new UsageError(
      '--format markdown and --comment preview a change: say against what with --base <rev>',
    );
  let pr: number | undefined;
  if (flags.comment !== undefined) {
    if (!/^[1-9]\d*$/.test(flags.comment))
      throw new UsageError(`--comment ${flags.comment} is not a pull request number`);
    pr = Number(flags.comment);
  }
  const after = await workingTreeIndex(flags);
  const before = await indexAtRevision(root, base);
  const commit = (await simpleGit({ baseDir: root }).revparse(['--verify', `${base}^{commit}`])).trim();
  const paths = [...new Set([...Object.keys(before?.files ?? {}), ...Object.keys(after.files)])].sort();
  const changed = paths.filter((path) => before?.files[path]?.sha256 !== after.files[path]?.sha256);
  const old = await blobsAt(
    root,
    commit,
    changed.filter((path) => before?.files[path]),
  );
  const outDir = outDirOf(flags);
  const files: ChangedFile[] = await Promise.all(
    changed.map(async (path): Promise<ChangedFile> => {
      const entry = after.files[path] ?? before!.files[path]!;
      const kind = !before?.files[path] ? 'added' : !after.files[path] ? 'removed' : 'changed';
      const beforeText = old.get(path);
      const afterText = after.files[path] ? await readFile(join(outDir, path), 'utf8') : undefined;
      return {
        path,
        kind,
        entry,
        ...(beforeText !== undefined && { before: beforeText }),
        ...(afterText !== undefined && { after: afterText }),
      };
    }),
  );
  const preview = renderPreview({ base: `${base} (${commit.slice(0, 7)})`, files });
  if (pr === undefined) {
    process.stdout.write(preview.markdown);
    return 0;
  }
  // --base here is a git revision, not the promotion base branch the code host flags mean.
  const codeHost = codeHostFromEnvironment({
    ...(flags.repo !== undefined && { repo: flags.repo }),
    ...(flags.apiUrl !== undefined && { apiUrl: flags.apiUrl }),
  });
  codeHost.requireToken('diff --comment');
  codeHost.requireRepository('diff --comment');
  const host = codeHost.connect();
  if (!hasStickyComments(host)) {
    throw new UsageError(
      `${codeHost.profile.displayName} cannot keep a sticky comment yet: print the preview without --comment`,
    );
  }
  const { id, action } = await host.upsertStickyComment(pr, PREVIEW_MARKER, preview.markdown);
  console.log(
    `PR preview ${action === 'unchanged' ? 'is already current' : action} on #${pr} (comment ${id}): ` +
      `${preview.files} files, ${preview.risks.length} risk flags, ${preview.markdown.length} characters.`,
  );
  return 0;
}
