/**
 * Promotion gates, as pure functions of facts the adapters read: the matrix, pins history, commit
 * health and the clock. Each returns its evidence for the PR body and, when it blocks, when it may pass.
 */
import { Cron } from 'croner';
import { durationSeconds, formatSeconds } from '../matrix/duration.ts';
import type { FreezeWindow, Pin, ResolvedEnvironment } from '../matrix/types.ts';
import type { GateResult, HealthFacts, HealthState, PinArrival, PinSource } from './types.ts';

/** `2025-03-07 15:00 UTC`: minute precision, always UTC, so evidence reads the same on every machine. */
export function formatInstant(date: Date | string): string {
  const iso = (typeof date === 'string' ? new Date(date) : date).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `sha256:` and the first 12 hex digits, then `…`: enough to tell a digest from others in a PR. */
export function shortDigest(digest: string): string {
  return `${digest.slice(0, 19)}…`;
}

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}

export function describeSource(source: PinSource): string {
  return source.wave === undefined ? source.env : `${source.env} wave ${source.wave}`;
}

export function orderGate(source: PinSource, to: string, wave: number): GateResult {
  return {
    gate: 'order',
    status: 'pass',
    evidence:
      source.wave === undefined
        ? `${source.env} → ${to}`
        : `${to} wave ${source.wave} → wave ${wave}, in wave order`,
  };
}

/**
 * Where the target requires digests, the pin has one, and a `migrateDigest` too when the app migrates
 * with an image of its own there (`ownMigrationImage`: see ResolvedApp.migrateImageRef).
 */
export function digestGate(pin: Pin, target: ResolvedEnvironment, ownMigrationImage = false): GateResult {
  if (!target.policy.requireDigest) {
    return { gate: 'digest', status: 'pass', evidence: `not required in ${target.name}` };
  }
  if (!pin.digest)
    return {
      gate: 'digest',
      status: 'block',
      evidence: `${pin.tag} has no digest, and ${target.name} requires one; pin it with --digest sha256:… in the source first`,
    };
  if (ownMigrationImage && !pin.migrateDigest)
    return {
      gate: 'digest',
      status: 'block',
      evidence: `${pin.tag} has no digest for the app's migration image, and ${target.name} requires one; pin it with --migrate-digest sha256:… in the source first`,
    };
  const migration = ownMigrationImage ? `, its migration image by ${shortDigest(pin.migrateDigest!)}` : '';
  return {
    gate: 'digest',
    status: 'pass',
    evidence: `pinned by digest ${shortDigest(pin.digest)}${migration}`,
  };
}

export interface FreezeSpan {
  readonly window: FreezeWindow;
  readonly start: Date;
  readonly end: Date;
}

function cronOf(window: FreezeWindow): Cron {
  return new Cron(window.cron, { timezone: window.timeZone ?? 'UTC', paused: true });
}

/** The freeze `window` is in at `now`, merged with windows that start before it ends; or undefined. */
export function activeFreeze(window: FreezeWindow, now: Date): FreezeSpan | undefined {
  const seconds = durationSeconds(window.duration) ?? 0;
  if (seconds <= 0) return undefined;
  const length = seconds * 1000;
  const cron = cronOf(window);
  const start = cron.nextRun(new Date(now.getTime() - length));
  if (!start || start.getTime() > now.getTime()) return undefined;
  let end = new Date(start.getTime() + length);
  for (let next = cron.nextRun(start); next && next.getTime() <= end.getTime(); next = cron.nextRun(next)) {
    end = new Date(Math.max(end.getTime(), next.getTime() + length));
  }
  return { window, start, end };
}

function describeWindow(window: FreezeWindow): string {
  const what = window.reason ? `${window.reason} (` : '(';
  return `${what}\`${window.cron}\` ${window.timeZone ?? 'UTC'}, ${window.duration})`;
}

export function freezeGate(target: ResolvedEnvironment, now: Date): GateResult {
  const windows = target.policy.freeze;
  if (windows.length === 0)
    return { gate: 'freeze', status: 'pass', evidence: `no freeze windows in ${target.name}` };
  const active = windows
    .map((window) => activeFreeze(window, now))
    .filter((span): span is FreezeSpan => span !== undefined)
    .sort((a, b) => b.end.getTime() - a.end.getTime());
  const longest = active[0];
  if (longest) {
    return {
      gate: 'freeze',
      status: 'block',
      evidence: `${target.name} is frozen: ${describeWindow(longest.window)} from ${formatInstant(longest.start)} to ${formatInstant(longest.end)}`,
      passesAt: longest.end.toISOString(),
    };
  }
  const next = windows
    .map((window) => ({ window, start: cronOf(window).nextRun(now) }))
    .filter((n): n is { window: FreezeWindow; start: Date } => n.start !== null)
    .sort((a, b) => a.start.getTime() - b.start.getTime())[0];
  return {
    gate: 'freeze',
    status: 'pass',
    evidence: next
      ? `open; next freeze ${describeWindow(next.window)} starts ${formatInstant(next.start)}`
      : 'open',
  };
}

