/**
 * The promotion run: read the base branch (pins, their history, the matrix, generated/), ask the code
 * host about the commits the health gate needs, plan each (from, to, wave), and apply each plan through
 * the Scm — or, with --dry-run, return the plans and touch nothing.
 */
import { join } from 'node:path';
import { MatrixError, type MatrixIssue } from '../matrix/errors.ts';
import { PromotionBlocked } from './errors.ts';
import { UsageError } from '../core/errors.ts';
import { checkedMatrix, importMatrix, readPins } from '../matrix/load.ts';
import type { MatrixDefinition, PinsByEnvironment, ResolvedMatrix } from '../matrix/types.ts';
import { applyPlan, type PromotionOutcome } from './apply.ts';
import { readTree } from '../output/tree.ts';
import { healthLookups, planPromotion, promotableApps, promotionEdges, type PlanFacts } from './plan.ts';
import { promotionBranch } from './naming.ts';
import { declinedProposals } from './stops.ts';
import { indexedRenderCache } from './render-cache.ts';
import type { CodeHostProfile } from './scm/code-host.ts';
import { defaultCodeHostProfile } from './scm/hosts.ts';
import type { CodeHostOperations, CommitIdentity, GitOperations, Scm } from './scm/scm.ts';
import type { DeclinedProposal, HealthCheck, PinsRevision, PromotionRequest } from './types.ts';
import { wavesOf } from './waves.ts';

/** Pins-file revisions read per environment for the soak gate. */
export const HISTORY_LIMIT = 100;

export interface PromotionSelection {
  readonly from?: string;
  readonly to?: string;
  /** Every edge of the promotion order. */
  readonly all?: boolean;
  /** Only this wave of the target. @default every wave */
  readonly wave?: number;
  readonly apps?: readonly string[];
  readonly atomic?: boolean;
  /**
   * Propose again what a closed, unmerged PR of a selected wave declined (stops.ts): the reviewer's
   * way to lift a stop without a new pin.
   */
  readonly resume?: boolean;
}

interface CommonOptions extends PromotionSelection {
  /** A checkout of the platform repository. */
  readonly root: string;
  /** @default 'src/environments/index.ts' */
  readonly matrixFile?: string;
  /** @default new Date() */
  readonly now?: Date;
  /** The code host's profile: body limit, compare links, bot identity. @default the default host's */
  readonly codeHost?: CodeHostProfile;
  /** The CI run behind this evaluation, for the PR body (the CLI reads it from the host's variables). */
  readonly runUrl?: string;
  /** Told what validation only warns about in the matrix promoted from, once it is loaded. */
  readonly onMatrixWarnings?: (warnings: readonly MatrixIssue[]) => void;
}

export interface DryRunOptions extends CommonOptions {
  /** Git, to read pins history from the checkout's HEAD (omit: no history, soak gates block). */
  readonly git?: Pick<GitOperations, 'history'>;
  /**
   * The code host, to read commit health (omit: health gates are skipped, offline) and, when it can
   * list PRs, the stops a closed wave PR set (so a dry run says what the real run would do).
   */
  readonly host?: Pick<CodeHostOperations, 'commitHealth'> &
    Partial<Pick<CodeHostOperations, 'pullRequests'>>;
  /** The branch PRs target, for reading stops. @default 'main' */
  readonly base?: string;
  /** The checkout's HEAD, the commit the dry run evaluates. */
  readonly commit?: string;
}

export interface ApplyOptions extends CommonOptions {
  readonly scm: Scm;
  /** The branch promotions start from and PRs target. @default 'main' */
  readonly base?: string;
  /** @default the code host's bot identity */
  readonly identity?: CommitIdentity;
}

