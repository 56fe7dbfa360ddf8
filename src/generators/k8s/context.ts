/**
 * What the constructs of one app on one target are built from: the unit input of the k8s generator
 * (AppInput), plus the names and labels derived from it. Every module of the k8s generator reads this
 * instead of re-deriving names, so the Service a NetworkPolicy points at and the Service that exists
 * cannot drift apart.
 *
 * The input holds only what the app's files depend on, and the types hold the renderer to it: the render
 * cache reuses an app's files while this input is unchanged, so a field read here but left out of the
 * input would serve stale files.
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

/** Where the app runs: the target's id (its folder) and the coordinates its labels carry. */
export type TargetCoordinates = Pick<ResolvedTarget, 'id' | 'env' | 'cloud' | 'region' | 'cluster'>;

/** The fields of the environment's policy that manifests depend on (spread constraints, PDBs). */
export type K8sPolicy = Pick<ResolvedPolicy, 'minZones' | 'podDisruptionBudget'>;

/** Another app of the target, as a NetworkPolicy peer: its pods are selected by name and namespace. */
export interface PeerApp {
  readonly name: string;
  readonly namespace: string;
}

/** An app this one depends on: a peer, and the ports it may be reached on. */
export interface DependencyApp extends PeerApp {
  /** Container port numbers, in the order the app declares them. */
  readonly ports: readonly number[];
}

/** Everything one app on one target renders from: the unit input of the k8s generator. */
export interface AppInput {
  readonly target: TargetCoordinates;
  readonly app: ResolvedApp;
  readonly policy: K8sPolicy;
  readonly settings: K8sSettings;
  /** The app is the first (by name) of its namespace on the target, and renders the Namespace. */
  readonly ownsNamespace: boolean;
  /** Apps of the target this app depends on, sorted by name: its NetworkPolicy may reach them. */
  readonly dependencies: readonly DependencyApp[];
  /** Apps of the target that depend on this app, sorted by name: its NetworkPolicy admits them. */
  readonly dependents: readonly PeerApp[];
}

/** `metadata` of a namespaced object. */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Labels;
}

export interface AppContext extends AppInput {
  /** Labels on every object of the app. */
  readonly labels: Labels;
  /** Labels that select the app's pods. */
  readonly selector: Labels;
}

export function appContext(input: AppInput): AppContext {
  const { target, app } = input;
  return {
    ...input,
    labels: appLabels(target, { name: app.name, version: app.values.image.tag }, input.settings.partOf),
    selector: selectorLabels(target, app.name),
  };
}

/** Metadata for an object of the app, in the app's namespace. */
export function metaOf(ctx: AppContext, name: string): ObjectMeta {
  return { name, namespace: ctx.app.namespace, labels: ctx.labels };
}
