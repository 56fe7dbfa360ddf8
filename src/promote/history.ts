/**
 * When did a pin arrive? From the first-parent history of a pins file on the base branch (newest
 * first), the oldest commit of the latest unbroken run in which the pin was what it is now. That
 * commit's time is when the release landed in the environment (soak), and its SHA is where the
 * environment's health is read.
 */
import { parsePins } from '../matrix/pins.ts';
import type { Pin } from '../matrix/types.ts';
import type { PinArrival, PinsRevision } from './types.ts';
import { samePin, type EnvPins } from './waves.ts';

/** Parsed revisions, newest first; an unreadable revision reads as "no pins" (it breaks a run). */
export function parseRevisions(file: string, revisions: readonly PinsRevision[]): ParsedRevision[] {
  return revisions.map((revision) => {
    if (revision.text === undefined) return { ...revision, pins: undefined };
    const parsed = parsePins(file, revision.text);
    return {
      ...revision,
      pins:
        parsed.issues.length > 0
          ? undefined
          : { file, apps: parsed.apps, ...(parsed.waves && { waves: parsed.waves }) },
    };
  });
}

export interface ParsedRevision extends PinsRevision {
  readonly pins: EnvPins | undefined;
}

/**
 * The arrival of `current` as read by `pinOf`, or undefined when the newest revision does not hold it
 * (the pin is not on the base branch yet, e.g. an uncommitted edit in a dry run).
 */
export function pinArrival(
  revisions: readonly ParsedRevision[],
  pinOf: (pins: EnvPins | undefined) => Pin | undefined,
  current: Pin,
): PinArrival | undefined {
  let arrival: PinArrival | undefined;
  for (const revision of revisions) {
    if (!samePin(pinOf(revision.pins), current)) break;
    arrival = { sha: revision.sha, at: revision.at };
  }
  return arrival;
}
