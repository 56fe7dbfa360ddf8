/**
 * Validation: every rule family runs, every problem is collected with its matrix path, source and fix,
 * and the caller throws once. One module per concern in ./validation/; this file only orders them.
 * Structural rules read what was written; target rules read resolved values, because overrides and
 * pins decide what each cluster really gets.
 */
import type { MatrixIssue } from './errors.ts';
import { validateInfrastructure } from './infrastructure-validation.ts';
import type { MatrixDefinition, PinsByEnvironment, ResolvedMatrix } from './types.ts';
import { validateApps, validateDependencyCycles } from './validation/apps.ts';
import { validateClusterServices } from './validation/cluster-services.ts';
import { validateClusters } from './validation/clusters.ts';
import { validateDelivery } from './validation/delivery.ts';
import { validateEnvironments } from './validation/environments.ts';
import { validateOverrides } from './validation/overrides.ts';
import { validatePlacedApps, validatePlacementDefinitions } from './validation/placement.ts';
import { validatePinsFiles, validateTargetPins } from './validation/pins.ts';
import { validatePromotionOrder } from './validation/promotion-order.ts';
import type { RuleFamily } from './validation/rule.ts';
import { validateShapes } from './validation/shapes.ts';
import { validateWorkloadDefinitions } from './validation/workload-definitions.ts';
import { validateEgress } from './validation/workload-egress.ts';
import { validateExpose } from './validation/workload-expose.ts';
import { validateJobs } from './validation/workload-jobs.ts';
import { validateMetrics } from './validation/workload-metrics.ts';
import { validateSlo } from './validation/workload-slo.ts';
import { validateWorkloadValues } from './validation/workload-values.ts';

/**
 * The families in reporting order: which keys were written (shapes), what was written (environments, their order, clusters, apps and
 * their placement, overrides, monitoring and ingress, pins files), then what each target gets (placement, pins, values), then
 * the definitions Kubernetes, the clouds and the delivery engines are given.
 */
const RULE_FAMILIES: readonly RuleFamily[] = [
  validateShapes,
  validateEnvironments,
  validatePromotionOrder,
  validateClusters,
  validateApps,
  validatePlacementDefinitions,
  validateDependencyCycles,
  validateOverrides,
  validateClusterServices,
  validatePinsFiles,
  validatePlacedApps,
  validateTargetPins,
  validateWorkloadValues,
  validateEgress,
  validateMetrics,
  validateSlo,
  validateExpose,
  validateJobs,
  validateWorkloadDefinitions,
  ({ matrix, resolved, now }) => validateInfrastructure(matrix, resolved, undefined, { now }),
  validateDelivery,
];

/** Every problem in the matrix, or an empty list. */
export function validateMatrix(
  matrix: MatrixDefinition,
  pins: PinsByEnvironment,
  resolved: ResolvedMatrix,
  options: { readonly now?: Date } = {},
): MatrixIssue[] {
  const input = { matrix, pins, resolved, now: options.now ?? new Date() };
  return RULE_FAMILIES.flatMap((family) => family(input));
}
