/**
 * What the constructs of one app on one target are built from: the resolved app, its target and the
 * policy of the target's environment, plus the names and labels derived from them. Every module of the
 * k8s generator reads this instead of re-deriving names, so the Service a NetworkPolicy points at and
 * the Service that exists cannot drift apart.
 */
import type { ResolvedApp, ResolvedPolicy, ResolvedTarget } from '../../matrix/types.ts';
import { appLabels, selectorLabels, type Labels } from './labels.ts';

/** Settings of the k8s generator that are the same for every target. */
export interface K8sSettings {
  /** Namespace of the ingress controller, allowed to reach apps with `expose: true`. */
  readonly ingressNamespace: string;
  /** `app.kubernetes.io/part-of` of every app. */
  readonly partOf: string;
}

/** Everything one target renders from: the unit input of the k8s generator. */
export interface TargetInput {
  readonly target: ResolvedTarget;
  readonly policy: ResolvedPolicy;
  readonly settings: K8sSettings;
}

/** `metadata` of a namespaced object. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
}

export interface AppContext extends TargetInput {
  readonly app: ResolvedApp;
  /** Labels on every object of the app. */
  readonly labels: Labels;
  /** Labels that select the app's pods. */
  readonly selector: Labels;
}

export function appContext(input: TargetInput, app: ResolvedApp): AppContext {
  return {
    ...input,
    app,
    labels: appLabels(input.target, { name: app.name, version: app.values.image.tag }, input.settings.partOf),
    selector: selectorLabels(input.target, app.name),
  };
}

/** Metadata for an object of the app, in the app's namespace. */
export function metaOf(ctx: AppContext, name: string): ObjectMeta {
  return { name, namespace: ctx.app.namespace, labels: ctx.labels };
}

/** The apps of the target by name, for looking up the other end of a dependency. */
export function appsByName(target: ResolvedTarget): ReadonlyMap<string, ResolvedApp> {
  return new Map(target.apps.map((app) => [app.name, app]));
}
