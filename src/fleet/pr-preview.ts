/**
 * The PR preview: what a change to the matrix does to generated/, as one Markdown comment a reviewer can
 * read instead of thousands of collapsed generated lines. Grouped by environment, then target, then
 * app; counts; the risk flags promotion PRs carry (src/promote/risk.ts, the same classifier); and a
 * collapsed diff per changed object. An app folder keeps its objects in one multi-document
 * manifest.yaml, so its change is split into objects the way `envmatrix diff` splits it
 * (src/output/diff.ts); other files (Terraform JSON, values, Markdown) are one entry each. Objects whose
 * only change is the `app.kubernetes.io/version` label (a pin bump relabels every object of the app)
 * are one line per app, as in promotion PRs (src/promote/label-only.ts), so the workload's image change
 * is not buried among them. It stays
 * within GitHub's comment limit by leaving out diffs, then entry lines, from the end, and says what it
 * left out.
 */
import { compareStrings } from '../core/compare.ts';
import { diffFile, yamlObjects, type ObjectDiff } from '../output/diff.ts';
import type { IndexEntry } from '../output/index-file.ts';
import { versionLabelChange } from '../promote/label-only.ts';
import { assessRisks } from '../promote/risk.ts';
import type { Risk } from '../promote/types.ts';

/** The hidden marker that finds the sticky comment again. */
export const PREVIEW_MARKER = '<!-- envmatrix:preview -->';
/** GitHub refuses comment bodies over 65,536 characters; keep a margin for the marker and notes. */
export const COMMENT_LIMIT = 65_000;
/** One entry's diff is cut at this many characters: a reviewer opens the file for more. */
const DIFF_LIMIT = 6_000;

export interface ChangedFile {
  /** Path under generated/. */
  readonly path: string;
  readonly kind: 'added' | 'changed' | 'removed';
  readonly before?: string;
  readonly after?: string;
  /** What index.json says about it (the working tree's, or the base's for a removed file). */
  readonly entry: IndexEntry;
}

export interface PreviewInput {
  /** What the change is compared with, e.g. `origin/main (3f2a1c9)`. */
  readonly base: string;
  readonly files: readonly ChangedFile[];
  /** @default COMMENT_LIMIT */
  readonly limit?: number;
}

/** One entry: a changed object of a manifest, or a whole file. */
interface ObjectChange extends ObjectDiff {
  readonly file: ChangedFile;
  readonly title: string;
}

interface Group {
  readonly env: string;
  readonly target: string;
  readonly app: string;
  readonly objects: ObjectChange[];
}

export interface Preview {
  readonly markdown: string;
  /** Changed files; a manifest.yaml counts once however many of its objects changed. */
  readonly files: number;
  /** Changed objects of multi-document manifests, each an entry of its own. */
  readonly objects: number;
  readonly additions: number;
  readonly deletions: number;
  readonly risks: readonly Risk[];
  /** Diffs left out to fit the limit (entries not listed included). */
  readonly omittedDiffs: number;
}

/**
 * What an entry is called: its object (`Deployment api/api`), the one object of a single-object YAML
 * file, or else the file's name (Terraform JSON, values, Markdown, a kustomization).
 */
function titleOf(file: ChangedFile, diff: ObjectDiff): string {
  if (diff.object !== undefined) return diff.object;
  const only = yamlObjects(file.path, file.after ?? file.before ?? '');
  return only?.length === 1 ? only[0]!.identity : file.path.split('/').pop()!;
}

function coordinates(entry: IndexEntry): { env: string; target: string; app: string } {
  if (entry.scope === '*')
    return { env: 'whole matrix', target: '(every target)', app: entry.app ?? '(shared)' };
  const env = entry.scope.split('/')[0]!;
  return {
    env,
    target: entry.scope === env ? `${env} (environment-wide)` : entry.scope,
    app: entry.app ?? '(target-wide)',
  };
}

