/**
 * Where an app may run: the one selector matcher (used by placement, overrides and validation), the
 * one reading of `placement.residency`, and the one answer to "why is this app not here", so
 * resolution, every rule, `ls` and `explain` agree on what a selector selects.
 */
import { regionInfo, type Jurisdiction } from './regions.ts';
import type {
  AppDefinition,
  ClusterSpec,
  MatrixDefinition,
  ResolvedMatrix,
  TargetSelector,
} from './types.ts';

/** The coordinates a selector is matched against (a resolved target or a cluster spec's). */
export interface TargetCoordinates {
  readonly env: string;
  readonly cloud: string;
  readonly region: string;
  readonly cluster: string;
  /** Where the cluster is, for `residency` and `jurisdiction` selectors. @default unknown: matches no jurisdiction selector */
  readonly jurisdiction?: Jurisdiction;
}

/** A cluster's jurisdiction: its public region's, or what an on-prem site declares. */
export function clusterJurisdiction(
  spec: Pick<ClusterSpec, 'cloud' | 'region' | 'jurisdiction'>,
): Jurisdiction {
  return regionInfo(spec.cloud, spec.region)?.jurisdiction ?? spec.jurisdiction ?? 'other';
}

export const JURISDICTIONS: readonly Jurisdiction[] = ['eu', 'us', 'apac', 'other'];

export function selectorMatches(selector: TargetSelector, target: TargetCoordinates): boolean {
  return (
    (selector.env === undefined || selector.env === target.env) &&
    (selector.cloud === undefined || selector.cloud === target.cloud) &&
    (selector.region === undefined || selector.region === target.region) &&
    (selector.cluster === undefined || selector.cluster === target.cluster) &&
    (selector.jurisdiction === undefined || selector.jurisdiction === target.jurisdiction)
  );
}

/**
 * Why `app` is not placed on `target` (`residency eu excludes us-east-1 (us)`), or undefined when it is.
 * Residency places: a cluster outside the app's jurisdictions is left out, like an `exclude`.
 */
export function absenceReason(app: AppDefinition, target: TargetCoordinates): string | undefined {
  const include = app.placement?.include;
  if (include && include.length > 0 && !include.some((s) => selectorMatches(s, target)))
    return 'matches no placement.include selector';
  const excludedBy = (app.placement?.exclude ?? []).findIndex((s) => selectorMatches(s, target));
  if (excludedBy >= 0) return `excluded by placement.exclude[${excludedBy}]`;
  const allowed = residencyOf(app);
  if (allowed && !(target.jurisdiction && allowed.includes(target.jurisdiction)))
    return `residency ${allowed.join('|')} excludes ${target.region} (${target.jurisdiction ?? 'unknown'})`;
  return undefined;
}

export function isPlaced(app: AppDefinition, target: TargetCoordinates): boolean {
  return absenceReason(app, target) === undefined;
}

/**
 * The jurisdictions an app may run in, or undefined when it names none. `residency` is written as one
 * jurisdiction or a list of them; everything that reads it goes through here.
 */
export function residencyOf(app: Pick<AppDefinition, 'placement'>): readonly Jurisdiction[] | undefined {
  const residency = app.placement?.residency;
  if (residency === undefined) return undefined;
  return typeof residency === 'string' ? [residency] : residency;
}

/** An app the matrix defines that is not on a target, and why (for `ls` and `explain`). */
export interface Absence {
  readonly target: string;
  readonly app: string;
  readonly reason: string;
}

/** Every (target, app) pair the placement rules leave out, in target order, then app name. */
export function absences(matrix: MatrixDefinition, resolved: ResolvedMatrix): Absence[] {
  const apps = [...matrix.apps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return resolved.targets.flatMap((target) =>
    apps.flatMap((app) => {
      const reason = absenceReason(app, target);
      return reason ? [{ target: target.id, app: app.name, reason }] : [];
    }),
  );
}