/** The (from, to, wave) PRs a selection covers, in promotion order. */
export function expandSelection(resolved: ResolvedMatrix, selection: PromotionSelection): PromotionRequest[] {
  const names = resolved.environments.map((e) => e.name);
  const known = (env: string | undefined, flag: string): void => {
    if (env !== undefined && !names.includes(env))
      throw new UsageError(
        `--${flag} ${env} is not an environment; the promotion order is ${names.join(' → ')}`,
      );
  };
  known(selection.from, 'from');
  known(selection.to, 'to');
  let edges: [string, string][];
  if (selection.all) {
    if (selection.from !== undefined || selection.to !== undefined)
      throw new UsageError('--all promotes along every edge; leave out --from and --to');
    edges = promotionEdges(resolved);
  } else if (selection.from === undefined && selection.to === undefined) {
    throw new UsageError('say what to promote: --from <env> --to <env>, or --all');
  } else {
    const env = (name: string) => resolved.environments.find((e) => e.name === name)!;
    const from = selection.from ?? env(selection.to!).promotesFrom;
    const to = selection.to ?? env(selection.from!).promotesTo;
    if (from === undefined)
      throw new UsageError(`nothing promotes into ${selection.to}; it is the first environment`);
    if (to === undefined)
      throw new UsageError(`${selection.from} promotes nowhere; it is the last environment`);
    edges = [[from, to]];
  }
  return edges.flatMap(([from, to]) => {
    const waves = wavesOf(resolved, to);
    if (selection.wave !== undefined && !waves.includes(selection.wave)) {
      if (selection.all) return [];
      throw new UsageError(`${to} has no wave ${selection.wave}; its waves are ${waves.join(', ')}`);
    }
    return (selection.wave !== undefined ? [selection.wave] : waves).map((wave) => ({
      from,
      to,
      wave,
      ...(selection.apps && { apps: selection.apps }),
      ...(selection.atomic && { atomic: true }),
    }));
  });
}

async function loadBase(
  dir: string,
  options: CommonOptions,
): Promise<{ definition: MatrixDefinition; pins: PinsByEnvironment; resolved: ResolvedMatrix }> {
  const definition = await importMatrix(dir, options.matrixFile);
  const { pins, issues } = await readPins(dir);
  if (issues.length > 0) throw new MatrixError(issues);
  const { resolved, warnings = [] } = checkedMatrix(definition, pins);
  options.onMatrixWarnings?.(warnings);
  return { definition, pins, resolved };
}

async function readHistory(
  git: Pick<GitOperations, 'history'> | undefined,
  ref: string,
  resolved: ResolvedMatrix,
): Promise<Record<string, PinsRevision[]>> {
  if (!git) return {};
  const files = resolved.environments.map((env) => env.pinsFile);
  const revisions = await git.history(ref, files, HISTORY_LIMIT);
  return Object.fromEntries(
    resolved.environments.map((env) => [env.name, revisions.get(env.pinsFile) ?? []]),
  );
}

async function readHealth(
  host: Pick<CodeHostOperations, 'commitHealth'>,
  facts: Omit<PlanFacts, 'health'>,
  request: PromotionRequest,
): Promise<Map<string, HealthCheck[]>> {
  const health = new Map<string, HealthCheck[]>();
  for (const lookup of healthLookups(facts, request))
    health.set(lookup.sha, await host.commitHealth(lookup.sha, lookup.contexts));
  return health;
}

/** A dry run's stops: from the wave branch's PRs when the host can list them and there is something to move. */
async function readStops(
  options: DryRunOptions,
  facts: PlanFacts,
  request: PromotionRequest,
  resolved: ResolvedMatrix,
): Promise<DeclinedProposal[]> {
  const list = options.host?.pullRequests?.bind(options.host);
  if (!list || options.resume || promotableApps(facts, request).length === 0) return [];
  const branch = promotionBranch(
    request.from,
    request.to,
    request.wave,
    wavesOf(resolved, request.to).length,
  );
  return declinedProposals(await list(branch, options.base ?? 'main'));
}

