/**
 * Promotion history from git: every change of a pin in each environment's pins file on the base branch
 * (when, app, from → to, the wave, the commit and the pull request when the commit subject names one),
 * and the lead time of each release from its first environment to its last. Pure over the revisions
 * the git adapter reads (src/promote/scm GitOperations.history) and the commits' subjects.
 */
import { compareStrings } from '../core/compare.ts';
import type { Pin, ResolvedMatrix } from '../matrix/types.ts';
import { parseRevisions } from '../promote/history.ts';
import { samePin } from '../promote/waves.ts';
import type { PinsRevision } from '../promote/types.ts';

export interface PromotionEvent {
  readonly env: string;
  readonly app: string;
  /** Set when the change was to one wave of a rollout in progress. */
  readonly wave?: number;
  /** Undefined when the app was new to the environment. */
  readonly from?: string;
  /** Undefined when the pin was removed. */
  readonly to?: string;
  /** Committer time, ISO 8601. */
  readonly at: string;
  readonly sha: string;
  /** The pull request that brought the commit, from its subject (`… (#12)`, `Merge pull request #12 …`). */
  readonly pr?: number;
}

export interface LeadTime {
  readonly app: string;
  readonly tag: string;
  /** When the release was first pinned in the first environment of the promotion order. */
  readonly firstAt: string;
  /** When every wave of the last environment ran it; undefined while it is on its way. */
  readonly lastAt?: string;
  readonly seconds?: number;
}

export interface ReleaseHistory {
  /** Per environment, newest first. */
  readonly events: Readonly<Record<string, readonly PromotionEvent[]>>;
  readonly leadTimes: readonly LeadTime[];
}

/** The pull request number a commit subject names: GitHub's merge and squash subjects. */
export function pullRequestOf(subject: string | undefined): number | undefined {
  if (subject === undefined) return undefined;
  const match = /^Merge pull request #(\d+)\b/.exec(subject) ?? /\(#(\d+)\)\s*$/.exec(subject);
  return match ? Number(match[1]) : undefined;
}

type PinMap = Readonly<Record<string, Pin>>;

function changes(before: PinMap, after: PinMap): { app: string; from?: string; to?: string }[] {
  const apps = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareStrings);
  return apps.flatMap((app) => {
    const from = before[app];
    const to = after[app];
    if (samePin(from, to)) return [];
    return [{ app, ...(from && { from: from.tag }), ...(to && { to: to.tag }) }];
  });
}

function environmentEvents(
  env: string,
  file: string,
  revisions: readonly PinsRevision[],
  subjects: ReadonlyMap<string, string>,
): PromotionEvent[] {
  const parsed = parseRevisions(file, revisions);
  const byRevision: PromotionEvent[][] = [];
  // Oldest first, so each revision is compared with the one before it.
  const oldestFirst = [...parsed].reverse();
  oldestFirst.forEach((revision, i) => {
    const previous = i === 0 ? undefined : oldestFirst[i - 1]!.pins;
    const current = revision.pins;
    if (!current) return;
    const events: PromotionEvent[] = [];
    byRevision.push(events);
    const pr = pullRequestOf(subjects.get(revision.sha));
    const base = { env, at: revision.at, sha: revision.sha, ...(pr !== undefined && { pr }) };
    for (const change of changes(previous?.apps ?? {}, current.apps)) events.push({ ...base, ...change });
    const waves = [
      ...new Set([...Object.keys(previous?.waves ?? {}), ...Object.keys(current.waves ?? {})]),
    ].sort((a, b) => Number(a) - Number(b));
    for (const wave of waves) {
      const before = previous?.waves?.[wave] ?? {};
      for (const change of changes(before, current.waves?.[wave] ?? {})) {
        // A wave pin that goes away was folded back into `apps` (an event above) or rolled back.
        if (change.to === undefined) continue;
        const from = change.from ?? previous?.apps[change.app]?.tag;
        events.push({ ...base, app: change.app, wave: Number(wave), ...(from && { from }), to: change.to });
      }
    }
  });
  // Newest revision first; within one, apps in name order.
  return byRevision.reverse().flat();
}

/** Per environment, newest first; and the lead time of each release seen in the first environment. */
export function releaseHistory(
  matrix: ResolvedMatrix,
  revisions: Readonly<Record<string, readonly PinsRevision[]>>,
  subjects: ReadonlyMap<string, string>,
): ReleaseHistory {
  const events: Record<string, PromotionEvent[]> = {};
  for (const env of matrix.environments)
    events[env.name] = environmentEvents(env.name, env.pinsFile, revisions[env.name] ?? [], subjects);
  const first = matrix.environments[0];
  const last = matrix.environments[matrix.environments.length - 1];
  const leadTimes: LeadTime[] = [];
  if (first && last && first !== last) {
    const seen = new Set<string>();
    // Oldest first, so a release's first appearance is where it entered.
    for (const event of [...(events[first.name] ?? [])].reverse()) {
      if (event.to === undefined || event.wave !== undefined) continue;
      const key = `${event.app}\u0000${event.to}`;
      if (seen.has(key)) continue;
      seen.add(key);
      // Released in the last environment: its `apps` pin (every wave) became the tag.
      const landed = [...(events[last.name] ?? [])]
        .reverse()
        .find((e) => e.app === event.app && e.to === event.to && e.wave === undefined && e.at >= event.at);
      leadTimes.push({
        app: event.app,
        tag: event.to,
        firstAt: event.at,
        ...(landed && {
          lastAt: landed.at,
          seconds: Math.round((Date.parse(landed.at) - Date.parse(event.at)) / 1000),
        }),
      });
    }
  }
  leadTimes.sort((a, b) => compareStrings(b.firstAt, a.firstAt) || compareStrings(a.app, b.app));
  return { events, leadTimes };
}
