/**
 * Applying one plan through the Scm, idempotently: the bot finds its earlier work by the deterministic
 * branch name and the plan hash hidden in the PR body, and writes only what differs.
 *
 * - Nothing new: no write at all (a read of the branch's PRs, and of its head's gates status).
 * - The source moved: the branch is rebuilt and force-pushed, the same PR updated in place.
 * - The base moved: the branch is rebuilt on the new base (only the bot's own branches are ever
 *   force-pushed, with a lease; one a human has pushed to only once its PR is merged or closed).
 * - Nothing left to promote: the stale PR is closed with a comment and its branch deleted.
 * - A failed run leaves a state the next run finishes: a PR without labels gets its reviewers and
 *   labels (labels are added last, so they mark a complete setup); a PR the API created but whose
 *   answer was lost is found again instead of duplicated.
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import Handlebars from 'handlebars';
import { isScmError } from './scm/errors.ts';
import type { MatrixDefinition } from '../matrix/types.ts';
import { writeTree } from '../output/writer.ts';
import { describeSource, formatInstant, passesAt } from './gates.ts';
import { readMarker, readTrailers, TRAILERS } from './naming.ts';
import type { BranchHead, CommitIdentity, CommitStatus, PullRequest, Scm, Workspace } from './scm/scm.ts';
import type { PromotionPlan, Reviewers } from './types.ts';
import { previousWave } from './waves.ts';

export type PromotionAction =
  /** A new PR was opened. */
  | 'opened'
  /** The open PR's title/body changed (and its branch was rebuilt if needed). */
  | 'updated'
  /** Same plan, but the branch was rebuilt on a moved base. */
  | 'rebuilt'
  /** The open PR is already exactly this plan. */
  | 'unchanged'
  /** Nothing left to promote: the stale PR was closed. */
  | 'closed'
  /** Nothing to promote and no PR. */
  | 'nothing'
  /** Every app is blocked and no PR is open. */
  | 'blocked'
  /** Every app is blocked; the open PR says so. */
  | 'on-hold'
  /** A human closed the PR for this very plan; not reopened until the plan changes. */
  | 'declined'
  /** Someone else pushed to the bot's branch; left alone. */
  | 'edited'
  /** --dry-run: nothing was touched. */
  | 'dry-run';

export interface PromotionOutcome {
  readonly plan: PromotionPlan;
  readonly action: PromotionAction;
  readonly pullRequest?: { readonly number: number; readonly url: string };
  /** Problems that did not stop the run (e.g. a reviewer the code host would not request). */
  readonly warnings: readonly string[];
}

export interface ApplyContext {
  readonly scm: Scm;
  readonly workspace: Workspace;
  /** The remote bot branch's head, if the branch exists. */
  readonly remoteHead: BranchHead | undefined;
  readonly definition: MatrixDefinition;
  readonly identity: CommitIdentity;
  readonly now: Date;
  /** A run limited with --apps: it never closes PRs or deletes branches (other apps may be in them). */
  readonly filtered: boolean;
  /** The branch's PRs, newest first, when the run read them already (to find stops). @default read here */
  readonly pullRequests?: readonly PullRequest[];
  /** --resume: a PR closed for this very plan does not hold it back. */
  readonly resume?: boolean;
}

const closeComment = Handlebars.compile(
  readFileSync(new URL('./templates/close-comment.hbs', import.meta.url), 'utf8'),
  { noEscape: true },
);

/** A branch head the bot wrote itself: its commit carries the plan trailer. */
export function isBotCommit(head: BranchHead): boolean {
  return readTrailers(head.message)[TRAILERS.plan] !== undefined;
}

function missingReviewers(plan: PromotionPlan, pr: PullRequest): Reviewers {
  const users = new Set(pr.requested.users.map((u) => u.toLowerCase()));
  const teams = new Set(pr.requested.teams.map((t) => t.toLowerCase()));
  return {
    users: plan.reviewers.users.filter((u) => !users.has(u.toLowerCase())),
    teams: plan.reviewers.teams.filter((t) => !teams.has(t.toLowerCase())),
  };
}

function missingLabels(plan: PromotionPlan, pr: PullRequest): string[] {
  const present = new Set(pr.labels.map((l) => l.toLowerCase()));
  return plan.labels.filter((l) => !present.has(l.toLowerCase()));
}

function closeCommentFor(plan: PromotionPlan): string {
  const current = plan.pipeline.find((stage) => stage.current);
  const versions = plan.upToDate.map((app) => `${app} ${current?.versions[app] ?? '?'}`).join(', ');
  const { from, to, wave } = plan.request;
  // Wave N > 0 takes what the wave before it runs; the first wave takes what the source environment runs.
  const before = previousWave(plan.waves, wave);
  const source = before === undefined ? from : `${to} wave ${before}`;
  const target = plan.waves.length > 1 ? `${to} wave ${wave}` : to;
  return closeComment({ source, target, versions, branch: plan.branch });
}

/**
 * Write the plan's pins file and generated/ tree into the workspace (generated/ through the writer,
 * exactly as planned and hashed) and return the staged tree's SHA.
 */
