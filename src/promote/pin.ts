/**
 * `envmatrix pin`: where releases enter. An app repository's CI says "dev runs api 1.6.0"; the pin is
 * validated against the matrix and the environment's policy, written to the pins file, synthed, and
 * then either left in the working tree (local use), committed to the base branch, or proposed as a PR
 * — as the environment's config says: an environment with reviewers gets a PR, one without a commit.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareStrings } from '../core/compare.ts';
import { GitOperationError, isScmError, refusalRule } from './scm/errors.ts';
import { MatrixError } from '../matrix/errors.ts';
import { UsageError } from '../core/errors.ts';
import { checkedMatrix, importMatrix, readPins, RELEASES_DIR } from '../matrix/load.ts';
import { DIGEST_PATTERN, effectivePin, serializePins, TAG_PATTERN } from '../matrix/pins.ts';
import type { MatrixDefinition, Pin, PinsByEnvironment, ResolvedEnvironment } from '../matrix/types.ts';
import { resolveMatrix } from '../matrix/resolve.ts';
import { canonicalJson, sha256 } from '../core/canonical.ts';
import { synth } from '../output/synth.ts';
import { envLabel, readMarker, renderMarker } from './naming.ts';
import { PinBlocked } from './errors.ts';
import { manualPromotions } from './after-merge.ts';
import { digestGate, formatInstant, freezeGate } from './gates.ts';
import { renderPinBody } from './render-body.ts';
import type { GateResult, Trigger } from './types.ts';
import { PINS_SCHEMA_REF } from './plan.ts';
import type { CodeHostProfile } from './scm/code-host.ts';
import { defaultCodeHostProfile } from './scm/hosts.ts';
import type { CommitIdentity, Scm } from './scm/scm.ts';
import { appWaves, migratesWithOwnImage, samePin, wavesOf, type EnvPins } from './waves.ts';
import { withWriteLock } from '../output/lock.ts';

export const PIN_LABEL = 'pin';

export interface PinRequest {
  readonly env: string;
  readonly app: string;
  readonly tag: string;
  readonly digest?: string;
  /** The digest of the app's own migration image (`migrate.image`) at `tag`. */
  readonly migrateDigest?: string;
  /**
   * Pin one wave only (a rollback of one wave). @default the environment's first wave when it has
   * several (later waves follow by `envmatrix promote`), unless `allWaves`
   */
  readonly wave?: number;
  /** Pin every wave at once (`--all-waves`): skips the rollout, so only for fixes that cannot wait. */
  readonly allWaves?: boolean;
}

/** The gates a pin passes when it is pushed: the same freeze promote checks, for the environment written. */
export interface PinGateOptions {
  /** Evaluate the freeze at this time; without it, no gate is checked (local edits, plans in tests). */
  readonly now?: Date;
  /** Push through a freeze: the reason, recorded in the commit trailer and the PR body. */
  readonly overrideFreeze?: string;
  /** The base branch and the commit and CI run behind the push, for the PR body's evaluation line. */
  readonly base?: string;
  readonly trigger?: Trigger;
  /** The code host's compare links. @default the default host's */
  readonly codeHost?: CodeHostProfile;
}

export type PinMode = 'commit' | 'pull-request';

export interface PinPlan {
  readonly request: PinRequest;
  readonly environment: ResolvedEnvironment;
  /** What the environment's config asks for: a PR when it names reviewers, else a direct commit. */
  readonly mode: PinMode;
  readonly from?: Pin;
  /** The pin is what the environment already runs: nothing to do. */
  readonly unchanged: boolean;
  readonly pinsFile: { readonly path: string; readonly content: string };
  readonly pins: PinsByEnvironment;
  readonly branch: string;
  readonly title: string;
  readonly body: string;
  readonly commitMessage: string;
  readonly hash: string;
  /** The freeze gate's verdict when gates were checked (pass, or block with an override). */
  readonly freeze?: GateResult;
  /** The waves the pin writes, ascending. */
  readonly waves: readonly number[];
}

