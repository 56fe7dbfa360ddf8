/**
 * planPromotion: from facts (the matrix, pins and their history on the base branch, commit health, the
 * clock) to a complete promotion plan — which apps move, from what to what, which gates hold which apps
 * back, the pins file and rendered change, the risks, and the PR title, body, labels and reviewers.
 * It writes nothing and talks to nobody: the only input/output is reading the base's generated/ tree to
 * compare the new synth with it.
 */
import { composeLazily, unitInScope, type RenderCache } from '../generators/index.ts';
import type { Generator } from '../generators/types.ts';
import { compareStrings } from '../core/compare.ts';
import { PromotionBlocked } from './errors.ts';
import { UsageError } from '../core/errors.ts';
import { checkedMatrix, RELEASES_DIR, type LoadedMatrix } from '../matrix/load.ts';
import { effectivePin, serializePins } from '../matrix/pins.ts';
import type {
  MatrixDefinition,
  Pin,
  PinsByEnvironment,
  ResolvedEnvironment,
  ResolvedMatrix,
} from '../matrix/types.ts';
import { canonicalJson, sha256 } from '../core/canonical.ts';
import { diffPlan } from '../output/diff.ts';
import { INDEX_PATH, parseIndex, type GeneratedIndex } from '../output/index-file.ts';
import { planSynth, type SynthPlan } from '../output/synth.ts';
import { readTree } from '../output/tree.ts';
import { digestGate, freezeGate, healthGate, orderGate, passesAt, skipped, soakGate } from './gates.ts';
import { parseRevisions, pinArrival, type ParsedRevision } from './history.ts';
import { envLabel, promotionBranch, PROMOTION_LABEL } from './naming.ts';
import type { CodeHostProfile } from './scm/code-host.ts';
import { defaultCodeHostProfile } from './scm/hosts.ts';
import { renderBody, renderCommitMessage, renderTitle, type PlanDraft } from './render-body.ts';
import { assessRisks, holdsMigration, sortRisks, versionOnlyPatches } from './risk.ts';
import { manualPromotions } from './after-merge.ts';
import { proposals, stoppedGate } from './stops.ts';
import type {
  AppPromotion,
  DeclinedProposal,
  FileChange,
  GateResult,
  HealthFacts,
  PinSource,
  PinsRevision,
  PipelineStage,
  PromotionPlan,
  PromotionRequest,
  Reviewers,
  Risk,
  TargetChange,
  Trigger,
} from './types.ts';
import {
  appWaves,
  migratesWithOwnImage,
  previousWave,
  releasedPin,
  samePin,
  wavesOf,
  withWavePin,
  type EnvPins,
} from './waves.ts';

/** `$schema` of pins files the bot writes: releases/<env>.json → generated/schema/. */
export const PINS_SCHEMA_REF = '../../../generated/schema/releases.schema.json';

export interface PlanFacts {
  readonly definition: MatrixDefinition;
  /** Pins on the base branch (or in the working tree, for a local dry run). */
  readonly pins: PinsByEnvironment;
  /** Each environment's pins-file revisions on the base branch, newest first. */
  readonly history: Readonly<Record<string, readonly PinsRevision[]>>;
  /** Health of the commits {@link healthLookups} asked for; undefined when not looked up (offline). */
  readonly health?: HealthFacts;
  /** The base's generated/ folder: read to compare, never written. */
  readonly generatedDir: string;
  /** Its content (`readTree(generatedDir)`), when the caller read it already. @default read per plan */
  readonly generatedTree?: ReadonlyMap<string, string>;
  readonly now: Date;
  /**
   * Renders to reuse: `indexedRenderCache` over the base's generated/ renders only the units a promotion
   * changes. @default none: every unit of the target environment renders
   */
  readonly renderCache?: RenderCache;
  /** @default every generator, as `synth` runs them */
  readonly generators?: readonly Generator[];
  /** The code host the PR goes to: its body limit and compare links. @default the default host's */
  readonly codeHost?: CodeHostProfile;
  /** The base commit and workflow run behind this evaluation, for the PR body. @default neither */
  readonly trigger?: Trigger;
  /** Closed, unmerged PRs of this wave and what they proposed (stops.ts). @default none */
  readonly declined?: readonly DeclinedProposal[];
}

/** A commit whose required contexts the health gate needs. */
export interface HealthLookup {
  readonly sha: string;
  readonly contexts: readonly string[];
}

interface Candidate {
  readonly promotion: AppPromotion;
  readonly contexts: readonly string[];
}

