/**
 * The one interface through which the bot touches the outside world. Two halves, one adapter each:
 * git (simple-git, src/promote/scm/git.ts) for repository content, and the code host (a plugin, e.g.
 * src/promote/scm/github.ts; chosen by src/promote/scm/hosts.ts) for pull requests and commit health.
 * `composeScm` joins them. Adapters fail with an `ScmError` whose `kind` is neutral (errors.ts). Tests
 * and dry runs swap either half; planning never sees either.
 */

/** One revision of a pins file on the base branch, newest first in a history. */
export interface PinsRevision {
  readonly sha: string;
  /** Committer time, ISO 8601. */
  readonly at: string;
  /** The file's text at that commit; undefined when the commit deleted it. */
  readonly text: string | undefined;
}

export type HealthState = 'success' | 'pending' | 'failure' | 'error' | 'missing';

/** What the code host says about one required context on one commit. */
export interface HealthCheck {
  readonly context: string;
  readonly state: HealthState;
  /** Where it was found. */
  readonly via?: 'status' | 'check-run';
  readonly url?: string;
}

export interface Reviewers {
  readonly users: readonly string[];
  readonly teams: readonly string[];
}

/** A remote branch's head commit, as the bot needs it to decide whether to rebuild. */
export interface BranchHead {
  readonly sha: string;
  readonly parents: readonly string[];
  readonly tree: string;
  readonly message: string;
}

/** A checked-out copy of a commit the bot may edit (a git worktree beside the user's checkout). */
export interface Workspace {
  readonly dir: string;
  /** The commit it was created from. */
  readonly base: string;
}

export interface CommitIdentity {
  readonly name: string;
  readonly email: string;
}

export interface GitOperations {
  /** Fetch the base branch and every bot branch; the base head SHA and each bot branch's head. */
  fetch(base: string): Promise<{ base: string; branches: Map<string, BranchHead> }>;
  /** First-parent revisions of each path at `ref`, newest first, at most `limit` per path. */
  history(ref: string, paths: readonly string[], limit: number): Promise<Map<string, PinsRevision[]>>;
  /** A fresh work tree at `commit`. Dispose of it with `closeWorkspace`. */
  openWorkspace(commit: string): Promise<Workspace>;
  /** Put the work tree back to exactly its base commit. */
  resetWorkspace(workspace: Workspace): Promise<void>;
  closeWorkspace(workspace: Workspace): Promise<void>;
  /** Stage everything in the work tree and return the tree SHA (no commit yet). */
  stageAll(workspace: Workspace): Promise<string>;
  /** A commit of `tree` on `parent` with `message`, authored and committed at `date`. */
  commitTree(
    workspace: Workspace,
    tree: string,
    parent: string,
    message: string,
    identity: CommitIdentity,
    date: Date,
  ): Promise<string>;
  /**
   * Point remote `branch` at `sha`. `expected`: the SHA the branch must have now (undefined: it must
   * not exist) — a lease, so the bot never overwrites a push it has not seen. `force` only for the
   * bot's own branches.
   */
  push(
    branch: string,
    sha: string,
    options: { readonly force: boolean; readonly expected?: string },
  ): Promise<void>;
  deleteBranch(branch: string, expected: string): Promise<void>;
}

export interface PullRequest {
  readonly number: number;
  readonly url: string;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly title: string;
  readonly body: string;
  readonly branch: string;
  readonly base: string;
  readonly labels: readonly string[];
  readonly requested: Reviewers;
}

export interface CodeHostOperations {
  /** The repository, `owner/name`. */
  readonly repository: string;
  /** Recent pull requests from `branch` into `base`, newest first, open and closed (one API call). */
  pullRequests(branch: string, base: string): Promise<PullRequest[]>;
  createPullRequest(input: {
    readonly branch: string;
    readonly base: string;
    readonly title: string;
    readonly body: string;
  }): Promise<PullRequest>;
  updatePullRequest(number: number, input: { readonly title: string; readonly body: string }): Promise<void>;
  addLabels(number: number, labels: readonly string[]): Promise<void>;
  requestReviewers(number: number, reviewers: Reviewers): Promise<void>;
  comment(number: number, body: string): Promise<void>;
  closePullRequest(number: number): Promise<void>;
  /** The state of each context on `sha`, from commit statuses, then check runs. */
  commitHealth(sha: string, contexts: readonly string[]): Promise<HealthCheck[]>;
}

/**
 * One comment per pull request that a tool keeps current (the PR preview): found again by a hidden
 * marker, edited in place, never posted twice. Separate from CodeHostOperations so code hosts and test
 * doubles of the promotion bot need not offer it.
 */
export interface StickyCommentHost {
  /**
   * Create the comment holding `marker` on pull request `number`, or edit the one already there; no
   * write when its body is already `body`. `body` gets the marker prepended if it lacks it.
   */
  upsertStickyComment(
    number: number,
    marker: string,
    body: string,
  ): Promise<{ readonly id: number; readonly action: 'created' | 'updated' | 'unchanged' }>;
}

export interface Scm extends GitOperations, CodeHostOperations {}

/** One Scm from its two halves. */
export function composeScm(git: GitOperations, host: CodeHostOperations): Scm {
  return {
    repository: host.repository,
    fetch: (base) => git.fetch(base),
    history: (ref, paths, limit) => git.history(ref, paths, limit),
    openWorkspace: (commit) => git.openWorkspace(commit),
    resetWorkspace: (workspace) => git.resetWorkspace(workspace),
    closeWorkspace: (workspace) => git.closeWorkspace(workspace),
    stageAll: (workspace) => git.stageAll(workspace),
    commitTree: (workspace, tree, parent, message, identity, date) =>
      git.commitTree(workspace, tree, parent, message, identity, date),
    push: (branch, sha, options) => git.push(branch, sha, options),
    deleteBranch: (branch, expected) => git.deleteBranch(branch, expected),
    pullRequests: (branch, base) => host.pullRequests(branch, base),
    createPullRequest: (input) => host.createPullRequest(input),
    updatePullRequest: (number, input) => host.updatePullRequest(number, input),
    addLabels: (number, labels) => host.addLabels(number, labels),
    requestReviewers: (number, reviewers) => host.requestReviewers(number, reviewers),
    comment: (number, body) => host.comment(number, body),
    closePullRequest: (number) => host.closePullRequest(number),
    commitHealth: (sha, contexts) => host.commitHealth(sha, contexts),
  };
}
