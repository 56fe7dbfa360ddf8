/**
 * `envmatrix diff`: what a synth would change, as unified diffs grouped by environment, target and app.
 */
import { createTwoFilesPatch } from 'diff';
import { compareStrings } from '../core/compare.ts';
import { INDEX_PATH, type GeneratedIndex } from './index-file.ts';
import type { SynthPlan } from './synth.ts';

export interface FileDiff {
  readonly path: string;
  readonly kind: 'added' | 'changed' | 'removed';
  /** Group heading: `prod › prod/aws/us-east-1/main › api`. */
  readonly group: string;
  readonly patch: string;
  readonly additions: number;
  readonly deletions: number;
}

function groupOf(path: string, index: GeneratedIndex, previous: GeneratedIndex | undefined): string {
  const entry = index.files[path] ?? previous?.files[path];
  if (!entry || entry.scope === '*') return 'matrix';
  const env = entry.scope.split('/')[0]!;
  return [env, entry.scope === env ? undefined : entry.scope, entry.app].filter(Boolean).join(' › ');
}

function countLines(patch: string): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) additions++;
    else if (line.startsWith('-') && !line.startsWith('---')) deletions++;
  }
  return { additions, deletions };
}

/** Every changed file of a plan (index.json aside) with its unified diff, sorted by group then path. */
export function diffPlan(plan: SynthPlan, previous: GeneratedIndex | undefined): FileDiff[] {
  const entries = [
    ...plan.changes.added.map((path) => ({ path, kind: 'added' as const })),
    ...plan.changes.changed.map((path) => ({ path, kind: 'changed' as const })),
    ...plan.changes.removed.map((path) => ({ path, kind: 'removed' as const })),
  ].filter(({ path }) => path !== INDEX_PATH);
  return entries
    .map(({ path, kind }) => {
      const before = plan.current.get(path) ?? '';
      const after = plan.files.get(path) ?? '';
      const patch = createTwoFilesPatch(
        kind === 'added' ? '/dev/null' : `a/generated/${path}`,
        kind === 'removed' ? '/dev/null' : `b/generated/${path}`,
        before,
        after,
        undefined,
        undefined,
        { context: 3 },
      );
      return { path, kind, group: groupOf(path, plan.index, previous), patch, ...countLines(patch) };
    })
    .sort((a, b) => compareStrings(a.group, b.group) || compareStrings(a.path, b.path));
}
