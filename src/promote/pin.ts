/**
 * `envmatrix pin`: where releases enter. An app repository's CI says "dev runs api 1.6.0"; the pin is
 * validated against the matrix and the environment's policy, written to the pins file, synthed, and
 * then either left in the working tree (local use), committed to the base branch, or proposed as a PR
 * — as the environment's config says: an environment with reviewers gets a PR, one without a commit.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareStrings } from '../core/compare.ts';
import { isScmError } from './scm/errors.ts';
import { MatrixError } from '../matrix/errors.ts';
import { UsageError } from '../core/errors.ts';
import { checkedMatrix, importMatrix, readPins, RELEASES_DIR } from '../matrix/load.ts';
import { DIGEST_PATTERN, effectivePin, serializePins, TAG_PATTERN } from '../matrix/pins.ts';
import type { MatrixDefinition, Pin, PinsByEnvironment, ResolvedEnvironment } from '../matrix/types.ts';
import { resolveMatrix } from '../matrix/resolve.ts';
import { canonicalJson, sha256 } from '../core/canonical.ts';
import { synth } from '../output/synth.ts';
import { envLabel, readMarker, renderMarker } from './naming.ts';
import { PINS_SCHEMA_REF } from './plan.ts';
import type { CodeHostProfile } from './scm/code-host.ts';
import { defaultCodeHostProfile } from './scm/hosts.ts';
import type { CommitIdentity, Scm } from './scm/scm.ts';
import { appWaves, samePin, wavesOf, type EnvPins } from './waves.ts';

export const PIN_LABEL = 'pin';

export interface PinRequest {
  readonly env: string;
  readonly app: string;
  readonly tag: string;
  readonly digest?: string;
  /** Pin one wave only (a rollback of one wave). @default every wave of the environment */
  readonly wave?: number;
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
}

/** Validate a pin against the matrix and the environment's policy and compute the new pins file. */
export function planPin(definition: MatrixDefinition, pins: PinsByEnvironment, request: PinRequest): PinPlan {
  // Resolve without validating: the current pins may be what is wrong (a new app with no pin yet).
  const resolved = resolveMatrix(definition, pins);
  const environment = resolved.environments.find((env) => env.name === request.env);
  if (!environment) {
    throw new UsageError(
      `--env ${request.env} is not an environment; use one of ${resolved.environments.map((e) => e.name).join(', ')}`,
    );
  }
  if (!definition.apps.some((app) => app.name === request.app)) {
    throw new UsageError(
      `--app ${request.app} is not an app; use one of ${definition.apps
        .map((a) => a.name)
        .sort(compareStrings)
        .join(', ')}`,
    );
  }
  const placed = appWaves(resolved, request.env, request.app);
  if (placed.length === 0)
    throw new UsageError(`${request.app} is not placed in ${request.env}; check its placement`);
  if (!TAG_PATTERN.test(request.tag)) {
    throw new UsageError(
      `--tag ${JSON.stringify(request.tag)} is not an image tag (letters, digits, _ . -; at most 128)`,
    );
  }
  if (request.digest !== undefined && !DIGEST_PATTERN.test(request.digest)) {
    throw new UsageError(
      `--digest ${JSON.stringify(request.digest)} is not sha256: followed by 64 lowercase hex digits`,
    );
  }
  if (environment.policy.requireDigest && request.digest === undefined) {
    throw new UsageError(
      `${request.env} requires pins by digest: pass --digest sha256:… for ${request.app} ${request.tag}`,
    );
  }
  if (request.wave !== undefined && !placed.includes(request.wave)) {
    throw new UsageError(
      `${request.app} runs in waves ${placed.join(', ')} of ${request.env}, not wave ${request.wave}`,
    );
  }
  const pin: Pin = { tag: request.tag, ...(request.digest !== undefined && { digest: request.digest }) };
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
  const from = effectivePin(current, request.wave ?? placed[placed.length - 1]!, request.app);
  const where =
    request.wave !== undefined && wavesOf(resolved, request.env).length > 1
      ? `${request.env} wave ${request.wave}`
      : request.env;
  const version = `${request.tag}${request.digest ? ` (${request.digest})` : ''}`;
  const hash = sha256(canonicalJson({ pin: request, from: from ?? null })).slice(0, 16);
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
    body: [
      `Pins **${request.app}** to **${version}** in **${where}**${from ? ` (was ${from.tag})` : ''}.`,
      '',
      `Validated against the matrix and ${request.env}'s policy by \`envmatrix pin\`; generated/ is synthed in this PR.`,
      '',
      renderMarker({ version: 1, hash, from: request.env, to: request.env, wave: request.wave ?? -1 }),
      '',
    ].join('\n'),
    commitMessage: `Pin ${request.app} ${request.tag} in ${where}\n\nEnvmatrix-Pin: ${request.env}/${request.app}@${request.tag}${request.wave !== undefined ? ` wave ${request.wave}` : ''}\n`,
    hash,
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
  await synth(resolved, { outDir: join(dir, 'generated'), only: plan.request.env });
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
  const plan = planPin(definition, await loadPins(options.root), options.request);
  if (plan.unchanged) return { plan, action: 'unchanged' };
  await writeAndSynth(options.root, definition, plan);
  return { plan, action: 'written' };
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
      const plan = planPin(definition, await loadPins(workspace.dir), options.request);
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
