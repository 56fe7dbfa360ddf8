/**
 * Canary and blue-green releases as Argo Rollouts `Rollout` objects (argoproj.io/v1alpha1). cdk8s-plus
 * has no Rollout class, so the pod template comes from a cdk8s-plus Deployment built the same way as for
 * rolling apps (one definition of a hardened pod) and moved into the Rollout; that donor Deployment sits
 * in a chart that is never written out.
 */
import { ApiObject } from './cdk8s.ts';
import type { ApiObjectProps } from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { BlueGreenStrategy, CanaryStrategy, Duration } from '../../matrix/types.ts';
import { metaOf, type AppContext } from './context.ts';
import { appObjectName, previewServiceName } from './names.ts';

export const ROLLOUT_API_VERSION = 'argoproj.io/v1alpha1';
export const ROLLOUT_KIND = 'Rollout';

/** One canary step: shift traffic, or wait. */
export type CanaryStep = { readonly setWeight: number } | { readonly pause: { readonly duration: string } };

export interface CanarySpec {
  readonly steps: readonly CanaryStep[];
}

export interface BlueGreenSpec {
  readonly activeService: string;
  readonly previewService: string;
  readonly autoPromotionEnabled: boolean;
  readonly previewReplicaCount: number;
}

/**
 * `setWeight` for each weight, with a pause after every step short of 100%: [5, 20, 100] with 5m gives
 * setWeight 5, pause 5m, setWeight 20, pause 5m, setWeight 100.
 */
export function canarySteps(strategy: CanaryStrategy): CanaryStep[] {
  const pause = { duration: goDuration(strategy.pause) };
  return strategy.steps.flatMap((weight): CanaryStep[] =>
    weight < 100 ? [{ setWeight: weight }, { pause }] : [{ setWeight: weight }],
  );
}

/** The blue-green strategy: `<app>` is the active Service, `<app>-preview` the preview. */
export function blueGreenSpec(ctx: AppContext, strategy: BlueGreenStrategy): BlueGreenSpec {
  return {
    activeService: appObjectName(ctx.app),
    previewService: previewServiceName(ctx.app),
    autoPromotionEnabled: strategy.autoPromote ?? false,
    previewReplicaCount: strategy.previewReplicas ?? 1,
  };
}

/**
 * Argo Rollouts reads pause durations with Go's `time.ParseDuration`, which has no `d`: `2d` becomes
 * `48h`; `s`, `m` and `h` pass through as written.
 */
export function goDuration(duration: Duration): string {
  const days = /^(\d+(?:\.\d+)?)d$/.exec(duration);
  return days ? `${Number(days[1]) * 24}h` : duration;
}

/**
 * A Rollout whose pod template is the donor Deployment's, already serialized by cdk8s: it is added after
 * cdk8s has resolved the rest of the Rollout, because resolving the largest object of an app twice
 * would cost more than everything else the Rollout holds.
 */
class RolloutObject extends ApiObject {
  constructor(
    scope: Construct,
    id: string,
    props: ApiObjectProps,
    private readonly template: kplus.Deployment,
  ) {
    super(scope, id, props);
  }

  override toJson(): unknown {
    const json = super.toJson() as { spec: Record<string, unknown> };
    return { ...json, spec: { ...json.spec, template: donorTemplate(this.template) } };
  }
}

/** The Rollout named after the app, with the pod template and selector of `template`. */
export function addRollout(
  scope: Construct,
  ctx: AppContext,
  template: kplus.Deployment,
  strategy: CanaryStrategy | BlueGreenStrategy,
): ApiObject {
  const scaling = ctx.app.values.scaling;
  return new RolloutObject(
    scope,
    'rollout',
    {
      apiVersion: ROLLOUT_API_VERSION,
      kind: ROLLOUT_KIND,
      metadata: metaOf(ctx, appObjectName(ctx.app)),
      spec: {
        // As for Deployments: an HPA owns the replica count of a scaling app.
        ...(scaling === undefined && { replicas: ctx.app.values.replicas }),
        selector: { matchLabels: { ...ctx.selector } },
        strategy:
          strategy.kind === 'canary'
            ? { canary: { steps: canarySteps(strategy) } }
            : { blueGreen: blueGreenSpec(ctx, strategy) },
      },
    },
    template,
  );
}

function donorTemplate(template: kplus.Deployment): unknown {
  const json = ApiObject.of(template).toJson() as { spec: { template: unknown } };
  return json.spec.template;
}