interface Evaluation {
  readonly matrix: LoadedMatrix;
  readonly target: ResolvedEnvironment;
  readonly waves: readonly number[];
  readonly candidates: readonly Candidate[];
  readonly upToDate: readonly string[];
}

function environment(resolved: ResolvedMatrix, name: string, role: string): ResolvedEnvironment {
  const env = resolved.environments.find((e) => e.name === name);
  if (!env) {
    throw new UsageError(
      `--${role} ${name} is not an environment; the promotion order is ${resolved.environments.map((e) => e.name).join(' → ')}`,
    );
  }
  return env;
}

/** Throws when `from → to` is not an edge of the promotion order (no skipping, no going back). */
export function checkEdge(resolved: ResolvedMatrix, from: string, to: string): void {
  const source = environment(resolved, from, 'from');
  environment(resolved, to, 'to');
  if (source.promotesTo === to) return;
  const order = resolved.environments.map((e) => e.name).join(' → ');
  throw new PromotionBlocked(
    `${from} → ${to}`,
    'order',
    `${from} promotes to ${source.promotesTo ?? 'no environment'}, not ${to}; releases move one step at a time along ${order}`,
  );
}

/** Every edge of the promotion order: `[from, to]` pairs. */
export function promotionEdges(resolved: ResolvedMatrix): [string, string][] {
  return resolved.environments.flatMap((env) =>
    env.promotesTo !== undefined ? [[env.name, env.promotesTo] as [string, string]] : [],
  );
}

function parsedHistory(facts: PlanFacts, env: ResolvedEnvironment): ParsedRevision[] {
  return parseRevisions(env.pinsFile, facts.history[env.name] ?? []);
}

function evaluate(facts: PlanFacts, request: PromotionRequest): Evaluation {
  const matrix = checkedMatrix(facts.definition, facts.pins);
  const { resolved } = matrix;
  checkEdge(resolved, request.from, request.to);
  const source = environment(resolved, request.from, 'from');
  const target = environment(resolved, request.to, 'to');
  const waves = wavesOf(resolved, target.name);
  if (!waves.includes(request.wave)) {
    throw new UsageError(`${target.name} has no wave ${request.wave}; its waves are ${waves.join(', ')}`);
  }
  const placed = [
    ...new Set(
      resolved.targets
        .filter((t) => t.env === target.name && t.wave === request.wave)
        .flatMap((t) => t.apps.map((a) => a.name)),
    ),
  ].sort(compareStrings);
  const known = new Set(facts.definition.apps.map((a) => a.name));
  const unknown = (request.apps ?? []).filter((app) => !known.has(app));
  if (unknown.length > 0) {
    throw new UsageError(
      `--apps names unknown app(s) ${unknown.join(', ')}; the apps are ${[...known].sort(compareStrings).join(', ')}`,
    );
  }
  const selected = request.apps ? placed.filter((app) => request.apps!.includes(app)) : placed;
  const sourceHistory = parsedHistory(facts, source);
  const targetHistory = parsedHistory(facts, target);
  const image = new Map(facts.definition.apps.map((a) => [a.name, a.image]));

  const candidates: Candidate[] = [];
  const upToDate: string[] = [];
  for (const app of selected) {
    const waves = appWaves(resolved, target.name, app);
    const prev = previousWave(waves, request.wave);
    const pinSource: PinSource = prev === undefined ? { env: source.name } : { env: target.name, wave: prev };
    const pinOf = (pins: EnvPins | undefined): Pin | undefined =>
      prev === undefined ? releasedPin(resolved, pins, source.name, app) : effectivePin(pins, prev, app);
    const to = pinOf(facts.pins[pinSource.env]);
    if (!to) continue; // not pinned in the source: nothing to promote
    const from = effectivePin(facts.pins[target.name], request.wave, app);
    if (samePin(from, to)) {
      upToDate.push(app);
      continue;
    }
    const arrival = pinArrival(prev === undefined ? sourceHistory : targetHistory, pinOf, to);
    const contexts = prev === undefined ? source.healthChecks : target.healthChecks;
    const gates: GateResult[] = [
      orderGate(pinSource, target.name, request.wave),
      digestGate(to, target, migratesWithOwnImage(resolved, target.name, app)),
      freezeGate(target, facts.now),
      soakGate(pinSource, to, arrival, target.policy.soakSeconds, facts.now),
    ];
    const stopped = stoppedGate(app, to, arrival, pinSource, facts.declined ?? []);
    if (stopped) gates.push(stopped);
    const earlier = gates.filter((g) => g.status === 'block').map((g) => g.gate);
    gates.push(
      earlier.length > 0
        ? skipped('health', `not checked: blocked by ${earlier.join(', ')}`)
        : healthGate(
            pinSource,
            contexts,
            arrival,
            facts.health,
            (prev === undefined ? source : target).policy.healthyConclusions,
          ),
    );
    const imageRepo = image.get(app) ?? app;
    const url = (facts.codeHost ?? defaultCodeHostProfile).compareUrl(imageRepo, from?.tag, to.tag);
    candidates.push({
      contexts,
      promotion: {
        app,
        image: imageRepo,
        ...(from && { from }),
        to,
        source: pinSource,
        ...(arrival && { arrival }),
        gates,
        blocked: gates.some((g) => g.status === 'block'),
        ...(url && { compareUrl: url }),
        targets: resolved.targets
          .filter(
            (t) => t.env === target.name && t.wave === request.wave && t.apps.some((a) => a.name === app),
          )
          .map((t) => t.id),
      },
    });
  }
  return { matrix, target, waves, candidates, upToDate };
}

