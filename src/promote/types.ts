/**
 * The promotion plan and the facts it is computed from. Everything here is plain data: the planner and
 * the gates are pure functions over it, and only the Scm adapters (src/promote/scm) gather facts or act.
 */
import type { Engine, Pin } from '../matrix/types.ts';
import type { HealthCheck, Reviewers } from './scm/scm.ts';

// Shared with the code-host adapters, which see only neutral types (src/promote/scm/scm.ts).
export type { HealthCheck, HealthState, PinsRevision, Reviewers } from './scm/scm.ts';

/** One promotion PR's scope: an edge of the promotion order and one wave of the target environment. */
export interface PromotionRequest {
  readonly from: string;
  readonly to: string;
  /** Wave of the target environment this PR covers. */
  readonly wave: number;
  /** Only these apps. @default every app placed in the wave */
  readonly apps?: readonly string[];
  /** Promote nothing when any app is blocked. @default false */
  readonly atomic?: boolean;
}

/** When a pin arrived on the base branch: the first-parent commit that introduced it. */
export interface PinArrival {
  readonly sha: string;
  /** Committer time of that commit (when it landed on the base branch), ISO 8601. */
  readonly at: string;
}

/** Health of the commits the gates ask about, by SHA; absent when not looked up (e.g. offline dry run). */
export type HealthFacts = ReadonlyMap<string, readonly HealthCheck[]>;

/** `stopped`: a reviewer closed this wave's PR for this very pin without merging it (see stops.ts). */
export type GateName = 'order' | 'digest' | 'freeze' | 'soak' | 'health' | 'stopped';

export interface GateResult {
  readonly gate: GateName;
  /** `skip`: not evaluated (an earlier gate blocked, or no facts offline). */
  readonly status: 'pass' | 'block' | 'skip';
  /** What the gate saw, for reviewers: `26h ≥ 24h: staging has run 1.5.0 since …`. */
  readonly evidence: string;
  /** When a blocked gate may pass (ISO 8601), when that is knowable. */
  readonly passesAt?: string;
  /**
   * Where the evidence can be checked: a health context → the status's `target_url` or the check run's
   * `details_url`, so the PR body links each context to the run that proved it.
   */
  readonly links?: Readonly<Record<string, string>>;
}

/**
 * What set the bot off, for the PR body: the commit of the base branch the plan was evaluated on and,
 * in CI, the workflow run (the CLI builds its URL from the code host's variables). Both optional: a
 * local dry run may have neither.
 */
export interface Trigger {
  readonly commit?: string;
  readonly runUrl?: string;
}

/** A step the bot cannot take for the reviewer after the merge, e.g. a blue-green promote. */
export interface ManualStep {
  readonly target: string;
  readonly app: string;
  /** The command, ready to paste. */
  readonly command: string;
}

/**
 * A PR for this wave that a person closed without merging, and the pins it proposed (app → proposal
 * key, see stops.ts): those pins stay out of this wave, and so out of every later wave, until a new pin
 * moves the source or the bot runs with --resume.
 */
export interface DeclinedProposal {
  readonly number: number;
  readonly url: string;
  readonly proposed: Readonly<Record<string, string>>;
}

/** Where a promoted pin comes from: the previous environment, or the previous wave of the target. */
export interface PinSource {
  readonly env: string;
  /** Set when the source is an earlier wave of the target environment. */
  readonly wave?: number;
}

/** One app that differs between source and target. */
export interface AppPromotion {
  readonly app: string;
  /** Image repository, e.g. `ghcr.io/acme/api`. */
  readonly image: string;
  /** What the target wave runs now; undefined when the app is new there. */
  readonly from?: Pin;
  readonly to: Pin;
  readonly source: PinSource;
  /** When `to` arrived in the source (environment or wave), from the base branch history. */
  readonly arrival?: PinArrival;
  readonly gates: readonly GateResult[];
  readonly blocked: boolean;
  /** Link to the source diff between the two versions, when the image repository allows one. */
  readonly compareUrl?: string;
  /** Target ids of this wave the app lands on. */
  readonly targets: readonly string[];
}

export interface TargetInfo {
  readonly id: string;
  readonly wave: number;
  readonly engine: Engine;
}

export type FileChangeKind = 'added' | 'changed' | 'removed';

