/**
 * A HorizontalPodAutoscaler (autoscaling/v2, written with cdk8s-plus-28) for apps with `scaling`. The
 * workload then has no fixed `replicas`: a fixed count would fight the autoscaler on every sync.
 */
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import { metaOf, type AppContext } from './context.ts';
import { appObjectName } from './names.ts';

/** @default 70 — `scaling.cpuPercent` when the matrix leaves it out. */
export const DEFAULT_CPU_PERCENT = 70;

/**
 * A scaling target that is an Argo Rollout, for cdk8s-plus's HPA (which knows only its own workloads).
 * The containers are the donor Deployment's, so the HPA's checks still see the real pod template.
 */
export function rolloutScalingTarget(name: string, template: kplus.Deployment): kplus.IScalable {
  return {
    hasAutoscaler: true,
    markHasAutoscaler: () => template.markHasAutoscaler(),
    toScalingTarget: () => ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name,
      containers: template.containers,
    }),
  };
}

/** The HPA for the app, or undefined when it does not scale. */
export function addAutoscaler(
  scope: Construct,
  ctx: AppContext,
  target: kplus.IScalable,
): kplus.HorizontalPodAutoscaler | undefined {
  const scaling = ctx.app.values.scaling;
  if (!scaling) return undefined;
  return new kplus.HorizontalPodAutoscaler(scope, 'autoscaler', {
    metadata: metaOf(ctx, appObjectName(ctx.app)),
    target,
    minReplicas: scaling.min,
    maxReplicas: scaling.max,
    metrics: [
      kplus.Metric.resourceCpu(
        kplus.MetricTarget.averageUtilization(scaling.cpuPercent ?? DEFAULT_CPU_PERCENT),
      ),
    ],
  });
}