/**
 * The commits and contexts the health gate needs, for apps no other gate blocks: what the adapters
 * look up before planning (so a soaking app costs no API call).
 */
export function healthLookups(facts: Omit<PlanFacts, 'health'>, request: PromotionRequest): HealthLookup[] {
  const { candidates } = evaluate({ ...facts, health: undefined }, request);
  const bySha = new Map<string, Set<string>>();
  for (const { promotion, contexts } of candidates) {
    const health = promotion.gates.find((g) => g.gate === 'health');
    if (health?.status !== 'skip' || !promotion.arrival || contexts.length === 0) continue;
    if (promotion.gates.some((g) => g.status === 'block')) continue;
    const set = bySha.get(promotion.arrival.sha) ?? new Set<string>();
    contexts.forEach((c) => set.add(c));
    bySha.set(promotion.arrival.sha, set);
  }
  return [...bySha]
    .map(([sha, contexts]) => ({ sha, contexts: [...contexts].sort(compareStrings) }))
    .sort((a, b) => compareStrings(a.sha, b.sha));
}

/**
 * The apps no gate holds back, with the health already read: when there are none and the bot has no
 * branch for the wave, it need not ask the code host about PRs at all.
 */
export function promotableApps(facts: PlanFacts, request: PromotionRequest): string[] {
  const all = evaluate(facts, request).candidates.map((c) => c.promotion);
  const open = all.filter((p) => !p.gates.some((g) => g.status === 'block'));
  return request.atomic && open.length < all.length ? [] : open.map((p) => p.app);
}

function semver(tag: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(tag);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function promotionRisks(promotions: readonly AppPromotion[], to: string): Risk[] {
  const risks: Risk[] = [];
  for (const p of promotions) {
    if (!p.from) {
      risks.push({ kind: 'new-app', scope: to, app: p.app, detail: `${p.app} ${p.to.tag} is new to ${to}` });
      continue;
    }
    const a = semver(p.from.tag);
    const b = semver(p.to.tag);
    if (a && b && (b[0] - a[0] || b[1] - a[1] || b[2] - a[2]) < 0) {
      risks.push({
        kind: 'downgrade',
        scope: to,
        app: p.app,
        detail: `${p.app} goes back from ${p.from.tag} to ${p.to.tag}: ${to} runs a newer version than its source`,
      });
    }
  }
  return risks;
}

function changedPaths(plan: SynthPlan): string[] {
  return [...plan.changes.added, ...plan.changes.changed, ...plan.changes.removed]
    .filter((path) => path !== INDEX_PATH)
    .sort(compareStrings);
}

function renderedChanges(
  synthPlan: SynthPlan,
  resolved: ResolvedMatrix,
  previous: GeneratedIndex | undefined,
): TargetChange[] {
  const scopes = new Map<string, FileChange[]>();
  for (const diff of diffPlan(synthPlan, previous)) {
    const raw = synthPlan.index.files[diff.path]?.scope ?? previous?.files[diff.path]?.scope ?? '*';
    const scope = raw === '*' ? 'matrix' : raw;
    const files = scopes.get(scope) ?? [];
    files.push({
      path: diff.path,
      kind: diff.kind,
      ...(diff.object !== undefined && { object: diff.object }),
      additions: diff.additions,
      deletions: diff.deletions,
      patch: diff.patch,
    });
    scopes.set(scope, files);
  }
  const order = new Map(resolved.targets.map((t, i) => [t.id, i]));
  return [...scopes]
    .map(([scope, files]) => {
      const target = resolved.targets.find((t) => t.id === scope);
      files.sort((a, b) => compareStrings(a.path, b.path) || compareStrings(a.object ?? '', b.object ?? ''));
      return {
        scope,
        ...(target && { wave: target.wave, engine: target.engine }),
        files,
        additions: files.reduce((n, f) => n + f.additions, 0),
        deletions: files.reduce((n, f) => n + f.deletions, 0),
      };
    })
    .sort(
      (a, b) =>
        (order.get(a.scope) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.scope) ?? Number.MAX_SAFE_INTEGER) ||
        compareStrings(a.scope, b.scope),
    );
}