/** Validate a pin against the matrix and the environment's policy and compute the new pins file. */
export function planPin(
  definition: MatrixDefinition,
  pins: PinsByEnvironment,
  asked: PinRequest,
  gates: PinGateOptions = {},
): PinPlan {
  // Resolve without validating: the current pins may be what is wrong (a new app with no pin yet).
  const resolved = resolveMatrix(definition, pins);
  const environment = resolved.environments.find((env) => env.name === asked.env);
  if (!environment) {
    throw new UsageError(
      `--env ${asked.env} is not an environment; use one of ${resolved.environments.map((e) => e.name).join(', ')}`,
    );
  }
  if (!definition.apps.some((app) => app.name === asked.app)) {
    throw new UsageError(
      `--app ${asked.app} is not an app; use one of ${definition.apps
        .map((a) => a.name)
        .sort(compareStrings)
        .join(', ')}`,
    );
  }
  const placed = appWaves(resolved, asked.env, asked.app);
  if (placed.length === 0)
    throw new UsageError(`${asked.app} is not placed in ${asked.env}; check its placement`);
  if (asked.allWaves && asked.wave !== undefined)
    throw new UsageError('--all-waves and --wave exclude each other: pass one');
  // A release enters a multi-wave environment through its first wave, as promote moves it (issue 12:
  // a pin that moved all three prod waves at once skipped the rollout).
  const request: PinRequest =
    asked.wave === undefined && !asked.allWaves && placed.length > 1 ? { ...asked, wave: placed[0]! } : asked;
  if (!TAG_PATTERN.test(request.tag)) {
    throw new UsageError(
      `--tag ${JSON.stringify(request.tag)} is not an image tag (letters, digits, _ . -; at most 128)`,
    );
  }
  for (const [flag, digest] of [
    ['--digest', request.digest],
    ['--migrate-digest', request.migrateDigest],
  ] as const) {
    if (digest !== undefined && !DIGEST_PATTERN.test(digest))
      throw new UsageError(
        `${flag} ${JSON.stringify(digest)} is not sha256: followed by 64 lowercase hex digits`,
      );
  }
  if (environment.policy.requireDigest && request.digest === undefined) {
    throw new UsageError(
      `${request.env} requires pins by digest: pass --digest sha256:… for ${request.app} ${request.tag}`,
    );
  }
  const ownMigrationImage = migratesWithOwnImage(resolved, request.env, request.app);
  if (request.migrateDigest !== undefined && !ownMigrationImage) {
    throw new UsageError(
      `--migrate-digest: ${request.app} has no migration image of its own in ${request.env} (migrate.image); leave the flag out`,
    );
  }
  if (environment.policy.requireDigest && ownMigrationImage && request.migrateDigest === undefined) {
    throw new UsageError(
      `${request.env} requires pins by digest, and ${request.app} migrates with an image of its own: pass --migrate-digest sha256:… (its digest at ${request.tag})`,
    );
  }
  if (request.wave !== undefined && !placed.includes(request.wave)) {
    throw new UsageError(
      `${request.app} runs in waves ${placed.join(', ')} of ${request.env}, not wave ${request.wave}`,
    );
  }
  const pin: Pin = {
    tag: request.tag,
    ...(request.digest !== undefined && { digest: request.digest }),
    ...(request.migrateDigest !== undefined && { migrateDigest: request.migrateDigest }),
  };
  const current: EnvPins = pins[request.env] ?? { file: environment.pinsFile, apps: {} };
  const waves: Record<string, Record<string, Pin>> = {};
  for (const [wave, wavePins] of Object.entries(current.waves ?? {})) waves[wave] = { ...wavePins };
  const apps: Record<string, Pin> = { ...current.apps };
  if (request.wave === undefined) {
    apps[request.app] = pin;
    for (const wave of Object.keys(waves)) delete waves[wave]![request.app];
  } else {
    (waves[String(request.wave)] ??= {})[request.app] = pin;
    if (placed.every((w) => samePin(effectivePin({ apps, waves }, w, request.app), pin))) {
      apps[request.app] = pin;
      for (const wave of Object.keys(waves)) delete waves[wave]![request.app];
    }
  }
  const next: EnvPins = { file: current.file, apps, ...(Object.keys(waves).length > 0 && { waves }) };
  const nextPins = { ...pins, [request.env]: next };
  checkedMatrix(definition, nextPins); // the whole matrix stays valid with the new pin
  const checkWaves = request.wave === undefined ? placed : [request.wave];
  const unchanged = checkWaves.every((w) => samePin(effectivePin(current, w, request.app), pin));
  const freeze = gates.now ? freezeGate(environment, gates.now) : undefined;
  const override = gates.overrideFreeze?.trim();
  if (gates.overrideFreeze !== undefined && !override)
    throw new UsageError('--override-freeze needs a reason: --override-freeze "<why this cannot wait>"');
  // A pin that changes nothing writes nothing, so a freeze has nothing to stop.
  if (freeze?.status === 'block' && !override && !unchanged) {
    throw new PinBlocked(
      request.env,
      'freeze',
      freeze.evidence,
      `wait until ${formatInstant(freeze.passesAt!)}, or pass --override-freeze "<reason>" (recorded in the commit and the PR)`,
    );
  }
  const overridden = freeze?.status === 'block' ? override : undefined;
  const written = request.wave === undefined ? placed : [request.wave];
  const targets = resolved.targets
    .filter(
      (t) => t.env === request.env && written.includes(t.wave) && t.apps.some((a) => a.name === request.app),
    )
    .map((t) => t.id);
  const from = effectivePin(current, request.wave ?? placed[placed.length - 1]!, request.app);
  // The app's waves after the pin's: each follows through `envmatrix promote`.
  const laterWaves = placed
    .filter((w) => w > Math.max(...written))
    .map((w) => ({
      wave: w,
      targets: resolved.targets
        .filter((t) => t.env === request.env && t.wave === w && t.apps.some((a) => a.name === request.app))
        .map((t) => t.id),
    }));
  const codeHost = gates.codeHost ?? defaultCodeHostProfile;
  const image = definition.apps.find((a) => a.name === request.app)?.image;
  const compareUrl = image ? codeHost.compareUrl(image, from?.tag, request.tag) : undefined;
  const where =
    request.wave !== undefined && wavesOf(resolved, request.env).length > 1
      ? `${request.env} wave ${request.wave}`
      : request.env;
  const hash = sha256(
    canonicalJson({ pin: request, from: from ?? null, ...(overridden && { override: overridden }) }),
  ).slice(0, 16);
  const trailers = [
    `Envmatrix-Pin: ${request.env}/${request.app}@${request.tag}${request.wave !== undefined ? ` wave ${request.wave}` : ''}`,
    ...(overridden ? [`Envmatrix-Override-Freeze: ${overridden}`] : []),
  ];
  return {
    request,
    environment,
    mode:
      environment.reviewers.users.length + environment.reviewers.teams.length > 0 ? 'pull-request' : 'commit',
    ...(from && { from }),
    unchanged,
    pinsFile: {
      path: `${RELEASES_DIR}/${request.env}.json`,
      content: serializePins(apps, PINS_SCHEMA_REF, next.waves),
    },
    pins: nextPins,
    branch: `envmatrix/promote/pin-${request.env}-${request.app}`,
    title: `Pin ${request.app} ${request.tag} in ${where}`,
    body: renderPinBody({
      env: request.env,
      app: request.app,
      ...(from && { from }),
      to: pin,
      where,
      written,
      waves: placed,
      laterWaves,
      soakSeconds: environment.policy.soakSeconds,
      targets: resolved.targets
        .filter((t) => targets.includes(t.id))
        .map((t) => ({ id: t.id, wave: t.wave, engine: t.engine })),
      digest: digestGate(pin, environment, ownMigrationImage),
      ...(freeze && { freeze }),
      ...(overridden && { overridden }),
      ...(compareUrl && { compareUrl }),
      afterMerge: manualPromotions(resolved, request.env, targets, [request.app]),
      ...(gates.now && {
        evaluation: { at: gates.now.toISOString(), base: gates.base ?? 'main', trigger: gates.trigger ?? {} },
      }),
      marker: renderMarker({
        version: 1,
        hash,
        from: request.env,
        to: request.env,
        wave: request.wave ?? -1,
      }),
    }),
    commitMessage: `Pin ${request.app} ${request.tag} in ${where}\n\n${trailers.join('\n')}\n`,
    hash,
    ...(freeze && { freeze }),
    waves: written,
  };
}

