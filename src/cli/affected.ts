/**
 * `envmatrix affected --base <rev> [--json]`: the targets and Terraform stacks whose generated output
 * differs between a git revision and the working tree, so CI plans only what changed.
 *
 * It compares `generated/index.json` at the revision (`git show <rev>:generated/index.json`) with the
 * working tree's, file by file, by the sha256 of each file's bytes: a file counts when it was added,
 * removed or its bytes changed (an input change that renders the same bytes does not). It reads no
 * matrix, so it also works where the matrix would not load; run `synth --check` first in CI to know
 * generated/ is current.
 *
 * This command reads git directly rather than through src/promote/scm: it needs one read-only
 * `git show` in the local checkout, not a clone with a remote and credentials.
 */
import { dirname, join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { GENERATOR_NAME as TERRAFORM } from '../generators/terraform/cloud.ts';
import { repoPath } from '../generators/paths.ts';
import { compareStrings } from '../core/compare.ts';
import { UsageError } from '../core/errors.ts';
import { INDEX_PATH, parseIndex, type GeneratedIndex, type IndexEntry } from '../output/index-file.ts';
import { readTextIfExists } from '../output/tree.ts';
import { outDirOf, type GlobalOptions } from './context.ts';

export type Change = 'added' | 'changed' | 'removed';

export interface AffectedFile {
  /** Repo path, `generated/…`. */
  readonly path: string;
  readonly change: Change;
  readonly generator: string;
  readonly scope: string;
}

export interface AffectedStack {
  /** `<env>/<cloud>/…` as the cloud's plugin lays it out (AWS: `env/aws/region`). */
  readonly scope: string;
  /** The cloud, from the scope: which credentials a CI job needs to plan the stack. */
  readonly cloud: string;
  /** Repo path of the stack's folder: where `terraform -chdir=…` runs. */
  readonly dir: string;
  /** `removed`: the stack is gone from the working tree (destroying it is a human decision). */
  readonly change: Change;
}

export interface AffectedReport {
  readonly base: string;
  /** Every file that differs, sorted by path. */
  readonly files: readonly AffectedFile[];
  /** Target ids (`env/cloud/region/cluster`) with a differing file of their own, sorted. */
  readonly targets: readonly string[];
  readonly terraformStacks: readonly AffectedStack[];
  /** Every unit scope with a differing file: targets, stacks, environments (`prod`), `*`. Sorted. */
  readonly scopes: readonly string[];
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort(compareStrings);

function change(before: IndexEntry | undefined, after: IndexEntry | undefined): Change | undefined {
  if (!before) return 'added';
  if (!after) return 'removed';
  return before.sha256 === after.sha256 ? undefined : 'changed';
}

/** What differs between two indexes. `before` undefined: the revision had no generated/ yet. */
export function compareIndexes(
  base: string,
  before: GeneratedIndex | undefined,
  after: GeneratedIndex,
): AffectedReport {
  const files: AffectedFile[] = [];
  for (const path of sorted([...Object.keys(before?.files ?? {}), ...Object.keys(after.files)])) {
    const old = before?.files[path];
    const current = after.files[path];
    const kind = change(old, current);
    const entry = current ?? old;
    if (kind && entry)
      files.push({ path: repoPath(path), change: kind, generator: entry.generator, scope: entry.scope });
  }
  const stacks = new Map<string, { scope: string; changes: Set<Change> }>();
  for (const file of files.filter((f) => f.generator === TERRAFORM)) {
    const dir = dirname(file.path);
    const stack = stacks.get(dir) ?? { scope: file.scope, changes: new Set<Change>() };
    stack.changes.add(file.change);
    stacks.set(dir, stack);
  }
  return {
    base,
    files,
    // Target ids have four parts; shorter scopes are environments, stacks or the whole matrix.
    targets: sorted(files.map((f) => f.scope).filter((scope) => scope.split('/').length === 4)),
    terraformStacks: [...stacks]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([dir, { scope, changes }]) => ({
        scope,
        // Every cloud plugin's scopes are `<env>/<cloud>/…` (checked when the stacks are planned).
        cloud: scope.split('/')[1] ?? '',
        dir,
        change: changes.size === 1 ? [...changes][0]! : 'changed',
      })),
    scopes: sorted(files.map((f) => f.scope)),
  };
}

function gitMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}

/** The index at `rev`, undefined when the revision has no generated/index.json. */
export async function indexAtRevision(root: string, rev: string): Promise<GeneratedIndex | undefined> {
  const git = simpleGit({ baseDir: resolve(root) });
  // `--quiet` makes a missing revision an empty answer (simple-git does not throw on a silent exit 1).
  const commit = await git
    .raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])
    .then((out) => ({ sha: out.trim(), problem: 'git rev-parse found nothing' }))
    .catch((error: unknown) => ({ sha: '', problem: gitMessage(error) }));
  if (!commit.sha) {
    throw new UsageError(
      `--base ${rev} is not a commit in ${root} (${commit.problem}); ` +
        'fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0), or pass a commit SHA',
    );
  }
  let text: string;
  try {
    // `./` makes the path relative to the project root, which need not be the repository's top level.
    text = await git.show([`${commit.sha}:./generated/${INDEX_PATH}`]);
  } catch (error) {
    if (/does not exist|exists on disk, but not in/.test(gitMessage(error))) return undefined;
    throw error;
  }
  const index = parseIndex(text);
  if (!index) {
    throw new UsageError(
      `generated/${INDEX_PATH} at ${rev} is not an envmatrix index; compare with a revision synthesized by envmatrix`,
    );
  }
  return index;
}

/** The working tree's index. */
export async function workingTreeIndex(options: GlobalOptions): Promise<GeneratedIndex> {
  const index = parseIndex(await readTextIfExists(join(outDirOf(options), INDEX_PATH)));
  if (!index) {
    throw new UsageError(
      `generated/${INDEX_PATH} is missing or unreadable in the working tree; run npm run synth first`,
    );
  }
  return index;
}

export function formatAffected(report: AffectedReport, baseHadIndex: boolean): string {
  const lines: string[] = [];
  if (!baseHadIndex)
    lines.push(`${report.base} has no generated/${INDEX_PATH}: everything in generated/ counts as added.`);
  if (report.files.length === 0) {
    lines.push(`generated/ is the same as at ${report.base}: no targets or Terraform stacks to plan.`);
    return lines.join('\n');
  }
  lines.push(
    `${report.files.length} file${report.files.length === 1 ? '' : 's'} in generated/ differ from ${report.base}.`,
  );
  const section = (title: string, rows: readonly string[]): void => {
    lines.push(
      '',
      `${title} (${rows.length}):`,
      ...(rows.length ? rows.map((row) => `  ${row}`) : ['  none']),
    );
  };
  section('Targets', report.targets);
  section(
    'Terraform stacks',
    report.terraformStacks.map((stack) => `${stack.dir}  ${stack.change}`),
  );
  const others = report.scopes.filter(
    (scope) => !report.targets.includes(scope) && !report.terraformStacks.some((s) => s.scope === scope),
  );
  if (others.length > 0) section('Other scopes (environments, whole matrix)', others);
  return lines.join('\n');
}

export interface AffectedFlags extends GlobalOptions {
  readonly base: string;
  readonly json?: boolean;
}

export async function affectedCommand(options: AffectedFlags): Promise<number> {
  const after = await workingTreeIndex(options);
  const before = await indexAtRevision(options.root, options.base);
  const report = compareIndexes(options.base, before, after);
  console.log(options.json ? JSON.stringify(report, null, 2) : formatAffected(report, before !== undefined));
  return 0;
}
