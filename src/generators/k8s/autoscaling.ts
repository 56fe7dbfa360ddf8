/**
 * A HorizontalPodAutoscaler (autoscaling/v2, written with cdk8s-plus-28) for apps with `scaling`. The
 * workload then has no fixed `replicas`: a fixed count would fight the autoscaler on every sync (the
 * workload contributor leaves it out).
 */
import { ApiObject, kplus } from './cdk8s.ts';
import type { Construct } from 'constructs';
import type { Scaling } from '../../matrix/types.ts';
import { cdk8sContributor } from './chart.ts';
import { metaOf, type AppContext } from './context.ts';
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
    // Scheduled windows: KEDA scales instead, and owns the HPA it creates; two HPAs would fight.
    if ((scaling.schedules ?? []).length > 0) {
      addScaledObject(chart, ctx, scaling);
      return;
    }
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

/**
 * A KEDA ScaledObject (keda.sh/v1alpha1, ../shared/crds/keda.sh_scaledobjects.yaml) for an app with
 * `scaling.schedules`: a cron trigger per window keeps at least the window's `min` from its start to its
 * end (https://keda.sh/docs/latest/scalers/cron/), and a CPU trigger scales on utilization as the HPA
 * would (https://keda.sh/docs/latest/scalers/cpu/). KEDA takes the highest replica count any trigger
 * asks for, between minReplicaCount and maxReplicaCount.
 */
function addScaledObject(scope: Construct, ctx: AppContext, scaling: Scaling): ApiObject {
  const windows = scaling.schedules ?? [];
  return new ApiObject(scope, 'scaled-object', {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: metaOf(ctx, appObjectName(ctx.app)),
    spec: {
      scaleTargetRef: workloadRef(ctx.app),
      minReplicaCount: scaling.min,
      maxReplicaCount: scaling.max,
      triggers: [
        ...windows.map((window) => ({
          type: 'cron',
          metadata: {
            timezone: window.timeZone ?? 'UTC',
            start: window.start,
            end: window.end,
            desiredReplicas: String(window.min),
          },
        })),
        {
          type: 'cpu',
          metricType: 'Utilization',
          metadata: { value: String(scaling.cpuPercent ?? DEFAULT_CPU_PERCENT) },
        },
      ],
    },
  });
}