async function buildTree(plan: PromotionPlan, context: ApplyContext): Promise<string> {
  const { workspace } = context;
  const pinsFile = plan.pinsFile!;
  const path = join(workspace.dir, pinsFile.path);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, pinsFile.content);
  if (plan.generated) await writeTree(join(workspace.dir, 'generated'), plan.generated);
  return context.scm.stageAll(workspace);
}

async function requestReviewersSafely(
  scm: Scm,
  number: number,
  reviewers: Reviewers,
  warnings: string[],
): Promise<void> {
  if (reviewers.users.length + reviewers.teams.length === 0) return;
  try {
    await scm.requestReviewers(number, reviewers);
  } catch (error) {
    // A reviewer the host refuses (not a collaborator, the PR author) must not stop the promotion.
    if (!isScmError(error, 'invalid-input', 'exists')) throw error;
    warnings.push(
      `could not request ${[...reviewers.users, ...reviewers.teams].join(', ')} on #${number}: ${error.detail}`,
    );
  }
}

/**
 * Put the gates status on `sha`: always when `changed` (a new head or plan), else only when the head
 * does not show it. A run that failed after it pushed the head or edited the PR, and before it set the
 * status, leaves nothing else that says the status is missing (the PR already reads as the plan), so
 * the rerun reads the head's statuses rather than trust that an earlier run finished.
 */
async function ensureGatesStatus(
  scm: Scm,
  sha: string,
  status: CommitStatus,
  changed: boolean,
): Promise<void> {
  if (!scm.setCommitStatus) return;
  if (!changed) {
    const shown = (await scm.commitHealth(sha, [status.context])).find((check) => check.via === 'status');
    if (shown?.state === status.state) return;
  }
  await scm.setCommitStatus(sha, status);
}

/** Bring the PR for `plan` up to date with the fewest writes; see the module comment. */
export async function applyPlan(plan: PromotionPlan, context: ApplyContext): Promise<PromotionOutcome> {
  const { scm, remoteHead } = context;
  const warnings: string[] = [];
  if (plan.promotions.length === 0 && remoteHead === undefined) {
    // No branch, so no open PR from it (GitHub closes a PR whose head branch is deleted): no call needed.
    return { plan, action: plan.blocked.length > 0 ? 'blocked' : 'nothing', warnings };
  }
  const prs = context.pullRequests ?? (await scm.pullRequests(plan.branch, plan.base));
  let open = prs.find((pr) => pr.state === 'open');
  const ours = remoteHead === undefined || isBotCommit(remoteHead);
  const link = (pr: PullRequest) => ({ number: pr.number, url: pr.url });
  const outcome = (action: PromotionAction, pr?: PullRequest): PromotionOutcome => ({
    plan,
    action,
    ...(pr && { pullRequest: link(pr) }),
    warnings,
  });

  if (plan.promotions.length === 0) {
    if (plan.blocked.length > 0) {
      if (!open) return outcome('blocked');
      const changed = readMarker(open.body)?.hash !== plan.marker.hash;
      if (changed) await scm.updatePullRequest(open.number, { title: plan.title, body: plan.body });
      // A gate closed on an open PR (a freeze began): pending, so a required status stops a merge.
      if (remoteHead) await ensureGatesStatus(scm, remoteHead.sha, gatesStatus(plan, open.url), changed);
      return outcome('on-hold', open);
    }
    if (context.filtered) return outcome('nothing', open);
    if (open) {
      await scm.comment(open.number, closeCommentFor(plan));
      await scm.closePullRequest(open.number);
    }
    if (remoteHead && ours) await scm.deleteBranch(plan.branch, remoteHead.sha);
    return open ? outcome('closed', open) : outcome('nothing');
  }

  // A branch a human pushed to is theirs while its PR is open; once that PR is merged or closed, the
  // bot takes it back (rebuilt from the base, force-pushed with a lease), as the warning promises.
  if (!ours && open) {
    warnings.push(
      `${plan.branch} has commits the bot did not write; it is left alone. Delete the branch (or merge/close its PR) to let the bot take over again.`,
    );
    return outcome('edited', open);
  }
  if (!open && !context.resume) {
    const declined = prs.find(
      (pr) => pr.state === 'closed' && !pr.merged && readMarker(pr.body)?.hash === plan.marker.hash,
    );
    if (declined) return outcome('declined', declined);
  }

  const tree = await buildTree(plan, context);
  const base = context.workspace.base;
  const current =
    ours &&
    remoteHead !== undefined &&
    remoteHead.tree === tree &&
    remoteHead.parents.length === 1 &&
    remoteHead.parents[0] === base;
  let head = remoteHead?.sha;
  if (!current) {
    const sha = await scm.commitTree(
      context.workspace,
      tree,
      base,
      plan.commitMessage,
      context.identity,
      context.now,
    );
    await scm.push(plan.branch, sha, { force: true, ...(remoteHead && { expected: remoteHead.sha }) });
    head = sha;
  }
  // The gates status goes on the head once per new head or plan; a rerun that changes nothing reads it
  // back, and sets it only if a failed run left it unset.
  const setGates = async (pr: PullRequest, changed: boolean): Promise<void> => {
    if (head) await ensureGatesStatus(scm, head, gatesStatus(plan, pr.url), changed || !current);
  };

  if (!open) {
    try {
      open = await scm.createPullRequest({
        branch: plan.branch,
        base: plan.base,
        title: plan.title,
        body: plan.body,
      });
      await requestReviewersSafely(scm, open.number, plan.reviewers, warnings);
      await setGates(open, true);
      await scm.addLabels(open.number, plan.labels);
      return outcome('opened', open);
    } catch (error) {
      // The PR may exist already: created by a request whose answer was lost. Adopt it.
      if (!isScmError(error, 'exists')) throw error;
      open = (await scm.pullRequests(plan.branch, plan.base)).find((pr) => pr.state === 'open');
      if (!open) throw error;
    }
  }

  const changed = readMarker(open.body)?.hash !== plan.marker.hash || open.title !== plan.title;
  const labels = missingLabels(plan, open);
  if (changed) await scm.updatePullRequest(open.number, { title: plan.title, body: plan.body });
  // Labels go on last, so a PR without them is one whose setup a failed run did not finish.
  if (changed || labels.length > 0)
    await requestReviewersSafely(scm, open.number, missingReviewers(plan, open), warnings);
  await setGates(open, changed);
  if (labels.length > 0) await scm.addLabels(open.number, labels);
  return outcome(changed || labels.length > 0 ? 'updated' : current ? 'unchanged' : 'rebuilt', open);
}