function pipeline(
  resolved: ResolvedMatrix,
  pins: PinsByEnvironment,
  apps: readonly string[],
  request: PromotionRequest,
): PipelineStage[] {
  return resolved.environments.flatMap((env) => {
    const waves = wavesOf(resolved, env.name);
    const stageWaves: (number | undefined)[] = waves.length > 1 ? waves : [undefined];
    return stageWaves.map((wave) => {
      const versions: Record<string, string> = {};
      for (const app of apps) {
        const placedWaves = appWaves(resolved, env.name, app);
        const pin =
          wave === undefined
            ? releasedPin(resolved, pins[env.name], env.name, app)
            : placedWaves.includes(wave)
              ? effectivePin(pins[env.name], wave, app)
              : undefined;
        if (pin) versions[app] = pin.tag;
      }
      return {
        env: env.name,
        ...(wave !== undefined && { wave }),
        versions,
        current: env.name === request.to && (wave === undefined || wave === request.wave),
      };
    });
  });
}

function mergeReviewers(...lists: Reviewers[]): Reviewers {
  const users = [...new Set(lists.flatMap((l) => l.users))].sort(compareStrings);
  const teams = [...new Set(lists.flatMap((l) => l.teams))].sort(compareStrings);
  return { users, teams };
}

/**
 * What a synth of the base alone would change in the target environment (a matrix edit nobody synthed):
 * not the promotion's doing, so reviewers are told apart. Compared in memory, unit by unit.
 */
async function driftOf(
  resolved: ResolvedMatrix,
  facts: PlanFacts,
  env: string,
  tree: ReadonlyMap<string, string>,
  index: GeneratedIndex | undefined,
): Promise<string[]> {
  const rendered = await composeLazily(resolved, {
    only: env,
    ...(facts.generators && { generators: facts.generators }),
    ...(facts.renderCache && { cache: facts.renderCache }),
  });
  const stale = [...rendered.values()]
    .filter((file) => tree.get(file.path) !== file.content)
    .map((f) => f.path);
  const gone = Object.entries(index?.files ?? {})
    .filter(([path, entry]) => unitInScope(entry.scope, env) && !rendered.has(path))
    .map(([path]) => path);
  return [...stale, ...gone].sort(compareStrings);
}