export interface PinOutcome {
  readonly plan: PinPlan;
  readonly action: 'written' | 'unchanged' | 'committed' | 'opened' | 'updated';
  readonly sha?: string;
  readonly pullRequest?: { readonly number: number; readonly url: string };
}

async function writeAndSynth(dir: string, definition: MatrixDefinition, plan: PinPlan): Promise<void> {
  await writeFile(join(dir, plan.pinsFile.path), plan.pinsFile.content);
  const { resolved } = checkedMatrix(definition, plan.pins);
  await synth(resolved, { outDir: join(dir, 'generated'), only: plan.request.env, writeFilesAbove: true });
}

async function loadPins(dir: string): Promise<PinsByEnvironment> {
  const { pins, issues } = await readPins(dir);
  if (issues.length > 0) throw new MatrixError(issues);
  return pins;
}

/** Local use: edit the pins file and generated/ in the checkout; the user commits. */
export async function pinInWorkingTree(options: {
  root: string;
  matrixFile?: string;
  request: PinRequest;
}): Promise<PinOutcome> {
  const definition = await importMatrix(options.root, options.matrixFile);
  // The pins file is read and written under the same lock as generated/: a concurrent synth or pin
  // never sees one without the other.
  return withWriteLock(
    join(options.root, 'generated'),
    async (): Promise<PinOutcome> => {
      const plan = planPin(definition, await loadPins(options.root), options.request);
      if (plan.unchanged) return { plan, action: 'unchanged' };
      await writeAndSynth(options.root, definition, plan);
      return { plan, action: 'written' };
    },
    { command: 'pin' },
  );
}