export interface FileChange {
  /** Path under generated/ (or the repo-relative pins file path). */
  readonly path: string;
  readonly kind: FileChangeKind;
  /** `Deployment prod-ns/api`: the object of a multi-document manifest this change is about. */
  readonly object?: string;
  readonly additions: number;
  readonly deletions: number;
  /** Unified diff. */
  readonly patch: string;
}

/** The rendered change on one target (or an environment-wide / matrix-wide scope). */
export interface TargetChange {
  /** Target id, environment name, or `matrix`. */
  readonly scope: string;
  readonly wave?: number;
  readonly engine?: Engine;
  readonly files: readonly FileChange[];
  readonly additions: number;
  readonly deletions: number;
}

export type RiskKind =
  | 'deletion'
  | 'service'
  | 'persistent-volume'
  | 'crd'
  | 'namespace'
  | 'rbac'
  | 'network-policy'
  | 'strategy'
  | 'migration'
  | 'downgrade'
  | 'new-app'
  | 'drift';

/** Something in the change that deserves a second look. */
export interface Risk {
  readonly kind: RiskKind;
  /** Target id or scope. */
  readonly scope: string;
  readonly app?: string;
  /** What changed, e.g. `Service api: type ClusterIP → LoadBalancer`. */
  readonly detail: string;
  /** The file it was found in (under generated/), when it comes from one. */
  readonly path?: string;
}

/** One environment (or wave) and the versions it runs, for the pipeline graph. */
export interface PipelineStage {
  readonly env: string;
  readonly wave?: number;
  /** App → tag it runs now. */
  readonly versions: Readonly<Record<string, string>>;
  /** True for the stage this plan changes. */
  readonly current: boolean;
}

/** The marker hidden in the PR body: a rerun compares `hash` to tell whether anything changed. */
export interface PlanMarker {
  readonly version: 1;
  readonly hash: string;
  readonly from: string;
  readonly to: string;
  readonly wave: number;
  /**
   * App → proposal key (`<tag>@<arrival commit>`) of each pin the PR promotes, so a closed PR says what
   * was declined. Not part of `hash`: older markers without it still compare.
   */
  readonly proposed?: Readonly<Record<string, string>>;
}

export interface PromotionPlan {
  readonly request: PromotionRequest;
  /** The deterministic bot branch for (from, to, wave). */
  readonly branch: string;
  /** The branch the PR targets (the target environment's branch). */
  readonly base: string;
  /** Every wave of the target environment, ascending. */
  readonly waves: readonly number[];
  readonly targets: readonly TargetInfo[];
  /** Waves after this one and their targets. */
  readonly laterWaves: readonly { readonly wave: number; readonly targets: readonly string[] }[];
  /** Apps this PR promotes (every gate passed). */
  readonly promotions: readonly AppPromotion[];
  /** Apps that differ but a gate holds back (or all of them, with --atomic). */
  readonly blocked: readonly AppPromotion[];
  /** Apps placed in the wave whose pin already matches the source. */
  readonly upToDate: readonly string[];
  /** Repo-relative files the PR writes besides generated/: the target pins file. */
  readonly pinsFile?: { readonly path: string; readonly content: string };
  /**
   * generated/ after the promotion, for the writer: the complete tree and the files whose bytes do not
   * change. What the PR commits is exactly what was planned (and hashed into the marker).
   */
  readonly generated?: {
    readonly files: ReadonlyMap<string, string>;
    readonly unchanged: ReadonlySet<string>;
  };
  /** The rendered change, per target, from a synth of the target environment with the new pins. */
  readonly changes: readonly TargetChange[];
  /** generated/ paths a synth of the base branch alone would already change (main was not synthed). */
  readonly drift: readonly string[];
  readonly risks: readonly Risk[];
  readonly title: string;
  readonly body: string;
  readonly labels: readonly string[];
  /** Everyone to request: the environment's reviewers, plus its risk reviewers when `risks` is not empty. */
  readonly reviewers: Reviewers;
  /** The risk reviewers among `reviewers` (empty when nothing is risky). */
  readonly riskReviewers: Reviewers;
  readonly commitMessage: string;
  readonly pipeline: readonly PipelineStage[];
  readonly soakSeconds: number;
  readonly marker: PlanMarker;
  /** When the gates were evaluated (ISO 8601): soak and freeze evidence is as of this time. */
  readonly evaluatedAt: string;
  readonly trigger: Trigger;
  /** What a person must do once the PR is merged (blue-green apps without auto-promotion). */
  readonly afterMerge: readonly ManualStep[];
}
