/** How validation talks about selectors (of placement and overrides): why one can never match. */
import { clusterJurisdiction, JURISDICTIONS, selectorMatches } from '../placement.ts';
import { CLOUDS } from '../regions.ts';
import { clusterName } from '../resolve.ts';
import type { MatrixDefinition, TargetSelector } from '../types.ts';

export const SELECTOR_FIX =
  'correct the selector so it names environments, clouds, regions and clusters in the matrix';

/** `{env: prod, app: api}`: a selector as written, for issue paths. */
export function describeSelector(selector: TargetSelector & { app?: string }): string {
  const parts = (['env', 'cloud', 'region', 'cluster', 'jurisdiction', 'app'] as const)
    .filter((key) => selector[key] !== undefined)
    .map((key) => `${key}: ${selector[key]}`);
  return `{${parts.join(', ')}}`;
}

/** Why a selector can never match, or undefined when it matches some cluster. */
export function selectorProblem(matrix: MatrixDefinition, selector: TargetSelector): string | undefined {
  if (selector.env !== undefined && !(selector.env in matrix.environments))
    return `names unknown environment "${selector.env}"`;
  if (selector.cloud !== undefined && !CLOUDS.includes(selector.cloud))
    return `names unknown cloud "${selector.cloud}"`;
  if (selector.jurisdiction !== undefined && !JURISDICTIONS.includes(selector.jurisdiction))
    return `names unknown jurisdiction "${selector.jurisdiction}"`;
  const matches = matrix.clusters.some((c) =>
    selectorMatches(selector, {
      env: c.env,
      cloud: c.cloud,
      region: c.region,
      cluster: clusterName(c),
      jurisdiction: clusterJurisdiction(c),
    }),
  );
  return matches ? undefined : 'matches no cluster';
}
