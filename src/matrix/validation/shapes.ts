/**
 * Shapes: every object the define helpers accepted has only keys the model knows (schema.ts). Runs
 * first, because a misspelt key is the likeliest cause of any later problem (a `scalling` override
 * leaves `scaling` unset). Each problem names the helper call that wrote it and the closest known key.
 */
import type { z } from 'zod';
import type { MatrixIssue } from '../errors.ts';
import {
  appDefinitionSchema,
  clusterSpecSchema,
  matrixDefinitionSchema,
  UNKNOWN_KEY_MARK,
  type UnknownKeyDetail,
} from '../schema.ts';
import { clusterName } from '../resolve.ts';
import { closest } from './suggest.ts';
import type { ValidationInput } from './rule.ts';

export function validateShapes({ matrix }: ValidationInput): MatrixIssue[] {
  // Overrides and environments have no helper of their own: they are named as the matrix file writes them.
  const issues = unknownKeys(matrixDefinitionSchema, matrix, matrix.source, (path) =>
    path.length === 0 ? 'matrix' : joinPath('', path).replace(/^\./, ''),
  );
  matrix.clusters.forEach((cluster, index) => {
    const name = `clusters[${index}] ${cluster.env}/${cluster.cloud}/${cluster.region}/${clusterName(cluster)}`;
    issues.push(...unknownKeys(clusterSpecSchema, cluster, cluster.source, (path) => joinPath(name, path)));
  });
  for (const app of matrix.apps) {
    const name = `apps.${app.name}`;
    issues.push(...unknownKeys(appDefinitionSchema, app, app.source, (path) => joinPath(name, path)));
  }
  return issues;
}

function joinPath(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`),
    base,
  );
}

function unknownKeys(
  schema: z.ZodType,
  value: unknown,
  source: string,
  pathOf: (path: readonly PropertyKey[]) => string,
): MatrixIssue[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys' || !issue.message.startsWith(UNKNOWN_KEY_MARK)) return [];
    const detail = JSON.parse(issue.message.slice(UNKNOWN_KEY_MARK.length)) as UnknownKeyDetail;
    return detail.keys.map((key) => unknownKeyIssue(pathOf(issue.path), key, detail.known, source));
  });
}

function unknownKeyIssue(path: string, key: string, known: readonly string[], source: string): MatrixIssue {
  const guess = closest(key, known);
  return {
    path,
    message: `unknown field "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}`,
    source,
    fix: guess ? `rename "${key}" to "${guess}"` : `remove "${key}"; fields here: ${known.join(', ')}`,
  };
}
