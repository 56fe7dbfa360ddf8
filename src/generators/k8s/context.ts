/**
 * What the constructs of one app on one target are built from: the app instance every contributor sees
 * (src/generators/app-folder.ts), plus the names and labels derived from it. Every contributor of the
 * k8s generator reads this instead of re-deriving names, so the Service a NetworkPolicy points at and
 * the Service that exists cannot drift apart.
 */
import type { AppInstance } from '../app-folder.ts';
import { appLabels, selectorLabels, type Labels } from './labels.ts';

export type {
  AppInput,
  DependencyApp,
  K8sPolicy,
  K8sSettings,
  PeerApp,
  TargetCoordinates,
} from '../app-folder.ts';

/** `metadata` of a namespaced object. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
}

export interface AppContext extends AppInstance {
  /** Labels on every object of the app. */
  readonly labels: Labels;
  /** Labels that select the app's pods. */
  readonly selector: Labels;
}

export function appContext(instance: AppInstance): AppContext {
  const { target, app } = instance;
  return {
    ...instance,
    labels: appLabels(target, { name: app.name, version: app.values.image.tag }, instance.settings.partOf),
    selector: selectorLabels(target, app.name),
  };
}

/** Metadata for an object of the app, in the app's namespace. */
export function metaOf(ctx: AppContext, name: string): ObjectMeta {
  return { name, namespace: ctx.app.namespace, labels: ctx.labels };
}

/**
 * Metadata for an object Prometheus selects (ServiceMonitor, PodMonitor, PrometheusRule): the app's
 * labels and the matrix's `monitoring.labels` (validation keeps those off envmatrix's own keys).
 */
export function monitoringMetaOf(ctx: AppContext, name: string): ObjectMeta {
  const meta = metaOf(ctx, name);
  const extra = ctx.settings.monitoringLabels;
  return extra ? { ...meta, labels: { ...meta.labels, ...extra } } : meta;
}