/** A fence longer than any backtick run in the text, so a diff cannot close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** What the comment lists under an app's heading: one object with its diff, or the relabelled objects. */
type Entry<T extends ObjectChange> =
  { readonly object: T } | { readonly relabelled: readonly T[]; readonly from: string; readonly to: string };

/**
 * The entries of one app's objects (sorted as listed): each version move's label-only objects become one
 * entry, placed first; every other object keeps an entry of its own.
 */
function entriesOf<T extends ObjectChange>(objects: readonly T[]): Entry<T>[] {
  const moves = new Map<string, { from: string; to: string; relabelled: T[] }>();
  const others: Entry<T>[] = [];
  for (const object of objects) {
    const move = versionLabelChange(object);
    if (!move) {
      others.push({ object });
      continue;
    }
    const key = `${move.from}\u0000${move.to}`;
    const group = moves.get(key) ?? { ...move, relabelled: [] };
    group.relabelled.push(object);
    moves.set(key, group);
  }
  return [...moves.values(), ...others];
}

function relabelledLine(entry: { relabelled: readonly ObjectChange[]; from: string; to: string }): string {
  const names = entry.relabelled.map((object) => `<code>${object.title}</code>`).join(', ');
  return `- ${plural(entry.relabelled.length, 'object')} only relabelled, \`app.kubernetes.io/version\` ${entry.from} → ${entry.to}: ${names}\n`;
}

function objectBlock(object: ObjectChange, withDiff: boolean, base: string): string {
  const head = `<code>${object.title}</code> ${object.kind}, +${object.additions} −${object.deletions} · <code>generated/${object.file.path}</code>`;
  if (!withDiff)
    return `- ${head} (diff left out to fit the comment: \`npx envmatrix diff --base ${base}\`)\n`;
  const cut = object.patch.length > DIFF_LIMIT;
  const patch = cut ? `${object.patch.slice(0, DIFF_LIMIT)}\n… (cut: the diff has more)` : object.patch;
  const f = fence(patch);
  return `<details><summary>${head}</summary>\n\n${f}diff\n${patch.trimEnd()}\n${f}\n\n</details>\n`;
}