/** Plan from the checkout as it is (working tree pins, HEAD history); touches nothing. */
export async function dryRunPromotion(options: DryRunOptions): Promise<PromotionOutcome[]> {
  const { definition, pins, resolved } = await loadBase(options.root, options);
  const now = options.now ?? new Date();
  const history = await readHistory(options.git, 'HEAD', resolved);
  const codeHost = options.codeHost ?? defaultCodeHostProfile;
  const outcomes: PromotionOutcome[] = [];
  const generatedDir = join(options.root, 'generated');
  const generatedTree = await readTree(generatedDir);
  const renderCache = indexedRenderCache(generatedTree);
  const trigger = {
    ...(options.commit && { commit: options.commit }),
    ...(options.runUrl && { runUrl: options.runUrl }),
  };
  for (const request of expandSelection(resolved, options)) {
    const facts = {
      ...{ definition, pins, history, generatedDir, generatedTree, now, renderCache, codeHost },
      trigger,
    };
    const health = options.host ? await readHealth(options.host, facts, request) : undefined;
    const declined = await readStops(options, { ...facts, ...(health && { health }) }, request, resolved);
    const plan = await planPromotion({ ...facts, ...(health && { health }), declined }, request);
    outcomes.push({ plan, action: 'dry-run', warnings: [] });
  }
  return outcomes;
}

/** Fetch, plan and apply every selected promotion; the outcome of each PR. */
export async function runPromotion(options: ApplyOptions): Promise<PromotionOutcome[]> {
  const { scm } = options;
  const base = options.base ?? 'main';
  const now = options.now ?? new Date();
  const codeHost = options.codeHost ?? defaultCodeHostProfile;
  const fetched = await scm.fetch(base);
  const workspace = await scm.openWorkspace(fetched.base);
  try {
    const { definition, pins, resolved } = await loadBase(workspace.dir, options);
    const elsewhere = resolved.environments
      .filter((env) => env.branch !== base)
      .map((env) => `${env.name} (${env.branch})`);
    if (elsewhere.length > 0) {
      throw new UsageError(
        `the promotion bot works on one branch (${base}); these environments track another: ${elsewhere.join(', ')}`,
      );
    }
    const history = await readHistory(scm, fetched.base, resolved);
    const outcomes: PromotionOutcome[] = [];
    const generatedDir = join(workspace.dir, 'generated');
    const generatedTree = await readTree(generatedDir);
    const renderCache = indexedRenderCache(generatedTree);
    const trigger = { commit: fetched.base, ...(options.runUrl && { runUrl: options.runUrl }) };
    for (const request of expandSelection(resolved, options)) {
      await scm.resetWorkspace(workspace);
      const facts = {
        ...{ definition, pins, history, generatedDir, generatedTree, now, renderCache, codeHost },
        trigger,
      };
      const health = await readHealth(scm, facts, request);
      const branch = promotionBranch(
        request.from,
        request.to,
        request.wave,
        wavesOf(resolved, request.to).length,
      );
      const remoteHead = fetched.branches.get(branch);
      // The one PR list applyPlan needs anyway, read before planning: a closed, unmerged PR in it stops
      // its pins (stops.ts). Without a branch and with nothing to promote there is nothing to ask.
      const pullRequests =
        remoteHead !== undefined || promotableApps({ ...facts, health }, request).length > 0
          ? await scm.pullRequests(branch, base)
          : undefined;
      const declined = pullRequests && !options.resume ? declinedProposals(pullRequests) : [];
      const plan = await planPromotion({ ...facts, health, declined }, request);
      outcomes.push(
        await applyPlan(plan, {
          scm,
          workspace,
          remoteHead,
          ...(pullRequests && { pullRequests }),
          ...(options.resume && { resume: true }),
          definition,
          identity: options.identity ?? codeHost.botIdentity,
          now,
          filtered: options.apps !== undefined,
        }),
      );
    }
    return outcomes;
  } finally {
    await scm.closeWorkspace(workspace);
  }
}

/** With --atomic, a blocked app fails the run (after the report): throws PromotionBlocked for the first. */
export function assertNothingBlocked(outcomes: readonly PromotionOutcome[]): void {
  for (const { plan } of outcomes) {
    const first = plan.blocked[0];
    if (!first) continue;
    const gate = first.gates.find((g) => g.status === 'block');
    const others = plan.blocked.length - 1;
    throw new PromotionBlocked(
      first.app,
      gate?.gate ?? 'atomic',
      `${gate?.evidence ?? 'held back'}${others > 0 ? ` (and ${others} more app${others === 1 ? '' : 's'} blocked; see the report)` : ''}`,
      gate?.passesAt,
    );
  }
}
