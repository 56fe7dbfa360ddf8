/**
 * Everything the static report page shows, as one JSON-ready value: the fleet grid, each app's values
 * with provenance (for the page's compare view), the promotion pipeline with the pending promotions and
 * the gate holding each (from the promotion planner, offline), and the release history from git. Pure:
 * the CLI gathers the facts (dry-run plans, pins history, commit subjects) and passes them in.
 */
import { fleetGrid, type FleetCell, type FleetStage } from '../generators/fleet/grid.ts';
import type { ResolvedMatrix } from '../matrix/types.ts';
import { freezeGate, formatInstant } from '../promote/gates.ts';
import { formatSeconds } from '../matrix/duration.ts';
import type { GateResult, PromotionPlan, PinsRevision } from '../promote/types.ts';
import { releaseHistory, type ReleaseHistory } from './history.ts';
import { flatValues } from './values.ts';

export interface ReportTarget {
  readonly id: string;
  readonly env: string;
  readonly cloud: string;
  readonly region: string;
  readonly cluster: string;
  readonly engine: string;
  readonly wave: number;
  /** One per app of `ReportData.apps`; null where the app is not placed. */
  readonly cells: readonly (FleetCell | null)[];
}

export interface ReportEnvironment {
  readonly name: string;
  readonly promotesTo?: string;
  readonly waves: readonly number[];
  /** `24h`, or undefined when the environment asks for no soak. */
  readonly soak?: string;
  /** The freeze gate at report time: open (and the next window) or frozen (and until when). */
  readonly freeze: {
    readonly status: 'open' | 'frozen' | 'none';
    readonly evidence: string;
    readonly clearsAt?: string;
  };
}

export interface PendingPromotion {
  readonly from: string;
  readonly to: string;
  readonly wave: number;
  /** True when the environment has several waves (then the wave is worth naming). */
  readonly waved: boolean;
  readonly app: string;
  readonly fromTag?: string;
  readonly toTag: string;
  /** `ready`: every gate the planner could check passed; `blocked`: one holds it. */
  readonly status: 'ready' | 'blocked';
  readonly gates: readonly GateResult[];
  /** When the gates holding it clear (soak, freeze), when the planner can say. */
  readonly clearsAt?: string;
}

/**
 * Values for the compare view, compact: the strings once in `strings`, and per target (same order as
 * `targets`) per app (same order as `apps`) rows of [path, value, layer, source] string indexes.
 */
export interface CompactValues {
  readonly strings: readonly string[];
  readonly cells: readonly (readonly (readonly (readonly [number, number, number, number])[] | null)[])[];
}

export interface ReportData {
  readonly version: 1;
  readonly repo: string;
  /** The time gates were evaluated at (ISO 8601); the page shows it, nothing else depends on the clock. */
  readonly asOf: string;
  readonly apps: readonly string[];
  readonly environments: readonly ReportEnvironment[];
  readonly targets: readonly ReportTarget[];
  readonly stages: readonly FleetStage[];
  readonly pending: readonly PendingPromotion[];
  readonly values: CompactValues;
  readonly history: ReleaseHistory;
}

export interface ReportFacts {
  readonly matrix: ResolvedMatrix;
  /** Dry-run plans of every (from, to, wave), as `promote --all --dry-run` computes them. */
  readonly plans: readonly PromotionPlan[];
  /** Each environment's pins-file revisions on the base branch, newest first. */
  readonly revisions: Readonly<Record<string, readonly PinsRevision[]>>;
  /** Commit subjects by SHA (for pull request numbers). */
  readonly subjects: ReadonlyMap<string, string>;
  readonly now: Date;
}

function compactValues(matrix: ResolvedMatrix, apps: readonly string[]): CompactValues {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const id = (text: string): number => {
    let i = index.get(text);
    if (i === undefined) {
      i = strings.length;
      strings.push(text);
      index.set(text, i);
    }
    return i;
  };
  const cells = matrix.targets.map((target) =>
    apps.map((app) => {
      if (!target.apps.some((a) => a.name === app)) return null;
      return flatValues(matrix, target.id, app).map(
        (v) => [id(v.path), id(v.value), id(v.layer), id(v.source)] as const,
      );
    }),
  );
  return { strings, cells };
}

function pendingOf(plans: readonly PromotionPlan[]): PendingPromotion[] {
  return plans.flatMap((plan) =>
    [...plan.promotions, ...plan.blocked].map((p): PendingPromotion => {
      const blocked = p.gates.filter((g) => g.status === 'block');
      const clears =
        blocked.length > 0 && blocked.every((g) => g.passesAt !== undefined)
          ? blocked.map((g) => g.passesAt!).sort()[blocked.length - 1]
          : undefined;
      return {
        from: plan.request.from,
        to: plan.request.to,
        wave: plan.request.wave,
        waved: plan.waves.length > 1,
        app: p.app,
        ...(p.from && { fromTag: p.from.tag }),
        toTag: p.to.tag,
        status: p.blocked ? 'blocked' : 'ready',
        gates: p.gates,
        ...(clears !== undefined && { clearsAt: clears }),
      };
    }),
  );
}

export function buildReportData(facts: ReportFacts): ReportData {
  const { matrix } = facts;
  const grid = fleetGrid(matrix);
  const environments = matrix.environments.map((env): ReportEnvironment => {
    const gate = freezeGate(env, facts.now);
    const waves = [...new Set(matrix.targets.filter((t) => t.env === env.name).map((t) => t.wave))].sort(
      (a, b) => a - b,
    );
    return {
      name: env.name,
      ...(env.promotesTo !== undefined && { promotesTo: env.promotesTo }),
      waves,
      ...(env.policy.soakSeconds > 0 && { soak: formatSeconds(env.policy.soakSeconds) }),
      freeze: {
        status: env.policy.freeze.length === 0 ? 'none' : gate.status === 'block' ? 'frozen' : 'open',
        evidence:
          gate.status === 'block' && gate.passesAt
            ? `frozen until ${formatInstant(gate.passesAt)}`
            : gate.evidence,
        ...(gate.passesAt !== undefined && { clearsAt: gate.passesAt }),
      },
    };
  });
  const targets = grid.rows.map((row): ReportTarget => ({
    id: row.target,
    env: row.env,
    cloud: row.cloud,
    region: row.region,
    cluster: row.cluster,
    engine: row.engine,
    wave: row.wave,
    cells: grid.apps.map((app) => row.cells.find((c) => c.app === app) ?? null),
  }));
  return {
    version: 1,
    repo: matrix.repo.url,
    asOf: facts.now.toISOString(),
    apps: grid.apps,
    environments,
    targets,
    stages: grid.stages,
    pending: pendingOf(facts.plans),
    values: compactValues(matrix, grid.apps),
    history: releaseHistory(matrix, facts.revisions, facts.subjects),
  };
}
