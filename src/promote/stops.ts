/**
 * A reviewer stops a rollout by closing a wave's PR without merging it (issue 12). The bot reads that
 * from the PR list it asks for anyway (one call per wave branch, `state: all`), so a stop costs no call:
 *
 * - each PR body's plan marker lists what it proposed: app → `<tag>@<arrival commit>`, the pin and the
 *   commit that brought it to the source;
 * - a closed, unmerged PR stops what it proposed, app by app, until a newer open or merged PR proposes
 *   that app again;
 * - an app whose pin would be proposed again with the same key is held by the `stopped` gate. A new pin
 *   in the source (even of the same tag) arrives in a new commit, so it has a new key and is proposed;
 *   `--resume` ignores the stops for one run (the PR it opens proposes those apps, so their stops end).
 *
 * Later waves need nothing more: wave N+1 takes what wave N runs on the base branch, and a stopped
 * wave never gets the pin.
 */
import { describeSource, formatInstant, shortSha } from './gates.ts';
import { readMarker } from './naming.ts';
import type { PullRequest } from './scm/scm.ts';
import type { AppPromotion, DeclinedProposal, GateResult, PinArrival, PinSource } from './types.ts';
import type { Pin } from '../matrix/types.ts';

/** `1.5.0@1a2b3c4d5e6f`: the pin's tag and the commit that brought it to the source (`-`: not landed). */
export function proposalKey(pin: Pin, arrival: PinArrival | undefined): string {
  return `${pin.tag}@${arrival ? arrival.sha.slice(0, 12) : '-'}`;
}

/** What each promotion in a PR proposes, for its plan marker. */
export function proposals(promotions: readonly AppPromotion[]): Record<string, string> {
  return Object.fromEntries(promotions.map((p) => [p.app, proposalKey(p.to, p.arrival)]));
}

/**
 * The stops among a branch's PRs (newest first, as the code host lists them): what each PR closed
 * without merging proposed, for every app no newer open or merged PR proposed. A later PR for other
 * apps (the bot's own, for a pin that landed since) does not end a stop; one that proposed the app
 * again (`--resume`, or a reviewer's merge) does; an on-hold PR (its marker proposes nothing) ends
 * none. An open or merged PR without a marker ends them all, as nothing says which apps it moved.
 */
export function declinedProposals(prs: readonly PullRequest[]): DeclinedProposal[] {
  const declined: DeclinedProposal[] = [];
  const moved = new Set<string>();
  for (const pr of prs) {
    const marker = readMarker(pr.body);
    const proposed = marker?.proposed;
    if (pr.state === 'open' || pr.merged) {
      // No marker: not the bot's body (edited away), so nothing says which apps it moved. A marker
      // without `proposed` is an on-hold PR's: it proposes nothing, and must not end the stops that
      // hold it (its rerun would otherwise propose the declined versions).
      if (!marker) break;
      for (const app of Object.keys(proposed ?? {})) moved.add(app);
      continue;
    }
    if (!proposed) continue;
    const stopped = Object.entries(proposed).filter(([app]) => !moved.has(app));
    if (stopped.length > 0)
      declined.push({ number: pr.number, url: pr.url, proposed: Object.fromEntries(stopped) });
  }
  return declined;
}

/**
 * The `stopped` gate: blocks when a declined PR proposed this very pin for this wave; undefined
 * otherwise (it is listed only when it holds, so reports of unstopped apps read as before).
 */
export function stoppedGate(
  app: string,
  pin: Pin,
  arrival: PinArrival | undefined,
  source: PinSource,
  declined: readonly DeclinedProposal[],
): GateResult | undefined {
  const key = proposalKey(pin, arrival);
  const stop = declined.find((d) => d.proposed[app] === key);
  const where = describeSource(source);
  if (!stop) return undefined;
  const landed = arrival ? ` (${where} since ${formatInstant(arrival.at)}, ${shortSha(arrival.sha)})` : '';
  return {
    gate: 'stopped',
    status: 'block',
    evidence: `#${stop.number} proposed ${pin.tag}${landed} and was closed without merging; held here and in later waves until a new pin moves ${where}, or run again with --resume`,
    links: { [`#${stop.number}`]: stop.url },
  };
}
