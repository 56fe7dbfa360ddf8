/**
 * `explain`: the effective value of one app value on one target, and every layer that set it.
 */
import { UsageError } from '../core/errors.ts';
import { provenanceOf, valueAt } from './merge.ts';
import { absences } from './placement.ts';
import type { MatrixDefinition, ProvenanceStep, ResolvedMatrix } from './types.ts';

export interface Explanation {
  readonly target: string;
  readonly app: string;
  readonly path: string;
  readonly value: unknown;
  /** One entry per value path answered (several when `path` is an object set piecewise). */
  readonly chains: readonly { path: string; steps: readonly ProvenanceStep[] }[];
}

/**
 * `definition`, when given, lets the answer for an app that is not on the target say why (its
 * placement or residency left it out).
 */
export function explain(
  matrix: ResolvedMatrix,
  targetId: string,
  app: string,
  path: string,
  definition?: MatrixDefinition,
): Explanation {
  const target = matrix.targets.find((t) => t.id === targetId);
  if (!target) {
    throw new UsageError(
      `unknown target "${targetId}"; targets are: ${matrix.targets.map((t) => t.id).join(', ')}`,
    );
  }
  const resolved = target.apps.find((a) => a.name === app);
  if (!resolved) {
    const absence =
      definition && absences(definition, matrix).find((a) => a.target === targetId && a.app === app);
    if (absence)
      throw new UsageError(`app "${app}" is not placed on ${targetId}: ${absence.reason}`, {
        fix: `change the placement of ${app} to include ${targetId}, or pick a target it runs on`,
      });
    throw new UsageError(
      `app "${app}" is not placed on ${targetId}; apps there: ${target.apps.map((a) => a.name).join(', ')}`,
    );
  }
  const log = matrix.provenance.get(targetId)?.get(app) ?? new Map<string, readonly ProvenanceStep[]>();
  const chains = provenanceOf(log, path);
  const value = valueAt(resolved.values, path.split('.'));
  if (chains.length === 0 && value === undefined) {
    const known = [...log.keys()].sort().join(', ');
    throw new UsageError(`"${path}" is not a value of ${app} on ${targetId}; values set there: ${known}`);
  }
  return { target: targetId, app, path, value, chains };
}