export interface PushPinOptions {
  readonly scm: Scm;
  readonly request: PinRequest;
  readonly matrixFile?: string;
  /** @default 'main' */
  readonly base?: string;
  /** @default the environment's config */
  readonly mode?: PinMode;
  /** @default the code host's bot identity */
  readonly identity?: CommitIdentity;
  /** The code host's profile (its bot identity). @default the default host's */
  readonly codeHost?: CodeHostProfile;
  /** @default new Date() */
  readonly now?: Date;
  /** Tries when the base moves under a direct commit. @default 3 */
  readonly attempts?: number;
  /** Push through the environment's freeze, for this reason. */
  readonly overrideFreeze?: string;
  /** The CI run behind the push, for the PR body. */
  readonly runUrl?: string;
}

/** The remote refused a direct commit to `base`: say which rule, and that a PR is the way through. */
function refusedDirectCommit(base: string, error: { readonly detail: string }): GitOperationError {
  const rule = refusalRule(error.detail);
  return new GitOperationError(
    `push ${base}`,
    error.detail,
    `${base} is protected${rule ? ` (the remote said: ${rule})` : ''}: use --mode pr`,
    'refused',
  );
}

/** CI use: commit the pin to the base branch, or open (or update) its PR, from a fresh worktree. */
export async function pushPin(options: PushPinOptions): Promise<PinOutcome> {
  const { scm } = options;
  const base = options.base ?? 'main';
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const fetched = await scm.fetch(base);
    const workspace = await scm.openWorkspace(fetched.base);
    try {
      const definition = await importMatrix(workspace.dir, options.matrixFile);
      const plan = planPin(definition, await loadPins(workspace.dir), options.request, {
        now: options.now ?? new Date(),
        ...(options.overrideFreeze !== undefined && { overrideFreeze: options.overrideFreeze }),
        base,
        trigger: { commit: fetched.base, ...(options.runUrl && { runUrl: options.runUrl }) },
        ...(options.codeHost && { codeHost: options.codeHost }),
      });
      const mode = options.mode ?? plan.mode;
      if (plan.unchanged && mode === 'commit') return { plan, action: 'unchanged' };
      await writeAndSynth(workspace.dir, definition, plan);
      const tree = await scm.stageAll(workspace);
      const identity = options.identity ?? (options.codeHost ?? defaultCodeHostProfile).botIdentity;
      const now = options.now ?? new Date();
      if (mode === 'commit') {
        const sha = await scm.commitTree(workspace, tree, fetched.base, plan.commitMessage, identity, now);
        try {
          await scm.push(base, sha, { force: false });
          return { plan, action: 'committed', sha };
        } catch (error) {
          // The base moved between fetch and push: start again from the new base.
          if (isScmError(error, 'conflict') && attempt < attempts) continue;
          // A protected branch or a hook: another try gets the same answer, a PR does not.
          if (isScmError(error, 'refused')) throw refusedDirectCommit(base, error);
          throw error;
        }
      }
      const prs = await scm.pullRequests(plan.branch, base);
      const open = prs.find((pr) => pr.state === 'open');
      if (plan.unchanged && !open) return { plan, action: 'unchanged' };
      const head = fetched.branches.get(plan.branch);
      const current = head?.tree === tree && head.parents[0] === fetched.base;
      if (!current) {
        const sha = await scm.commitTree(workspace, tree, fetched.base, plan.commitMessage, identity, now);
        await scm.push(plan.branch, sha, { force: true, ...(head && { expected: head.sha }) });
      }
      if (open) {
        const changed = readMarker(open.body)?.hash !== plan.hash;
        if (changed) await scm.updatePullRequest(open.number, { title: plan.title, body: plan.body });
        const action = changed || !current ? 'updated' : 'unchanged';
        return { plan, action, pullRequest: { number: open.number, url: open.url } };
      }
      const pr = await scm.createPullRequest({
        branch: plan.branch,
        base,
        title: plan.title,
        body: plan.body,
      });
      await scm.requestReviewers(pr.number, plan.environment.reviewers);
      await scm.addLabels(pr.number, [PIN_LABEL, envLabel(plan.request.env)]);
      return { plan, action: 'opened', pullRequest: { number: pr.number, url: pr.url } };
    } finally {
      await scm.closeWorkspace(workspace);
    }
  }
}
