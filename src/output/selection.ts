/**
 * `--only <selector>`: which part of the matrix a synth or diff writes. A selector is an environment or
 * a prefix of target ids (`prod`, `prod/aws`, `prod/aws/us-east-1`, `prod/aws/us-east-1/main`), and it
 * must name at least one target: a misspelt selector is a usage error, never a silent no-op.
 */
import { distance } from 'fastest-levenshtein';
import { compareStrings } from '../core/compare.ts';
import { UsageError } from '../core/errors.ts';

/** How many near misses the error lists. */
const SUGGESTIONS = 3;

/**
 * A unit belongs to the selection when its scope is the selection or lies below it. Units that contain
 * the selection (the environment's files when one target is selected, a region's Terraform stack when
 * one cluster is, and the matrix-wide `*` files) are outside: synth --only leaves their files as they are.
 */
export function insideSelection(scope: string, only: string): boolean {
  return scope === only || scope.startsWith(`${only}/`);
}

/** Whether the selector names at least one target. */
function selectsTarget(only: string, targetIds: readonly string[]): boolean {
  return targetIds.some((id) => insideSelection(id, only));
}

/** Every selector of the same depth as `only` (an id deeper than a target is compared with targets). */
function selectorsLike(only: string, targetIds: readonly string[]): string[] {
  const depth = only.split('/').length;
  return [...new Set(targetIds.map((id) => id.split('/').slice(0, depth).join('/')))];
}

/** The selectors closest to a misspelt one, by edit distance, nearest first. */
export function closestSelectors(only: string, targetIds: readonly string[]): string[] {
  return selectorsLike(only, targetIds)
    .map((selector) => ({ selector, distance: distance(only, selector) }))
    .sort((a, b) => a.distance - b.distance || compareStrings(a.selector, b.selector))
    .slice(0, SUGGESTIONS)
    .map(({ selector }) => selector);
}

/** Throw a UsageError (exit 2) naming the closest selectors when `only` matches no target. */
export function checkSelector(only: string, targetIds: readonly string[]): void {
  if (selectsTarget(only, targetIds)) return;
  const closest = closestSelectors(only, targetIds);
  throw new UsageError(
    `--only ${only} matches no target.${closest.length > 0 ? ` Closest: ${closest.join(', ')}.` : ''}`,
    {
      fix: 'give an environment or a target id, or a prefix of one (`envmatrix ls` lists every target)',
    },
  );
}
