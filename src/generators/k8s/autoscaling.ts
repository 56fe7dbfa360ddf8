/**
 * A HorizontalPodAutoscaler (autoscaling/v2, written with cdk8s-plus-28) for apps with `scaling`. The
 * workload then has no fixed `replicas`: a fixed count would fight the autoscaler on every sync (the
 * workload contributor leaves it out).
 */
import * as kplus from 'cdk8s-plus-28';
import { cdk8sContributor } from './chart.ts';
import { metaOf } from './context.ts';
import { appObjectName } from './names.ts';
import { workloadRef } from './workload.ts';

/** @default 70 — `scaling.cpuPercent` when the matrix leaves it out. */
export const DEFAULT_CPU_PERCENT = 70;

/**
 * The workload as cdk8s-plus's HPA sees it: a reference by kind and name, as the HPA's
 * `scaleTargetRef` is. The workload is another contributor's object; with a CPU metric always given,
 * cdk8s-plus needs no containers to check, and the workload has no replicas to fight the HPA.
 */
function scalingTarget(ref: ReturnType<typeof workloadRef>): kplus.IScalable {
  return {
    hasAutoscaler: true,
    markHasAutoscaler: () => undefined,
    toScalingTarget: () => ({ ...ref, containers: [] }),
  };
}

export const autoscalingContributor = cdk8sContributor({
  name: 'autoscaling',
  build: (chart, ctx) => {
    const scaling = ctx.app.values.scaling;
    if (!scaling) return;
    new kplus.HorizontalPodAutoscaler(chart, 'autoscaler', {
      metadata: metaOf(ctx, appObjectName(ctx.app)),
      target: scalingTarget(workloadRef(ctx.app)),
      minReplicas: scaling.min,
      maxReplicas: scaling.max,
      metrics: [
        kplus.Metric.resourceCpu(
          kplus.MetricTarget.averageUtilization(scaling.cpuPercent ?? DEFAULT_CPU_PERCENT),
        ),
      ],
    });
  },
});