/** Plan one promotion PR: (from, to, wave). Pure apart from reading the base's generated/ tree. */
export async function planPromotion(facts: PlanFacts, request: PromotionRequest): Promise<PromotionPlan> {
  const { matrix, target, waves, candidates, upToDate } = evaluate(facts, request);
  const { resolved } = matrix;
  const all = candidates.map((c) => c.promotion);
  const anyBlocked = all.some((p) => p.blocked);
  const promotions = request.atomic && anyBlocked ? [] : all.filter((p) => !p.blocked);
  const blocked = request.atomic && anyBlocked ? all : all.filter((p) => p.blocked);
  // What the PR moves, or while every app is held (on hold) what it would move.
  const moving = promotions.length > 0 ? promotions : blocked;

  let envPins: EnvPins = facts.pins[target.name] ?? { file: target.pinsFile, apps: {} };
  for (const p of promotions)
    envPins = withWavePin(envPins, appWaves(resolved, target.name, p.app), request.wave, p.app, p.to);
  const pinsPath = `${RELEASES_DIR}/${target.name}.json`;
  const pinsContent = serializePins(envPins.apps, PINS_SCHEMA_REF, envPins.waves);

  let drift: string[] = [];
  let changes: TargetChange[] = [];
  let risks: Risk[] = [];
  let synthFiles: [string, string | null][] = [];
  let generated: PromotionPlan['generated'];
  if (promotions.length > 0) {
    const tree = facts.generatedTree ?? (await readTree(facts.generatedDir));
    const baseIndex = parseIndex(tree.get(INDEX_PATH));
    drift = await driftOf(resolved, facts, target.name, tree, baseIndex);
    const next = checkedMatrix(facts.definition, { ...facts.pins, [target.name]: envPins });
    const synthPlan = await planSynth(
      next.resolved,
      {
        outDir: facts.generatedDir,
        only: target.name,
        writeFilesAbove: true,
        current: tree,
        ...(facts.generators && { generators: facts.generators }),
      },
      facts.renderCache,
    );
    changes = renderedChanges(synthPlan, next.resolved, baseIndex);
    generated = {
      files: synthPlan.files,
      unchanged: new Set(
        [...synthPlan.files.keys()].filter(
          (path) => synthPlan.current.get(path) === synthPlan.files.get(path),
        ),
      ),
    };
    const paths = changedPaths(synthPlan);
    synthFiles = paths.map((path) => {
      const content = synthPlan.files.get(path);
      return [path, content === undefined ? null : sha256(content)];
    });
    const versionOnly = versionOnlyPatches(promotions.flatMap((p) => [p.to, ...(p.from ? [p.from] : [])]));
    const worthParsing = changes.flatMap((change) =>
      change.files
        .filter((file) => !versionOnly(file.patch) || holdsMigration(synthPlan.files.get(file.path)))
        .map((file) => ({
          path: file.path,
          scope: change.scope,
          ...(synthPlan.current.has(file.path) && { before: synthPlan.current.get(file.path)! }),
          ...(synthPlan.files.has(file.path) && { after: synthPlan.files.get(file.path)! }),
        })),
    );
    risks = sortRisks([
      ...assessRisks(worthParsing),
      ...promotionRisks(promotions, target.name),
      ...(drift.length > 0
        ? [
            {
              kind: 'drift' as const,
              scope: target.name,
              detail: `${drift.length} generated file(s) on the base branch were stale; this PR brings them up to date too`,
            },
          ]
        : []),
    ]);
  }

  const marker = {
    version: 1 as const,
    hash: sha256(
      canonicalJson({
        version: 1,
        from: request.from,
        to: request.to,
        wave: request.wave,
        promotions: promotions.map((p) => ({ app: p.app, from: p.from ?? null, to: p.to })),
        blocked: blocked.map((p) => ({
          app: p.app,
          to: p.to,
          gates: p.gates.filter((g) => g.status === 'block').map((g) => g.gate),
        })),
        pins: promotions.length > 0 ? sha256(pinsContent) : null,
        files: synthFiles,
      }),
    ).slice(0, 16),
    from: request.from,
    to: request.to,
    wave: request.wave,
    ...(promotions.length > 0 && { proposed: proposals(promotions) }),
  };
  const riskReviewers = risks.length > 0 ? target.riskReviewers : { users: [], teams: [] };
  const stageApps = [...all.map((p) => p.app), ...upToDate].sort(compareStrings);
  const draft: PlanDraft = {
    request,
    branch: promotionBranch(request.from, request.to, request.wave, waves.length),
    base: target.branch,
    waves,
    targets: resolved.targets
      .filter((t) => t.env === target.name && t.wave === request.wave)
      .map((t) => ({ id: t.id, wave: t.wave, engine: t.engine })),
    laterWaves: waves
      .filter((w) => w > request.wave)
      .map((w) => ({
        wave: w,
        targets: resolved.targets.filter((t) => t.env === target.name && t.wave === w).map((t) => t.id),
      })),
    promotions,
    blocked,
    upToDate,
    ...(promotions.length > 0 && { pinsFile: { path: pinsPath, content: pinsContent } }),
    ...(generated && { generated }),
    changes,
    drift,
    risks,
    labels: [PROMOTION_LABEL, envLabel(target.name)],
    reviewers: mergeReviewers(target.reviewers, riskReviewers),
    riskReviewers: mergeReviewers(riskReviewers),
    pipeline: pipeline(resolved, facts.pins, stageApps, request),
    soakSeconds: target.policy.soakSeconds,
    marker,
    evaluatedAt: facts.now.toISOString(),
    trigger: facts.trigger ?? {},
    afterMerge: manualPromotions(
      resolved,
      target.name,
      resolved.targets.filter((t) => t.env === target.name && t.wave === request.wave).map((t) => t.id),
      moving.map((p) => p.app),
    ),
  };
  return {
    ...draft,
    title: renderTitle(draft),
    body: renderBody(draft, facts.codeHost ?? defaultCodeHostProfile),
    commitMessage: renderCommitMessage(draft),
  };
}

/** When an app that is blocked may pass (for reports). */
export function appPassesAt(promotion: AppPromotion): string | undefined {
  return passesAt(promotion.gates);
}
