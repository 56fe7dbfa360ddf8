/**
 * `envmatrix report --out <dir>`: write the static fleet report page, `<dir>/index.html`.
 *
 * Facts come from the checkout, offline: the matrix, the promotion planner's dry run of every edge and
 * wave (as `promote --all --dry-run`, health gates unchecked), and the pins files' first-parent history
 * at HEAD. Commit subjects (for PR numbers) are read with one read-only `git log`, as `affected` reads
 * git directly: no remote and no credentials are involved.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { buildReportData } from '../fleet/report-data.ts';
import { loadReportAssets } from '../fleet/report/assets.ts';
import { renderReportPage } from '../fleet/report/page.ts';
import { UsageError } from '../core/errors.ts';
import { dryRunPromotion, HISTORY_LIMIT } from '../promote/run.ts';
import { GitRepository } from '../promote/scm/git.ts';
import type { PinsRevision } from '../promote/types.ts';
import { load, type GlobalOptions } from './context.ts';

export interface ReportFlags extends GlobalOptions {
  readonly out: string;
  readonly now?: string;
}

async function commitSubjects(root: string, paths: readonly string[]): Promise<Map<string, string>> {
  try {
    const log = await simpleGit({ baseDir: root }).raw([
      'log',
      '--first-parent',
      `--max-count=${HISTORY_LIMIT * paths.length}`,
      '--format=%H%x1f%s',
      'HEAD',
      '--',
      ...paths,
    ]);
    return new Map(
      log
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\x1f') as [string, string]),
    );
  } catch {
    return new Map(); // not a git checkout, or no commits yet: no history to show
  }
}

export async function reportCommand(flags: ReportFlags): Promise<number> {
  const now = flags.now === undefined ? new Date() : new Date(flags.now);
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now ${flags.now} is not an ISO 8601 time`);
  const out = resolve(flags.out);
  const { resolved } = await load(flags);
  const root = resolve(flags.root);
  const git = await GitRepository.open({ dir: root }).catch(() => undefined);
  const files = resolved.environments.map((env) => env.pinsFile);
  const history = git ? await git.history('HEAD', files, HISTORY_LIMIT) : new Map<string, PinsRevision[]>();
  const outcomes = await dryRunPromotion({
    root,
    matrixFile: flags.matrix,
    all: true,
    now,
    ...(git && { git }),
  });
  const data = buildReportData({
    matrix: resolved,
    plans: outcomes.map((o) => o.plan),
    revisions: Object.fromEntries(
      resolved.environments.map((env) => [env.name, history.get(env.pinsFile) ?? []]),
    ),
    subjects: await commitSubjects(root, files),
    now,
  });
  const html = renderReportPage(data, await loadReportAssets());
  await mkdir(out, { recursive: true });
  const file = join(out, 'index.html');
  await writeFile(file, html);
  const pending = data.pending.length;
  console.log(
    `Wrote ${file} (${Math.round(Buffer.byteLength(html) / 1024)} KB): ${data.targets.length} clusters, ` +
      `${data.apps.length} apps, ${pending} pending promotion${pending === 1 ? '' : 's'}.`,
  );
  return 0;
}