export function soakGate(
  source: PinSource,
  pin: Pin,
  arrival: PinArrival | undefined,
  soakSeconds: number,
  now: Date,
): GateResult {
  const where = describeSource(source);
  const required = formatSeconds(soakSeconds);
  if (!arrival) {
    return soakSeconds === 0
      ? {
          gate: 'soak',
          status: 'pass',
          evidence: `no soak required; ${pin.tag} is not on the base branch in ${where} yet`,
        }
      : {
          gate: 'soak',
          status: 'block',
          evidence: `${where} runs ${pin.tag} only in the working tree, not on the base branch; the ${required} soak starts when it lands`,
        };
  }
  const elapsed = Math.floor((now.getTime() - new Date(arrival.at).getTime()) / 1000);
  const since = `${where} has run ${pin.tag} since ${formatInstant(arrival.at)} (${shortSha(arrival.sha)})`;
  if (soakSeconds === 0) return { gate: 'soak', status: 'pass', evidence: `no soak required; ${since}` };
  if (elapsed >= soakSeconds) {
    return { gate: 'soak', status: 'pass', evidence: `${formatSeconds(elapsed)} ≥ ${required}: ${since}` };
  }
  return {
    gate: 'soak',
    status: 'block',
    evidence: `${formatSeconds(elapsed)} < ${required}: ${since}`,
    passesAt: new Date(new Date(arrival.at).getTime() + soakSeconds * 1000).toISOString(),
  };
}

/**
 * Required contexts on the commit that brought the pin to the source must be `success`. `health` is
 * undefined when the code host was not asked (offline dry run): the gate is then skipped, not passed.
 */
export function healthGate(
  source: PinSource,
  contexts: readonly string[],
  arrival: PinArrival | undefined,
  health: HealthFacts | undefined,
  /** Check-run conclusions the environment's policy counts as healthy besides success. */
  accepted: readonly HealthState[] = [],
): GateResult {
  const where = describeSource(source);
  if (contexts.length === 0) {
    return { gate: 'health', status: 'pass', evidence: `no health checks configured for ${source.env}` };
  }
  if (!arrival) {
    return {
      gate: 'health',
      status: 'block',
      evidence: `not on the base branch in ${where} yet; health is read on the commit that brings it`,
    };
  }
  if (!health) {
    return {
      gate: 'health',
      status: 'skip',
      evidence: `not checked (no code host access): needs ${contexts.join(', ')} on ${shortSha(arrival.sha)}`,
    };
  }
  const checks = health.get(arrival.sha) ?? [];
  const states = contexts.map(
    (context) => checks.find((check) => check.context === context) ?? { context, state: 'missing' as const },
  );
  const failing = states.filter((check) => check.state !== 'success' && !accepted.includes(check.state));
  const linked = states.flatMap((check) => ('url' in check && check.url ? [[check.context, check.url]] : []));
  const links = linked.length > 0 ? { links: Object.fromEntries(linked) as Record<string, string> } : {};
  if (failing.length === 0) {
    return {
      ...links,
      gate: 'health',
      status: 'pass',
      evidence: states.every((check) => check.state === 'success')
        ? `${contexts.join(', ')} success on ${shortSha(arrival.sha)}`
        : `${states.map((check) => `${check.context} ${check.state === 'success' ? 'success' : `${check.state} (healthy by policy)`}`).join(', ')} on ${shortSha(arrival.sha)}`,
    };
  }
  return {
    ...links,
    gate: 'health',
    status: 'block',
    evidence: failing
      .map((check) =>
        check.state === 'missing'
          ? `${check.context}: no status or check run on ${shortSha(arrival.sha)}`
          : `${check.context}: ${check.state} on ${shortSha(arrival.sha)}`,
      )
      .join('; '),
  };
}

/** When every blocked gate may pass: the latest of their times, or undefined if one cannot say. */
export function passesAt(gates: readonly GateResult[]): string | undefined {
  const blocked = gates.filter((gate) => gate.status === 'block');
  if (blocked.length === 0 || blocked.some((gate) => gate.passesAt === undefined)) return undefined;
  return blocked.map((gate) => gate.passesAt!).sort()[blocked.length - 1];
}

export function skipped(gate: GateResult['gate'], reason: string): GateResult {
  return { gate, status: 'skip', evidence: reason };
}
