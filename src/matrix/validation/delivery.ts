/**
 * Rules for what the delivery engines (Argo CD, Flux) are asked to do: settings they cannot honour are
 * matrix problems, reported together with every other one, rather than output that silently does
 * something else.
 */
import { durationSeconds } from '../duration.ts';
import type { MatrixIssue } from '../errors.ts';
import { clusterName, targetId } from '../resolve.ts';
import type { ResolvedApp } from '../types.ts';
import type { ValidationInput } from './rule.ts';
import {
  baseKustomizationName,
  FLUX_BOOTSTRAP_NAME,
  migrationKustomizationName,
} from '../delivery-validation.ts';

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
    for (const [name, owners] of kustomizationNameClashes(target?.apps ?? [])) {
      issues.push({
        path: `clusters[${index}] ${id}`,
        message: `${owners.join(' and ')} would both be the Kustomization "${name}" in ${FLUX_BOOTSTRAP_NAME} (one would replace the other)`,
        source: spec.source,
        fix: `rename one of the apps, or exclude one of them from ${id} in placement`,
      });
    }
  });
  return issues;
}

/**
 * Kustomization names on one Flux cluster that two things would take: each app is `<app>`, and an app
 * with a migration adds `<app>-base` and `<app>-migrate`, so an app named `api-migrate` beside an `api`
 * that migrates would overwrite one of them.
 */
function kustomizationNameClashes(apps: readonly ResolvedApp[]): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  const claim = (name: string, owner: string) => owners.set(name, [...(owners.get(name) ?? []), owner]);
  for (const app of apps) {
    claim(app.name, `app "${app.name}"`);
    if (app.values.migrate === undefined) continue;
    claim(baseKustomizationName(app), `the migration base of app "${app.name}"`);
    claim(migrationKustomizationName(app), `the migration of app "${app.name}"`);
  }
  return new Map([...owners].filter(([, claimed]) => claimed.length > 1));
}
