/**
 * Where an app may run: the one selector matcher (used by placement, overrides and validation) and the
 * one reading of `placement.residency`, so resolution and every rule agree on what a selector selects.
 */
import type { Jurisdiction } from './regions.ts';
import type { AppDefinition, TargetSelector } from './types.ts';

/** The coordinates a selector is matched against (a resolved target or a cluster spec's). */
export interface TargetCoordinates {
  readonly env: string;
  readonly cloud: string;
  readonly region: string;
  readonly cluster: string;
}

export const JURISDICTIONS: readonly Jurisdiction[] = ['eu', 'us', 'apac', 'other'];

export function selectorMatches(selector: TargetSelector, target: TargetCoordinates): boolean {
  return (
    (selector.env === undefined || selector.env === target.env) &&
    (selector.cloud === undefined || selector.cloud === target.cloud) &&
    (selector.region === undefined || selector.region === target.region) &&
    (selector.cluster === undefined || selector.cluster === target.cluster)
  );
}

export function isPlaced(app: AppDefinition, target: TargetCoordinates): boolean {
  const include = app.placement?.include;
  const included = !include || include.length === 0 || include.some((s) => selectorMatches(s, target));
  return included && !(app.placement?.exclude ?? []).some((s) => selectorMatches(s, target));
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
