/**
 * The k8s generator's contributors are written with cdk8s and cdk8s-plus-28; this turns one into an
 * AppFolderContributor (objects out), so cdk8s stays an implementation detail of this folder.
 *
 * The cdk8s contributors of one app instance share one cdk8s App (a chart each, plus a scratch chart),
 * found by the instance object composition hands to every contributor, as the single chart did before:
 * charts per App stay few (synthesis cost grows with their square). Measured on a loaded machine, CPU
 * time to render 120 app instances (median of 3): one chart 345 ms, shared App 369 ms, an App per
 * contributor 383 ms. Each chart is validated once and its objects serialized directly: cdk8s's own
 * `chart.toJson()` would validate the whole App again for each chart.
 */
import { ApiObject, App, Chart } from './cdk8s.ts';
import type { Construct } from 'constructs';
import type { AppFolderContributor, AppInstance, IngressAllowance, KubeObject } from '../app-folder.ts';
import { appContext, type AppContext } from './context.ts';

/** Id of the chart holding constructs that are never written (Rollouts' donor Deployments). */
const SCRATCH_CHART = '_pod-templates';

/**
 * Adds the contributor's constructs to `chart`; every ApiObject under it is written to the app folder.
 * `scratch()` is a scope that is never written, for constructs other constructs read from.
 */
export type ChartBuild = (chart: Construct, ctx: AppContext, scratch: () => Construct) => void;

/** A contributor written with cdk8s; `build` is exposed for the benchmark's one-App baseline. */
export interface Cdk8sContributor extends AppFolderContributor {
  readonly build: ChartBuild;
}

export interface Cdk8sContributorProps {
  /** Also the id of its chart, so unique among contributors (composition checks that too). */
  readonly name: string;
  readonly build: ChartBuild;
  /** See AppFolderContributor.ingress. @default none */
  readonly ingress?: (instance: Omit<AppInstance, 'ingress'>) => readonly IngressAllowance[];
  /** See AppFolderContributor.folder. @default the app folder */
  readonly folder?: (instance: Omit<AppInstance, 'ingress'>) => string | undefined;
}

export function cdk8sContributor(props: Cdk8sContributorProps): Cdk8sContributor {
  return {
    name: props.name,
    build: props.build,
    ...(props.ingress && { ingress: props.ingress }),
    ...(props.folder && { folder: props.folder }),
    objects: (instance) => renderChart(props.name, props.build, sessionOf(instance)),
  };
}

/** The cdk8s App shared by the cdk8s contributors of one app instance. */
interface Session {
  readonly cdkApp: App;
  readonly ctx: AppContext;
  scratch?: Chart;
}

/** Weak: a session lives as long as composition holds its instance. */
const sessions = new WeakMap<AppInstance, Session>();

function sessionOf(instance: AppInstance): Session {
  let session = sessions.get(instance);
  if (!session) {
    // Construct metadata would add construct paths as annotations when CDK8S_RECORD_CONSTRUCT_METADATA
    // is set: output must not depend on the environment of the machine that renders it.
    session = { cdkApp: new App({ recordConstructMetadata: false }), ctx: appContext(instance) };
    sessions.set(instance, session);
  }
  return session;
}

function renderChart(name: string, build: ChartBuild, session: Session): KubeObject[] {
  const chart = new Chart(session.cdkApp, name);
  let usedScratch = false;
  build(chart, session.ctx, () => {
    usedScratch = true;
    return (session.scratch ??= new Chart(session.cdkApp, SCRATCH_CHART));
  });
  validateOnce(chart);
  if (usedScratch && session.scratch) validateOnce(session.scratch);
  return chartObjects(chart);
}

/** The construct validations (cdk8s-plus checks, e.g. an HPA over fixed replicas); throws the first. */
function validateOnce(scope: Construct): void {
  for (const construct of scope.node.findAll()) {
    const [problem] = construct.node.validate();
    if (problem !== undefined) throw new Error(problem);
  }
}

/**
 * The chart's objects as plain data in a canonical key order: apiVersion, kind, metadata, then the rest
 * sorted at every level. cdk8s sorts only when CDK8S_DISABLE_SORT is unset, and not inside JSON
 * patches; this makes the bytes independent of both.
 */
function chartObjects(chart: Chart): KubeObject[] {
  return chart.node
    .findAll()
    .filter((construct): construct is ApiObject => ApiObject.isApiObject(construct))
    .map((object) => canonicalObject(object.toJson() as Record<string, unknown>));
}

function canonicalObject(object: Record<string, unknown>): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = object;
  return {
    apiVersion,
    kind,
    metadata: canonical(metadata),
    ...(canonical(rest) as Record<string, unknown>),
  } as KubeObject;
}

function canonical(value: unknown): unknown {
  return isCanonical(value) ? value : sortedCopy(value);
}

/**
 * Whether every object in `value` has its keys in code-unit order and no undefined field. cdk8s output
 * usually is, and checking is cheaper than copying the fleet's objects.
 */
function isCanonical(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isCanonical);
  if (value === null || typeof value !== 'object') return true;
  let previous: string | undefined;
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined || (previous !== undefined && previous > key) || !isCanonical(field))
      return false;
    previous = key;
  }
  return true;
}

/**
 * A copy of `value` with object keys sorted at every level and undefined fields dropped, like sortKeys
 * in src/core/canonical.ts. `sort()` without a comparator is code-unit order, as compareStrings.
 */
function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedCopy);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    const field = record[key];
    if (field !== undefined) sorted[key] = sortedCopy(field);
  }
  return sorted;
}
