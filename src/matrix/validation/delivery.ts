/**
 * Rules for what the delivery engines (Argo CD, Flux) are asked to do: settings they cannot honour are
 * matrix problems, reported together with every other one, rather than output that silently does
 * something else.
 */
import { durationSeconds } from '../duration.ts';
import type { MatrixIssue } from '../errors.ts';
import { clusterName, targetId } from '../resolve.ts';
import type { ValidationInput } from './rule.ts';
import { FLUX_BOOTSTRAP_NAME } from '../delivery-validation.ts';

export { FLUX_BOOTSTRAP_NAME };

export function validateDelivery({ matrix, resolved }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  for (const [name, spec] of Object.entries(matrix.environments)) {
    const interval = spec.policy?.reconcileInterval;
    if (interval === undefined) continue;
    const seconds = durationSeconds(interval);
    if (seconds === undefined || seconds < 1) {
      issues.push({
        path: `environments.${name}.policy.reconcileInterval`,
        message: `reconcileInterval ${JSON.stringify(interval)} is not a duration of at least 1s`,
        source: matrix.source,
        fix: 'write a number and a unit: 1m, 5m, 1h',
      });
    }
  }
  matrix.clusters.forEach((spec, index) => {
    if (spec.engine !== 'flux') return;
    const id = targetId(spec.env, spec.cloud, spec.region, clusterName(spec));
    // Flux has no manual sync: the kustomize-controller applies every commit it sees.
    if (matrix.environments[spec.env]?.policy?.sync === 'manual') {
      issues.push({
        path: `clusters[${index}] ${id}`,
        message: `engine flux cannot honour sync "manual" of environment "${spec.env}" (Flux applies every commit)`,
        source: spec.source,
        fix: `use engine "argocd" for this cluster, or set environments.${spec.env}.policy.sync to "automated"`,
      });
    }
    const target = resolved.targets.find((t) => t.id === id);
    if (target?.apps.some((app) => app.name === FLUX_BOOTSTRAP_NAME)) {
      issues.push({
        path: `clusters[${index}] ${id}`,
        message: `app "${FLUX_BOOTSTRAP_NAME}" would replace the Kustomization flux bootstrap creates`,
        source: spec.source,
        fix: `rename the app, or exclude it from ${id} in placement`,
      });
    }
  });
  return issues;
}
