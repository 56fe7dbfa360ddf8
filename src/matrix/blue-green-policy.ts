/**
 * Blue-green promotion is an environment policy: whether a blue-green Rollout switches traffic to the
 * new version on its own (`autoPromotionEnabled`) or waits for `kubectl argo rollouts promote`.
 *
 * By default it is automatic in every environment that promotes to another (dev, staging) and manual in
 * the last one (prod): a Rollout waiting for a person is paused, which Argo CD reports as Suspended and
 * Flux as a failed health check, so a manual default in early environments would hold their RollingSync
 * steps and dependants on every release (README § Blue-green promotion). An environment sets it with
 * `policy.blueGreenAutoPromote`; an app or an override that sets `strategy: blueGreen({ autoPromote })`
 * still wins, as any layer above the environment does.
 */
import type { ProvenanceLog } from './merge.ts';
import type { BlueGreenStrategy, EnvironmentSpec } from './types.ts';

/** The value path `explain` answers for. */
export const AUTO_PROMOTE_PATH = 'strategy.autoPromote';

export interface BlueGreenPolicy {
  readonly autoPromote: boolean;
  /** Where it comes from, for `explain`. */
  readonly source: string;
}

/** The environment's blue-green promotion: its own setting, else automatic unless it is the last one. */
export function blueGreenPolicy(
  name: string,
  spec: EnvironmentSpec | undefined,
  matrixSource: string,
): BlueGreenPolicy {
  const set = spec?.policy?.blueGreenAutoPromote;
  if (set !== undefined)
    return { autoPromote: set, source: `${matrixSource} (environments.${name}.policy.blueGreenAutoPromote)` };
  return spec?.promotesTo !== undefined
    ? { autoPromote: true, source: `envmatrix default: ${name} promotes to ${spec.promotesTo}, so automatic` }
    : { autoPromote: false, source: `envmatrix default: ${name} is the last environment, so manual` };
}

/**
 * `values` with a blue-green strategy's `autoPromote` taken from the environment where no layer set it,
 * logged at the environment layer.
 */
export function withBlueGreenPolicy(
  values: Record<string, unknown>,
  policy: BlueGreenPolicy,
  log: ProvenanceLog,
): Record<string, unknown> {
  const strategy = values.strategy as Partial<BlueGreenStrategy> | undefined;
  if (strategy?.kind !== 'blueGreen' || strategy.autoPromote !== undefined) return values;
  log.set(AUTO_PROMOTE_PATH, [{ layer: 'environment', value: policy.autoPromote, source: policy.source }]);
  return { ...values, strategy: { ...strategy, autoPromote: policy.autoPromote } };
}