export function renderPreview(input: PreviewInput): Preview {
  const limit = input.limit ?? COMMENT_LIMIT;
  const objects: (ObjectChange & Omit<Group, 'objects'>)[] = input.files.flatMap((file) =>
    diffFile(file.path, file.kind, file.before ?? '', file.after ?? '').map((diff) => ({
      ...diff,
      file,
      title: titleOf(file, diff),
      ...coordinates(file.entry),
    })),
  );
  objects.sort(
    (a, b) =>
      compareStrings(a.env, b.env) ||
      compareStrings(a.target, b.target) ||
      compareStrings(a.app, b.app) ||
      compareStrings(a.file.path, b.file.path) ||
      compareStrings(a.object ?? '', b.object ?? ''),
  );
  const fileCount = (entries: readonly ObjectChange[]): number =>
    new Set(entries.map((o) => o.file.path)).size;
  const objectCount = objects.filter((o) => o.object !== undefined).length;
  const risks = assessRisks(
    input.files.map((file) => ({
      path: file.path,
      scope: file.entry.scope === '*' ? 'matrix' : file.entry.scope,
      ...(file.before !== undefined && { before: file.before }),
      ...(file.after !== undefined && { after: file.after }),
    })),
  );
  const additions = objects.reduce((n, o) => n + o.additions, 0);
  const deletions = objects.reduce((n, o) => n + o.deletions, 0);
  const envs = [...new Set(objects.map((o) => o.env))];

  const head: string[] = [
    PREVIEW_MARKER,
    `### envmatrix: what this change renders, against \`${input.base}\``,
    '',
  ];
  if (objects.length === 0) {
    head.push('No change to `generated/`: this pull request renders nothing different for any cluster.', '');
    return {
      markdown: head.join('\n'),
      files: 0,
      objects: 0,
      additions: 0,
      deletions: 0,
      risks: [],
      omittedDiffs: 0,
    };
  }
  head.push(
    // As the promotion PR counts (src/promote/render-body.ts): files once, then how many objects.
    `**${plural(fileCount(objects), 'file')}**${objectCount > 0 ? ` (${plural(objectCount, 'object')})` : ''}` +
      ` in ${plural(envs.length, 'environment')}, +${additions} −${deletions}` +
      (risks.length > 0 ? ` · **${plural(risks.length, 'risk')}** ⚠️` : ' · no risk flags'),
    '',
    '| environment | targets | apps | files | lines | risks |',
    '| --- | --- | --- | --- | --- | --- |',
    ...envs.map((env) => {
      const here = objects.filter((o) => o.env === env);
      const envRisks = risks.filter((r) =>
        env === 'whole matrix' ? r.scope === 'matrix' : r.scope === env || r.scope.startsWith(`${env}/`),
      );
      const lines = `+${here.reduce((n, o) => n + o.additions, 0)} −${here.reduce((n, o) => n + o.deletions, 0)}`;
      return `| ${env} | ${new Set(here.map((o) => o.target)).size} | ${new Set(here.map((o) => o.app)).size} | ${fileCount(here)} | ${lines} | ${envRisks.length || '—'} |`;
    }),
    '',
  );
  if (risks.length > 0) {
    head.push('**Deserves a second look** (the checks promotion PRs run):', '');
    for (const risk of risks)
      head.push(
        `- **${risk.kind}** ${risk.scope}: ${risk.detail}${risk.path ? ` (\`generated/${risk.path}\`)` : ''}`,
      );
    head.push('');
  }

  // Diffs while they fit; then entry lines; then a count of what is left.
  const closing = (omitted: number, unlisted: number): string =>
    [
      omitted > 0 ? `\n_${plural(omitted, 'diff')} left out to stay within GitHub's comment limit._` : '',
      unlisted > 0
        ? `\n_${plural(unlisted, 'more change')} not listed: run \`npx envmatrix diff --base ${input.base}\`._`
        : '',
      '\n<sub>Updated in place on every push by `envmatrix diff --format markdown`.</sub>\n',
    ].join('');
  let body = head.join('\n');
  const reserve = closing(objects.length, objects.length).length + 200;
  let omitted = 0;
  let unlisted = 0;
  let heading = '';
  const headingOf = (object: (typeof objects)[number]) => `${object.env} › ${object.target} › ${object.app}`;
  // In the order sorted above: a Map keeps insertion order (Map.groupBy is Node 21+).
  const apps = new Map<string, (typeof objects)[number][]>();
  for (const object of objects) {
    const group = apps.get(headingOf(object)) ?? [];
    group.push(object);
    apps.set(headingOf(object), group);
  }
  for (const entry of [...apps.values()].flatMap((group) => entriesOf(group))) {
    const first = 'object' in entry ? entry.object : entry.relabelled[0]!;
    const groupHeading = headingOf(first);
    const titleText =
      groupHeading === heading ? '' : `\n#### ${first.env} › \`${first.target}\` › ${first.app}\n\n`;
    // A relabelled line has no diff to leave out: it is listed whole or not at all.
    const full =
      titleText + ('object' in entry ? objectBlock(entry.object, true, input.base) : relabelledLine(entry));
    const short = 'object' in entry ? titleText + objectBlock(entry.object, false, input.base) : full;
    if (unlisted === 0 && body.length + full.length + reserve <= limit) {
      body += full;
    } else if (unlisted === 0 && 'object' in entry && body.length + short.length + reserve <= limit) {
      body += short;
      omitted++;
    } else {
      unlisted += 'object' in entry ? 1 : entry.relabelled.length;
      continue;
    }
    heading = groupHeading;
  }
  body += closing(omitted, unlisted);
  return {
    markdown: body,
    files: fileCount(objects),
    objects: objectCount,
    additions,
    deletions,
    risks,
    omittedDiffs: omitted + unlisted,
  };
}