export const GATES_CONTEXT = 'envmatrix/gates';

/**
 * The `envmatrix/gates` commit status for a promotion PR's head: success when every app in it passed
 * its gates, pending while an app the PR is for is held (saying when it may clear), so branch
 * protection can require it. Blocked apps are not in the PR's diff, so they hold it only when
 * --atomic kept everything out; the description still names them, for the reviewer.
 */
export function gatesStatus(plan: PromotionPlan, url?: string): CommitStatus {
  const held = plan.blocked.map((p) => {
    const at = passesAt(p.gates);
    const gates = p.gates.filter((g) => g.status === 'block').map((g) => g.gate);
    return `${p.app} by ${gates.join(', ') || 'atomic'}${at ? ` until ${formatInstant(at)}` : ''}`;
  });
  const pending = plan.promotions.length === 0 && held.length > 0;
  const description = pending
    ? `held: ${held.join('; ')}`
    : `all gates pass for ${plan.promotions.map((p) => p.app).join(', ')}${held.length > 0 ? `; held back: ${held.join('; ')}` : ''}`;
  return {
    context: GATES_CONTEXT,
    state: pending ? 'pending' : 'success',
    description: description.length > 140 ? `${description.slice(0, 139)}…` : description,
    ...(url && { targetUrl: url }),
  };
}

/** One line per outcome, for logs and the CLI. */
export function describeOutcome(outcome: PromotionOutcome): string {
  const { plan } = outcome;
  const scope = `${plan.request.from} → ${plan.request.to}${plan.waves.length > 1 ? ` wave ${plan.request.wave}` : ''}`;
  const pr = outcome.pullRequest ? ` #${outcome.pullRequest.number} ${outcome.pullRequest.url}` : '';
  const apps = plan.promotions.map((p) => `${p.app} ${p.from?.tag ?? '(new)'} → ${p.to.tag}`).join(', ');
  const blocked = plan.blocked
    .map(
      (p) =>
        `${p.app} (${
          p.gates
            .filter((g) => g.status === 'block')
            .map((g) => g.gate)
            .join(', ') || 'atomic'
        })`,
    )
    .join(', ');
  const sources = [...new Set(plan.promotions.map((p) => describeSource(p.source)))].join(', ');
  switch (outcome.action) {
    case 'opened':
      return `${scope}: opened${pr}: ${apps}${sources ? ` from ${sources}` : ''}`;
    case 'updated':
      return `${scope}: updated${pr}: ${apps}`;
    case 'rebuilt':
      return `${scope}: rebuilt the branch on the new base${pr}`;
    case 'unchanged':
      return `${scope}: up to date${pr}`;
    case 'closed':
      return `${scope}: nothing left to promote; closed${pr}`;
    case 'nothing':
      return `${scope}: nothing to promote`;
    case 'blocked':
      return `${scope}: blocked: ${blocked}`;
    case 'on-hold':
      return `${scope}: on hold${pr}: ${blocked}`;
    case 'declined':
      return `${scope}: a reviewer closed${pr} for this exact plan; not reopening until something changes`;
    case 'edited':
      return `${scope}: ${plan.branch} was pushed to by someone else; left alone${pr}`;
    case 'dry-run':
      return `${scope}: ${plan.promotions.length > 0 ? `would promote ${apps}` : 'nothing to promote'}${blocked ? `; blocked: ${blocked}` : ''}`;
  }
}
