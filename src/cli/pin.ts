/**
 * `envmatrix pin --env dev --app api --tag 1.6.0 [--digest sha256:…] [--migrate-digest sha256:…]`: where
 * releases enter. Without --push it edits the checkout (pins file + generated/); with --push it commits
 * to the base branch or opens a PR, as the environment's config says (reviewers → PR), from a fresh
 * worktree of the remote.
 */
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { pinInWorkingTree, pushPin, type PinMode, type PinOutcome, type PinRequest } from '../promote/pin.ts';
import type { CodeHostFlags } from '../promote/scm/code-host.ts';
import { GitRepository } from '../promote/scm/git.ts';
import { codeHostFromEnvironment } from '../promote/scm/hosts.ts';
import { composeScm } from '../promote/scm/scm.ts';
import { redact } from '../promote/scm/secrets.ts';
import type { GlobalOptions } from './context.ts';
import { withInterruptCleanup } from './interrupt.ts';

export interface PinFlags extends GlobalOptions, CodeHostFlags {
  readonly env: string;
  readonly app: string;
  readonly tag: string;
  readonly digest?: string;
  readonly migrateDigest?: string;
  readonly wave?: string;
  readonly push?: boolean;
  readonly mode?: string;
  readonly allWaves?: boolean;
  readonly overrideFreeze?: string;
  readonly now?: string;
}

function describe(outcome: PinOutcome): string {
  const { plan } = outcome;
  const what = `${plan.request.app} ${plan.request.tag} in ${plan.request.env}${plan.request.wave !== undefined ? ` wave ${plan.request.wave}` : ''}`;
  const was = plan.from ? ` (was ${plan.from.tag})` : '';
  switch (outcome.action) {
    case 'unchanged':
      return outcome.pullRequest
        ? `${what}: #${outcome.pullRequest.number} already proposes it; nothing to do.`
        : `${what}: already pinned; nothing to do.`;
    case 'written':
      return `${what}${was}: wrote ${plan.pinsFile.path} and synthed generated/ for ${plan.request.env}; commit both.`;
    case 'committed':
      return `${what}${was}: committed ${outcome.sha?.slice(0, 7)} to the base branch.`;
    case 'opened':
      return `${what}${was}: opened #${outcome.pullRequest?.number} ${outcome.pullRequest?.url}`;
    case 'updated':
      return `${what}${was}: updated #${outcome.pullRequest?.number} ${outcome.pullRequest?.url}`;
  }
}

export async function pinCommand(flags: PinFlags): Promise<number> {
  let wave: number | undefined;
  if (flags.wave !== undefined) {
    if (!/^\d+$/.test(flags.wave)) throw new UsageError(`--wave ${flags.wave} is not a wave number`);
    wave = Number(flags.wave);
  }
  let mode: PinMode | undefined;
  if (flags.mode !== undefined) {
    if (flags.mode !== 'commit' && flags.mode !== 'pr')
      throw new UsageError(`--mode ${flags.mode}: use commit or pr`);
    mode = flags.mode === 'pr' ? 'pull-request' : 'commit';
  }
  const request: PinRequest = {
    env: flags.env,
    app: flags.app,
    tag: flags.tag,
    ...(flags.digest !== undefined && { digest: flags.digest }),
    ...(flags.migrateDigest !== undefined && { migrateDigest: flags.migrateDigest }),
    ...(wave !== undefined && { wave }),
    ...(flags.allWaves && { allWaves: true }),
  };
  let now: Date | undefined;
  if (flags.now !== undefined) {
    now = new Date(flags.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now ${flags.now} is not an ISO 8601 time`);
  }
  const root = resolve(flags.root);
  if (!flags.push) {
    console.log(describe(await pinInWorkingTree({ root, matrixFile: flags.matrix, request })));
    return 0;
  }
  const codeHost = codeHostFromEnvironment(flags);
  const token = codeHost.requireToken('pin --push');
  try {
    const git = await GitRepository.open({
      dir: root,
      credentials: codeHost.gitCredentials(token),
      credentialsHint: codeHost.credentialsHint,
    });
    // A direct commit never calls the host, so it needs no repository; a PR does.
    const needsHost = mode !== 'commit';
    if (needsHost) codeHost.requireRepository('pin --push may open a PR and');
    const host = codeHost.connect({ repository: codeHost.settings.repository ?? 'unknown/unknown' });
    const outcome = await withInterruptCleanup(
      () => git.closeAllSync(),
      () =>
        pushPin({
          scm: composeScm(git, host),
          request,
          matrixFile: flags.matrix,
          base: codeHost.settings.base,
          ...(mode && { mode }),
          codeHost: codeHost.profile,
          identity: codeHost.identity,
          ...(now && { now }),
          ...(flags.overrideFreeze !== undefined && { overrideFreeze: flags.overrideFreeze }),
          ...(codeHost.runUrl && { runUrl: codeHost.runUrl }),
        }),
    );
    console.log(redact(describe(outcome), codeHost.secrets));
    return 0;
  } catch (error) {
    if (error instanceof Error) {
      error.message = redact(error.message, codeHost.secrets);
      if (error.stack) error.stack = redact(error.stack, codeHost.secrets);
    }
    throw error;
  }
}
