/**
 * Deterministic names the bot uses on the code host: branches, labels, commit trailers, the plan
 * marker. A rerun finds its own work by these names, never by remembering anything.
 */
import type { PlanMarker } from './types.ts';

export const BRANCH_PREFIX = 'envmatrix/promote/';
export const PROMOTION_LABEL = 'promotion';

/**
 * `envmatrix/promote/staging-to-prod` for a single-wave environment,
 * `envmatrix/promote/staging-to-prod-wave-1` when the target has waves. No branch is a prefix
 * directory of another, so they never collide as git refs.
 */
export function promotionBranch(from: string, to: string, wave: number, waveCount: number): string {
  return `${BRANCH_PREFIX}${from}-to-${to}${waveCount > 1 ? `-wave-${wave}` : ''}`;
}

export function envLabel(env: string): string {
  return `env:${env}`;
}

export const TRAILERS = {
  from: 'Promoted-From',
  apps: 'Promoted-Apps',
  wave: 'Promoted-Wave',
  plan: 'Envmatrix-Plan',
} as const;

const MARKER_PATTERN = /<!-- envmatrix:plan (\{[^\n]*?\}) -->/;

export function renderMarker(marker: PlanMarker): string {
  return `<!-- envmatrix:plan ${JSON.stringify(marker)} -->`;
}

/** The plan marker in a PR body, or undefined when there is none (not ours, or edited away). */
export function readMarker(body: string | null | undefined): PlanMarker | undefined {
  const match = MARKER_PATTERN.exec(body ?? '');
  if (!match?.[1]) return undefined;
  try {
    const parsed = JSON.parse(match[1]) as Partial<PlanMarker>;
    return parsed.version === 1 && typeof parsed.hash === 'string' ? (parsed as PlanMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** Trailers of a commit message (`Key: value` lines of the last paragraph). */
export function readTrailers(message: string): Record<string, string> {
  const paragraphs = message.trim().split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? '';
  const trailers: Record<string, string> = {};
  for (const line of last.split('\n')) {
    const match = /^([A-Za-z][A-Za-z0-9-]*): (.*)$/.exec(line.trim());
    if (match) trailers[match[1]!] = match[2]!;
  }
  return trailers;
}
