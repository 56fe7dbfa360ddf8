/**
 * A reviewer stops a rollout by closing a wave's PR without merging it (issue 12). The bot reads that
 * from the PR list it asks for anyway (one call per wave branch, `state: all`), so a stop costs no call:
 *
 * - each PR body's plan marker lists what it proposed: app → `<tag>@<arrival commit>`, the pin and the
 *   commit that brought it to the source;
 * - the closed, unmerged PRs newer than the branch's newest open or merged PR are the stops;
 * - an app whose pin would be proposed again with the same key is held by the `stopped` gate. A new pin
 *   in the source (even of the same tag) arrives in a new commit, so it has a new key and is proposed;
 *   `--resume` ignores the stops for one run (the PR it opens becomes the newest, so the stops end).
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
 * The stops among a branch's PRs (newest first, as the code host lists them): closed without merging,
 * with a marker that says what they proposed, and newer than any open or merged PR of the branch.
 */
export function declinedProposals(prs: readonly PullRequest[]): DeclinedProposal[] {
  const declined: DeclinedProposal[] = [];
  for (const pr of prs) {
    if (pr.state === 'open' || pr.merged) break;
    const proposed = readMarker(pr.body)?.proposed;
    if (proposed) declined.push({ number: pr.number, url: pr.url, proposed });
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
