/**
 * Rendered changes that only move the `app.kubernetes.io/version` label: a promotion relabels every
 * object of an app (Service, ServiceAccount, HPA, PDB, NetworkPolicy…), and listing each as a diff
 * buried the one change that matters, the workload's image (issue 12: 19 of 23 blocks).
 *
 * A change is label-only when it is one object of a manifest, changed (not added or removed), and
 * every removed line is `app.kubernetes.io/version: <label of an app's old tag>` and every added line
 * `app.kubernetes.io/version: <label of the same app's new tag>`, as many added as removed. Anything
 * else on a changed line — the image, a digest, an annotation, a second label — keeps the full diff,
 * so the workload (image and version together) is always shown.
 */
import { labelValue } from '../generators/k8s/labels.ts';
import type { FileChange } from './types.ts';

/** The label line as the YAML writer emits it: value bare or quoted (`"1.10"` stays a string). */
const LABEL_LINE = /^\s*app\.kubernetes\.io\/version: (?:"([^"]*)"|'([^']*)'|([^\s'"#]+))\s*$/;

export interface VersionMove {
  readonly app: string;
  readonly from: string;
  readonly to: string;
}

/** The changed lines of a unified diff: `-`/`+` lines of its hunks (the `---`/`+++` header is skipped). */
function changedLines(patch: string): { removed: string[]; added: string[] } {
  const removed: string[] = [];
  const added: string[] = [];
  let inHunk = false;
  for (const line of patch.split('\n')) {
    if (line.startsWith('@@')) inHunk = true;
    else if (!inHunk) continue;
    else if (line.startsWith('-')) removed.push(line.slice(1));
    else if (line.startsWith('+')) added.push(line.slice(1));
  }
  return { removed, added };
}

function labelOf(line: string): string | undefined {
  const match = LABEL_LINE.exec(line);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

/**
 * The version label values a label-only change of one object moves between, whatever the app (the PR
 * preview knows no pins, only the diff): every removed line is the label at one value, every added line
 * the label at another. Undefined when the change is anything more.
 */
export function versionLabelChange(
  change: Pick<FileChange, 'kind' | 'object' | 'patch'>,
): { readonly from: string; readonly to: string } | undefined {
  if (change.kind !== 'changed' || change.object === undefined) return undefined;
  const { removed, added } = changedLines(change.patch);
  if (removed.length === 0 || removed.length !== added.length) return undefined;
  const from = new Set(removed.map(labelOf));
  const to = new Set(added.map(labelOf));
  const [before] = from;
  const [after] = to;
  if (from.size !== 1 || to.size !== 1 || before === undefined || after === undefined || before === after)
    return undefined;
  return { from: before, to: after };
}

/** The move a label-only change makes, or undefined when the change is anything more. */
export function labelOnlyMove(change: FileChange, moves: readonly VersionMove[]): VersionMove | undefined {
  const labels = versionLabelChange(change);
  if (!labels) return undefined;
  return moves.find((move) => labelValue(move.from) === labels.from && labelValue(move.to) === labels.to);
}
