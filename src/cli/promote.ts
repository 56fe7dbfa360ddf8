/**
 * `envmatrix promote`: open or update promotion PRs (or, with --dry-run, print what they would be).
 * The code host plugin (src/promote/scm/hosts.ts) reads its own variables — GitHub: GITHUB_TOKEN,
 * GITHUB_REPOSITORY, GITHUB_API_URL — with --repo and --api-url to override. The token is only ever
 * handed to the adapters; nothing printed contains it.
 */
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { describeOutcome, type PromotionOutcome } from '../promote/apply.ts';
import { formatInstant } from '../promote/gates.ts';
import { appPassesAt } from '../promote/plan.ts';
import {
  assertNothingBlocked,
  dryRunPromotion,
  runPromotion,
  type PromotionSelection,
} from '../promote/run.ts';
import type { CodeHostFlags } from '../promote/scm/code-host.ts';
import { GitRepository } from '../promote/scm/git.ts';
import { codeHostFromEnvironment } from '../promote/scm/hosts.ts';
import { composeScm } from '../promote/scm/scm.ts';
import { redact } from '../promote/scm/secrets.ts';
import type { GlobalOptions } from './context.ts';
import { withInterruptCleanup } from './interrupt.ts';
import { printWarnings } from './warnings.ts';

export interface PromoteFlags extends GlobalOptions, CodeHostFlags {
  readonly from?: string;
  readonly to?: string;
  readonly all?: boolean;
  readonly apps?: string;
  readonly wave?: string;
  readonly atomic?: boolean;
  readonly resume?: boolean;
  readonly dryRun?: boolean;
  readonly now?: string;
}

function parseSelection(flags: PromoteFlags): PromotionSelection {
  let wave: number | undefined;
  if (flags.wave !== undefined) {
    if (!/^\d+$/.test(flags.wave)) throw new UsageError(`--wave ${flags.wave} is not a wave number`);
    wave = Number(flags.wave);
  }
  const apps = flags.apps
    ?.split(',')
    .map((app) => app.trim())
    .filter(Boolean);
  return {
    ...(flags.from !== undefined && { from: flags.from }),
    ...(flags.to !== undefined && { to: flags.to }),
    ...(flags.all && { all: true }),
    ...(wave !== undefined && { wave }),
    ...(apps && apps.length > 0 && { apps }),
    ...(flags.atomic && { atomic: true }),
    ...(flags.resume && { resume: true }),
  };
}

function parseNow(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--now ${value} is not an ISO 8601 time`);
  return date;
}

const MARK = { pass: '✔', block: '✖', skip: '–' } as const;

/** The report for one PR: what moves, what is held back and why, and (dry run) the PR itself. */
export function formatOutcome(outcome: PromotionOutcome, full: boolean): string {
  const { plan } = outcome;
  const lines = [describeOutcome(outcome)];
  for (const p of [...plan.promotions, ...plan.blocked]) {
    const gates = p.gates.map((g) => `${g.gate} ${MARK[g.status]}`).join(' · ');
    lines.push(`  ${p.app} ${p.from?.tag ?? '(new)'} → ${p.to.tag}: ${gates}`);
    for (const gate of p.gates.filter((g) => g.status === 'block'))
      lines.push(`    ${gate.gate}: ${gate.evidence}`);
    const at = p.blocked ? appPassesAt(p) : undefined;
    if (at) lines.push(`    may pass at ${formatInstant(at)}`);
  }
  for (const risk of plan.risks) lines.push(`  risk: ${risk.kind} ${risk.scope}: ${risk.detail}`);
  for (const warning of outcome.warnings) lines.push(`  warning: ${warning}`);
  if (full && plan.promotions.length > 0) {
    const reviewers =
      [...plan.reviewers.users, ...plan.reviewers.teams.map((t) => `team ${t}`)].join(', ') || 'none';
    lines.push(
      `  branch ${plan.branch} → ${plan.base}; labels ${plan.labels.join(', ')}; reviewers ${reviewers}`,
      '',
      `---- title ----`,
      plan.title,
      `---- body ----`,
      plan.body.trimEnd(),
      `---- end ----`,
    );
  }
  return lines.join('\n');
}

export async function promoteCommand(flags: PromoteFlags): Promise<number> {
  const codeHost = codeHostFromEnvironment(flags);
  const root = resolve(flags.root);
  const selection = parseSelection(flags);
  const now = parseNow(flags.now);
  const secrets = codeHost.secrets;
  try {
    let outcomes: PromotionOutcome[];
    if (flags.dryRun) {
      const git = await GitRepository.open({ dir: root }).catch(() => undefined);
      const host = codeHost.online ? codeHost.connect() : undefined;
      const head = await git?.head().catch(() => undefined);
      outcomes = await dryRunPromotion({
        root,
        matrixFile: flags.matrix,
        onMatrixWarnings: printWarnings,
        ...selection,
        ...(now && { now }),
        ...(git && { git }),
        ...(host && { host }),
        ...(head && { commit: head }),
        base: codeHost.settings.base,
        ...(codeHost.runUrl && { runUrl: codeHost.runUrl }),
        codeHost: codeHost.profile,
      });
      if (!host) console.log(`${codeHost.offlineNote}\n`);
    } else {
      const token = codeHost.requireToken('promote');
      codeHost.requireRepository('promote');
      const git = await GitRepository.open({
        dir: root,
        credentials: codeHost.gitCredentials(token),
        credentialsHint: codeHost.credentialsHint,
      });
      const scm = composeScm(
        git,
        codeHost.connect({
          // Warnings (rate limits being waited out, deprecations); failed requests surface as errors.
          log: (level, message) => {
            if (level === 'warn') console.warn(`${codeHost.profile.id}: ${message}`);
          },
        }),
      );
      outcomes = await withInterruptCleanup(
        () => git.closeAllSync(),
        () =>
          runPromotion({
            root,
            matrixFile: flags.matrix,
            onMatrixWarnings: printWarnings,
            scm,
            base: codeHost.settings.base,
            ...selection,
            ...(now && { now }),
            codeHost: codeHost.profile,
            identity: codeHost.identity,
            ...(codeHost.runUrl && { runUrl: codeHost.runUrl }),
          }),
      );
    }
    for (const outcome of outcomes)
      console.log(redact(formatOutcome(outcome, flags.dryRun === true), secrets));
    if (selection.atomic) assertNothingBlocked(outcomes);
    return 0;
  } catch (error) {
    // A second line of defence: nothing that leaves this command carries the token.
    if (error instanceof Error) {
      error.message = redact(error.message, secrets);
      if (error.stack) error.stack = redact(error.stack, secrets);
    }
    throw error;
  }
}
