/**
 * A model-based differential test of synth's four caches (the render cache, the stat cache, the matrix
 * cache and the up-to-date record), through the real CLI. fast-check generates what users and tools do
 * to a project between two synths: pin bumps and reverts, matrix module edits (one that adds and
 * removes files, one that adds a cluster), hand edits of generated/ (one that keeps the size and puts
 * the mtime back, also on a tree the caches trust), deleted files and folders, files synth did not
 * write, damaged, deleted or stale (restored) cache files, `synth --only`, `synth --no-cache` and
 * `envmatrix pin` writing without the caches, synths killed mid-write, two synths at once, edits that
 * make the matrix invalid. Each is followed by a plain, cached `envmatrix synth`.
 *
 * The oracle: after every plain synth, generated/ holds what a synth without any cache writes.
 * - `envmatrix synth --check` (no cache of any kind) exits 0, or 1 listing as extra exactly the files
 *   the run put into generated/ by hand (flux-system/ ones aside: bootstrap-owned, never extra);
 * - the bytes of generated/ (hand-added files aside) equal those a second project with the same sources
 *   gets from `synth --no-cache` into an empty generated/. That costs a full render, so it is memoized
 *   per source state (runs come back to the same pins) and computed in the second project on the other
 *   core while the run goes on; a difference fails the run at its end, naming the step;
 * - synth warns about exactly the hand-added files, keeps them byte for byte, and leaves nothing of
 *   its own beside generated/ (the writer's scratch, the lock), as an uncached synth does.
 * A synth that must refuse (an invalid matrix, the removal guard) exits 1 and leaves generated/ as it
 * was, byte for byte; `--only` leaves every file outside its selection as it was, and writes inside it
 * what an uncached synth writes there.
 *
 * Each run starts from one template project (synthesized cold once, its caches included), copied to the
 * same path every time: the caches are keyed on the project's path, and a restored copy is what a CI
 * cache restore gives (new inodes and ctimes, same bytes and mtimes).
 *
 * CI runs a fixed seed. To hunt for defects locally (each run takes 20-40 s):
 *   ENVMATRIX_MODEL_SEED=<n>   another seed (default 1038)
 *   ENVMATRIX_MODEL_RUNS=<n>   runs (default 2)
 *   ENVMATRIX_MODEL_STEPS=<n>  most steps per run (default 8)
 *   ENVMATRIX_MODEL_MIN_STEPS=<n>  fewest steps per run (default 5; a failure shrinks no shorter)
 *   ENVMATRIX_MODEL_CHECK_EVERY=<n>    `synth --check` after every n-th plain synth (default 2)
 *   ENVMATRIX_MODEL_COMPARE_EVERY=<n>  the reference comparison after every n-th one (default 2, on the
 *                              synths --check skips); both also at the end of each run. 1 and 1: both
 *                              after every synth
 *   ENVMATRIX_MODEL_SHRINK=1   shrink a failing sequence (slow: every try runs the CLI)
 *   ENVMATRIX_MODEL_PATH=<p>   replay one counterexample (with its seed; fast-check prints both)
 *   ENVMATRIX_MODEL_KILLS=1    also kill synths mid-write (left out by default: timing decides where
 *                              a kill lands, and CI's run must be deterministic)
 *   ENVMATRIX_MODEL_LOG=1      print each run's steps
 * e.g. ENVMATRIX_MODEL_SEED=$RANDOM ENVMATRIX_MODEL_RUNS=30 ENVMATRIX_MODEL_KILLS=1 \
 *        npx vitest run test/output/cache-model.test.ts
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync, watch } from 'node:fs';
import {
  appendFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envmatrix } from '../cli/run.ts';
import { fillUserProject } from '../support/project-copy.ts';
import { projectRoot } from '../support/tools.ts';

const numberFromEnv = (name: string, fallback: number): number => {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : Number(value);
};

const SEED = numberFromEnv('ENVMATRIX_MODEL_SEED', 1038);
const RUNS = numberFromEnv('ENVMATRIX_MODEL_RUNS', 2);
const MAX_STEPS = numberFromEnv('ENVMATRIX_MODEL_STEPS', 8);
const MIN_STEPS = Math.min(MAX_STEPS, numberFromEnv('ENVMATRIX_MODEL_MIN_STEPS', 5));
const CHECK_EVERY = numberFromEnv('ENVMATRIX_MODEL_CHECK_EVERY', 2);
const COMPARE_EVERY = numberFromEnv('ENVMATRIX_MODEL_COMPARE_EVERY', 2);
/** Whether the n-th plain synth gets `--check`, and the reference comparison (offset: the others). */
const checkDue = (synths: number) => synths % CHECK_EVERY === 0;
const compareDue = (synths: number) => (synths + 1) % COMPARE_EVERY === 0;
const SHRINK = process.env.ENVMATRIX_MODEL_SHRINK === '1';
const REPLAY_PATH = process.env.ENVMATRIX_MODEL_PATH;
const LOG = process.env.ENVMATRIX_MODEL_LOG === '1';
/**
 * Synths killed mid-write: where a kill lands depends on the scheduler, so they are left out of the
 * default (CI) run, which must pass or fail the same way every time.
 */
const KILLS = process.env.ENVMATRIX_MODEL_KILLS === '1';

const ENVS = ['dev', 'staging', 'prod'] as const;
const APPS = ['api', 'report', 'web', 'worker'] as const;
const BASE_TARGETS = [
  'dev/aws/us-east-1/main',
  'staging/aws/us-east-1/main',
  'staging/gcp/europe-west1/main',
  'prod/aws/us-east-1/main',
  'prod/aws/eu-west-1/main',
  'prod/azure/westeurope/main',
  'prod/onprem/dc1/main',
];
/** The cluster the "second dev cluster" edit adds (and whose removal the removal guard refuses). */
const DEV_EU_TARGET = 'dev/aws/eu-west-1/main';

const API_MODULE = 'src/apps/api.ts';
const WORKER_MODULE = 'src/apps/worker.ts';
const ENVIRONMENTS_MODULE = 'src/environments/index.ts';
const pinsFile = (env: string) => `src/environments/releases/${env}.json`;

const CACHE = 'node_modules/.cache/envmatrix';
const CACHES = ['render log', 'stat cache', 'matrix entry', 'up-to-date record'] as const;
type CacheName = (typeof CACHES)[number];

const execFileAsync = promisify(execFile);
const BIN = join(projectRoot, 'bin/envmatrix.js');
const hourAgo = () => new Date(Date.now() - 3_600_000);

// ---------------------------------------------------------------------------------------------------
// The model: what the sources say and what the run put into generated/ by hand. Everything else is
// the oracle's business (an uncached synth), not the model's.

type PoolSize = '10' | '12' | '16';

interface Model {
  /** Each pin's tags as the run set them, `<env>/<app>` → oldest first; the last is in force. */
  readonly pinHistory: Map<string, string[]>;
  /** worker's placement no longer excludes onprem: its files appear on prod/onprem/dc1/main. */
  workerOnPrem: boolean;
  /** A second dev cluster (DEV_EU_TARGET) in src/environments/index.ts. */
  devEuCluster: boolean;
  /** Files put into generated/ by hand: path → bytes. */
  readonly unmanaged: Map<string, string>;
  /** Plain synths so far (the cadence of `--check`). */
  synths: number;
}

/** One run's project, its step log (every assertion names it) and the reference comparisons. */
interface Run {
  readonly root: string;
  readonly scratch: string;
  readonly steps: string[];
  readonly references: References;
  /** The four caches' files after each plain synth so far (path → bytes as latin1), oldest first. */
  readonly cacheHistory: Map<string, string>[];
}

type CliResult = Awaited<ReturnType<typeof envmatrix>>;

/** Everything known about the path to a failure: the steps so far and the last command's output. */
function explain(run: Run, what: string, result?: CliResult): string {
  return [
    what,
    'after these steps (each followed by a plain synth unless it says otherwise):',
    ...run.steps.map((step, i) => `  ${i + 1}. ${step}`),
    ...(result ? ['--- stdout', result.stdout, '--- stderr', result.stderr] : []),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Files.

/** Every file under `dir` (relative, forward slashes) with its bytes as latin1, so any byte counts. */
async function readTreeBytes(dir: string): Promise<Map<string, string>> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const paths = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
  const contents = await Promise.all(paths.map((path) => readFile(join(dir, path), 'latin1')));
  return new Map(paths.map((path, i) => [path, contents[i]!]));
}

/** Where two texts first differ, with a little context: enough to tell a stale tag from a hand edit. */
function firstDifference(actual: string, expected: string): string {
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const around = (text: string) => JSON.stringify(text.slice(Math.max(0, i - 40), i + 40));
  return `at byte ${i}: ${around(actual)} where an uncached synth has ${around(expected)}`;
}

/** The differences between two trees, one line each; empty when they are equal. */
function treeDifferences(actual: ReadonlyMap<string, string>, expected: ReadonlyMap<string, string>) {
  const lines: string[] = [];
  for (const [path, content] of expected) {
    const found = actual.get(path);
    if (found === undefined) lines.push(`missing ${path}`);
    else if (found !== content) lines.push(`differs ${path} ${firstDifference(found, content)}`);
  }
  for (const path of actual.keys()) if (!expected.has(path)) lines.push(`extra ${path}`);
  return lines;
}

/** The same rule as flux bootstrap's folder in src/output/bootstrap-owned.ts, kept here on purpose. */
const FLUX_BOOTSTRAP = /^flux\/[^/]+\/[^/]+\/[^/]+\/[^/]+\/flux-system\//;

/** Hand-added files synth warns about and `--check` lists as extra (flux-system/ ones are neither). */
const reportedUnmanaged = (model: Model) =>
  [...model.unmanaged.keys()].filter((path) => !FLUX_BOOTSTRAP.test(path)).sort();

/** The generated files a step may edit or delete: what synth wrote, index.json aside. */
async function managedFiles(run: Run, model: Model): Promise<string[]> {
  const tree = await readTreeBytes(join(run.root, 'generated'));
  return [...tree.keys()].filter((path) => path !== 'index.json' && !model.unmanaged.has(path));
}

const pick = <T>(list: readonly T[], n: number): T => list[n % list.length]!;

/** The matrix sources (the modules and the pins): what the reference project gets a copy of. */
async function readSources(root: string): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  for (const dir of ['src/apps', 'src/environments'])
    for (const [path, content] of await readTreeBytes(join(root, dir)))
      sources.set(`${dir}/${path}`, content);
  return sources;
}

function sourcesKey(sources: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const [path, content] of [...sources].sort(([a], [b]) => (a < b ? -1 : 1)))
    hash.update(`${path}\u0000${content.length}\u0000`).update(content, 'latin1');
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------------------------------
// The matrix modules in each state the model knows, made from the example's own text.

const pristine = {
  api: await readFile(join(projectRoot, API_MODULE), 'utf8'),
  worker: await readFile(join(projectRoot, WORKER_MODULE), 'utf8'),
  environments: await readFile(join(projectRoot, ENVIRONMENTS_MODULE), 'utf8'),
};

/** `text` with `from` replaced; throws when the example no longer has `from` (update the test then). */
function replaceOnce(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`the example matrix no longer contains ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

const POOL_SIZE = "DB_POOL_SIZE: '10'";
const WORKER_PLACEMENT = "  placement: { exclude: [{ cloud: 'onprem' }] },\n";
const DEV_CLUSTER = "    aws('dev', 'us-east-1', { network: { vpcCidr: '10.10.0.0/16' }, gateway }),\n";
const DEV_EU_CLUSTER = "    aws('dev', 'eu-west-1', { network: { vpcCidr: '10.11.0.0/16' }, gateway }),\n";

const apiSource = (size: PoolSize) => replaceOnce(pristine.api, POOL_SIZE, `DB_POOL_SIZE: '${size}'`);
const workerSource = (onPrem: boolean) =>
  onPrem ? replaceOnce(pristine.worker, WORKER_PLACEMENT, '') : pristine.worker;
const environmentsSource = (devEu: boolean) =>
  devEu
    ? replaceOnce(pristine.environments, DEV_CLUSTER, DEV_CLUSTER + DEV_EU_CLUSTER)
    : pristine.environments;
// Checked once up front, so a changed example fails here rather than inside a run.
apiSource('12');
workerSource(true);
environmentsSource(true);

/**
 * Write a matrix module. `aged`: dated an hour back, as an edit made a while ago, which the matrix cache
 * may save; otherwise it is racy (seconds old) and the load after it saves no entry.
 */
async function writeModule(run: Run, path: string, text: string, aged: boolean): Promise<void> {
  await writeFile(join(run.root, path), text);
  if (aged) await utimes(join(run.root, path), hourAgo(), hourAgo());
}

/**
 * Set one app's tag in an environment's pins file, in place, digest kept (its first `"<app>": {"tag"`:
 * the environment's own pin, not a wave's, which `envmatrix pin` may add).
 */
async function setPin(run: Run, model: Model, env: string, app: string, tag: string): Promise<void> {
  const file = join(run.root, pinsFile(env));
  const text = await readFile(file, 'utf8');
  const was = await currentTag(run, env, app);
  await writeFile(file, text.replace(pinPattern(app), `$1${tag}$3`));
  recordPin(model, env, app, was, tag);
}

const pinPattern = (app: string) => new RegExp(`("${app}":\\s*\\{\\s*"tag":\\s*")([^"]*)(")`);

/** The tag of an app's pin in an environment's pins file (its own, not a wave's). */
async function currentTag(run: Run, env: string, app: string): Promise<string> {
  const found = pinPattern(app).exec(await readFile(join(run.root, pinsFile(env)), 'utf8'));
  if (!found) throw new Error(`no tag of ${app} in ${pinsFile(env)}`);
  return found[2]!;
}

/** Note a pin's new tag in the model, its first one (the example's) included, so a revert can go back to it. */
function recordPin(model: Model, env: string, app: string, was: string, tag: string): void {
  const history = model.pinHistory.get(`${env}/${app}`) ?? [was];
  model.pinHistory.set(`${env}/${app}`, [...history, tag]);
}

// ---------------------------------------------------------------------------------------------------
// The oracle.

/**
 * The reference: what `synth --no-cache` writes into an empty generated/ of a second project with the
 * same sources. Memoized by the sources' bytes, and computed one at a time in the background, so the run
 * goes on meanwhile; `settle` awaits them and compares.
 */
class References {
  private readonly trees = new Map<string, Promise<Map<string, string>>>();
  private queue: Promise<unknown> = Promise.resolve();
  private pending: {
    readonly tree: Promise<Map<string, string>>;
    readonly actual: ReadonlyMap<string, string>;
    readonly only: string | undefined;
    readonly what: string;
    readonly run: Run;
  }[] = [];

  constructor(private readonly root: string) {}

  /**
   * Compare `actual` with the reference of `sources` when it is ready; with `only`, just the files of
   * units inside that selection (as each tree's index.json scopes them).
   */
  compareLater(
    run: Run,
    sources: ReadonlyMap<string, string>,
    actual: ReadonlyMap<string, string>,
    what: string,
    only?: string,
  ): void {
    const tree = this.treeOf(sources);
    // Awaited in settle; marked handled now so a failure does not surface as an unhandled rejection.
    tree.catch(() => undefined);
    // The steps so far, not those of the run when it settles.
    this.pending.push({ tree, actual, only, what, run: { ...run, steps: [...run.steps] } });
  }

  /** Await every comparison asked for since the last settle, and fail on the first difference. */
  async settle(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    for (const { tree, actual, only, what, run } of pending) {
      const expected = await tree;
      const [mine, theirs] =
        only === undefined ? [actual, expected] : [selection(actual, only), selection(expected, only)];
      expect(treeDifferences(mine, theirs), explain(run, what)).toEqual([]);
    }
  }

  /** Forget the comparisons of a run that failed anyway. */
  discard(): void {
    this.pending = [];
  }

  /** The reference tree of these sources (computed once, one at a time). */
  private treeOf(sources: ReadonlyMap<string, string>): Promise<Map<string, string>> {
    const key = sourcesKey(sources);
    let tree = this.trees.get(key);
    if (!tree) {
      tree = this.queue.then(() => this.synthesize(sources));
      this.queue = tree.catch(() => undefined);
      this.trees.set(key, tree);
    }
    return tree;
  }

  private async synthesize(sources: ReadonlyMap<string, string>): Promise<Map<string, string>> {
    for (const dir of ['src/apps', 'src/environments', 'generated'])
      await rm(join(this.root, dir), { recursive: true, force: true });
    for (const [path, content] of sources) {
      await mkdir(dirname(join(this.root, path)), { recursive: true });
      await writeFile(join(this.root, path), content, 'latin1');
    }
    const result = await envmatrix(this.root, 'synth', '--no-cache');
    if (result.code !== 0)
      throw new Error(`the reference synth --no-cache failed:\n${result.stdout}\n${result.stderr}`);
    return readTreeBytes(join(this.root, 'generated'));
  }
}

/** The scope of each file, as a tree's index.json records it. */
function scopesOf(tree: ReadonlyMap<string, string>): Record<string, { readonly scope: string } | undefined> {
  const text = tree.get('index.json');
  return text === undefined ? {} : (JSON.parse(text) as { files: Record<string, { scope: string }> }).files;
}

/** A unit scope inside an `--only` selector: the rule the README gives for --only, kept here on purpose. */
const insideSelector = (scope: string, only: string) => scope === only || scope.startsWith(`${only}/`);

/** The files of a tree whose unit is inside `only` (index.json aside). */
function selection(tree: ReadonlyMap<string, string>, only: string): Map<string, string> {
  const scopes = scopesOf(tree);
  return new Map([...tree].filter(([path]) => insideSelector(scopes[path]?.scope ?? '', only)));
}

/** A plain synth, with --verbose so a failure message says where the matrix came from. */
const plainSynth = (run: Run, ...args: string[]) => envmatrix(run.root, '--verbose', 'synth', ...args);

/** The sections `synth --check` printed: stale, missing and extra paths. */
function checkSections(output: string): Record<'stale' | 'missing' | 'extra', string[]> {
  const sections = { stale: [] as string[], missing: [] as string[], extra: [] as string[] };
  let current: string[] | undefined;
  for (const line of output.split('\n')) {
    const heading = /^(stale|missing|extra) — /.exec(line);
    if (heading) current = sections[heading[1] as keyof typeof sections];
    else if (current && line.startsWith('  generated/')) current.push(line.slice('  generated/'.length));
    else current = undefined;
  }
  return sections;
}

/** `synth --check` finds generated/ current: exit 0, or 1 listing exactly the hand-added files. */
async function expectCheckAgrees(run: Run, model: Model): Promise<void> {
  const result = await envmatrix(run.root, 'synth', '--check');
  const extra = reportedUnmanaged(model);
  const sections = checkSections(`${result.stdout}\n${result.stderr}`);
  const what = 'synth --check disagrees with the plain synth before it';
  expect({ code: result.code, ...sections }, explain(run, what, result)).toEqual({
    code: extra.length > 0 ? 1 : 0,
    stale: [],
    missing: [],
    extra,
  });
}

/**
 * After a plain synth that must succeed: exit 0, every hand-added file still there with its bytes and
 * warned about (flux-system/ aside), nothing of the synth's own left beside generated/, and, at their
 * cadences, `--check` agrees and generated/ is queued for comparison with an uncached synth.
 */
async function expectSynthesized(
  run: Run,
  model: Model,
  result: CliResult,
  what = 'plain synth',
): Promise<void> {
  expect(result.code, explain(run, `${what} failed`, result)).toBe(0);
  model.synths++;
  note(run, `→ ${howSynthesized(result)}`);
  const warned = [...result.stderr.matchAll(/^warning: generated\/(.+) was not written by envmatrix/gm)]
    .map((match) => match[1]!)
    .sort();
  expect(warned, explain(run, `${what} warned about other files than the hand-added ones`, result)).toEqual(
    reportedUnmanaged(model),
  );
  // The writer's scratch (staging and backup folders, journal) and the lock are gone once a synth is
  // done, a dead run's included: an uncached synth recovers from one and takes over its stale lock.
  const beside = (await readdir(run.root)).filter((name) => name.startsWith('generated.'));
  expect(beside, explain(run, `${what} left a synth's scratch or lock beside generated/`, result)).toEqual(
    [],
  );
  const tree = await readTreeBytes(join(run.root, 'generated'));
  for (const [path, content] of model.unmanaged)
    expect(tree.get(path), explain(run, `${what} did not keep generated/${path} as it was`)).toBe(content);
  if (checkDue(model.synths)) await expectCheckAgrees(run, model);
  if (compareDue(model.synths)) await compareWithReference(run, model, tree);
  run.cacheHistory.push(await cacheSnapshot(run.root));
}

/** Queue generated/ (hand-added files aside) for comparison with an uncached synth of the same sources. */
async function compareWithReference(run: Run, model: Model, tree: ReadonlyMap<string, string>) {
  const managed = new Map([...tree].filter(([path]) => !model.unmanaged.has(path)));
  run.references.compareLater(
    run,
    await readSources(run.root),
    managed,
    `generated/ after step ${run.steps.length} differs from an uncached synth of the same sources`,
  );
}

/** What a synth's --verbose output says it took from the caches and did, for the step log. */
function howSynthesized(result: CliResult): string {
  const { stdout, stderr } = result;
  const matrix = /matrix: unchanged since/.test(stderr)
    ? 'matrix from the cache'
    : /matrix: loaded the pins only/.test(stderr)
      ? 'pins only'
      : /matrix: loaded/.test(stderr)
        ? 'matrix loaded'
        : 'matrix ?';
  const cached = /not cached: /.test(stderr) ? ' (not cached)' : '';
  const upToDate = /generated: holds what this matrix renders to/.test(stderr) ? ', nothing rendered' : '';
  const wrote = /synth: (\d+ added, \d+ changed, \d+ removed)/.exec(stdout)?.[1] ?? 'up to date';
  return `${matrix}${cached}; ${wrote}${upToDate}`;
}

/** A plain synth after the step, which must succeed. */
async function synthesizes(run: Run, model: Model): Promise<void> {
  await expectSynthesized(run, model, await plainSynth(run));
}

/** A synth that must refuse: exit 1 (`reason` in its output), generated/ left byte for byte. */
async function expectRefused(
  run: Run,
  before: ReadonlyMap<string, string>,
  result: CliResult,
  reason: RegExp,
): Promise<void> {
  const what = 'a synth that must refuse';
  expect(result.code, explain(run, `${what} did not exit 1`, result)).toBe(1);
  expect(
    `${result.stdout}${result.stderr}`,
    explain(run, `${what} refused for another reason`, result),
  ).toMatch(reason);
  const after = await readTreeBytes(join(run.root, 'generated'));
  expect(treeDifferences(after, before), explain(run, `${what} changed generated/`, result)).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------
// The steps. Each logs what it did (with what it picked at run time), then synthesizes.

class Step implements fc.AsyncCommand<Model, Run> {
  constructor(
    private readonly label: string,
    private readonly act: (model: Model, run: Run) => Promise<void>,
    private readonly applies: (model: Readonly<Model>) => boolean = () => true,
  ) {}

  check(model: Readonly<Model>): boolean {
    return this.applies(model);
  }

  async run(model: Model, run: Run): Promise<void> {
    run.steps.push(this.label);
    await this.act(model, run);
  }

  toString(): string {
    return this.label;
  }
}

/** Add to the last logged step what it picked at run time (a file, a pin). */
const note = (run: Run, detail: string) => {
  run.steps[run.steps.length - 1] += `: ${detail}`;
};

const tagArb = fc.integer({ min: 0, max: 4 }).map((n) => `7.${n}.0`);
const envArb = fc.constantFrom(...ENVS);
const appArb = fc.constantFrom(...APPS);
const choiceArb = fc.nat({ max: 999 });

const bumpPin = fc.record({ env: envArb, app: appArb, tag: tagArb }).map(
  ({ env, app, tag }) =>
    new Step(`bump pin ${env}/${app} to ${tag}`, async (model, run) => {
      await setPin(run, model, env, app, tag);
      await synthesizes(run, model);
    }),
);

/** Back to a tag the pin had earlier in the run: the render cache may still hold its renders. */
const revertPin = fc.record({ pin: choiceArb, back: fc.integer({ min: 1, max: 3 }) }).map(
  ({ pin, back }) =>
    new Step(
      `revert a bumped pin (choice ${pin}, ${back} back)`,
      async (model, run) => {
        const bumped = [...model.pinHistory].filter(([, tags]) => tags.length > 1).map(([key]) => key);
        const key = pick(bumped, pin);
        const tags = model.pinHistory.get(key)!;
        const tag = tags[Math.max(0, tags.length - 1 - back)]!;
        note(run, `${key} back to ${tag}`);
        const [env, app] = key.split('/') as [string, string];
        await setPin(run, model, env, app, tag);
        await synthesizes(run, model);
      },
      (model) => [...model.pinHistory.values()].some((tags) => tags.length > 1),
    ),
);

/** A matrix module value edited, and sometimes a pin with it (then the modules and the pins changed). */
const editPoolSize = fc
  .record({
    size: fc.constantFrom<PoolSize>('10', '12', '16'),
    aged: fc.boolean(),
    pin: fc.option(fc.record({ env: envArb, app: appArb, tag: tagArb }), { nil: undefined }),
  })
  .map(
    ({ size, aged, pin }) =>
      new Step(
        `set api's DB_POOL_SIZE to ${size} (${aged ? 'aged' : 'fresh'} module)${pin ? ` and bump pin ${pin.env}/${pin.app} to ${pin.tag}` : ''}`,
        async (model, run) => {
          await writeModule(run, API_MODULE, apiSource(size), aged);
          if (pin) await setPin(run, model, pin.env, pin.app, pin.tag);
          await synthesizes(run, model);
        },
      ),
  );

/** Files appear on (and vanish from) prod/onprem/dc1/main: index.json and pruning at work. */
const toggleWorkerOnPrem = fc.boolean().map(
  (aged) =>
    new Step(
      `toggle worker's placement on onprem (${aged ? 'aged' : 'fresh'} module)`,
      async (model, run) => {
        model.workerOnPrem = !model.workerOnPrem;
        note(run, model.workerOnPrem ? 'now placed there' : 'excluded again');
        await writeModule(run, WORKER_MODULE, workerSource(model.workerOnPrem), aged);
        await synthesizes(run, model);
      },
    ),
);

/**
 * A second dev cluster: added, a target and a Terraform stack appear; removed, half of dev's
 * Applications would go, which the removal guard refuses until `--allow-removals`.
 */
const toggleDevCluster = fc.boolean().map(
  (aged) =>
    new Step(`toggle a second dev cluster (${aged ? 'aged' : 'fresh'} module)`, async (model, run) => {
      model.devEuCluster = !model.devEuCluster;
      await writeModule(run, ENVIRONMENTS_MODULE, environmentsSource(model.devEuCluster), aged);
      if (model.devEuCluster) {
        note(run, 'added');
        await synthesizes(run, model);
        return;
      }
      note(run, 'removed (refused by the removal guard, then synth --allow-removals)');
      const before = await readTreeBytes(join(run.root, 'generated'));
      await expectRefused(run, before, await plainSynth(run), /would remove more than 30%/);
      await expectSynthesized(
        run,
        model,
        await plainSynth(run, '--allow-removals'),
        'synth --allow-removals',
      );
    }),
);

/**
 * A hand edit of a generated file: appended to, or one byte changed with the size kept and the mtime
 * (to the nanosecond, with touch -r) put back, which only the ctime (or the racy rule) gives away. The
 * last kind first makes every file trusted: dated back, then two synths, after which the stat cache
 * vouches for each file and the up-to-date record holds the tree's stat digest (README, "Fast synth").
 */
const HAND_EDITS = [
  'append a line',
  'same size, mtime put back',
  'same size, mtime put back, trusted tree',
] as const;

const handEdit = fc.record({ file: choiceArb, at: choiceArb, how: fc.constantFrom(...HAND_EDITS) }).map(
  ({ file, at, how }) =>
    new Step(`hand-edit a generated file (${how}; choice ${file})`, async (model, run) => {
      if (how === 'same size, mtime put back, trusted tree') {
        await dateGeneratedBack(run);
        await synthesizes(run, model);
        await synthesizes(run, model);
      }
      const path = pick([...(await managedFiles(run, model)), 'index.json'], file);
      note(run, `edit generated/${path}`);
      const absolute = join(run.root, 'generated', path);
      if (how === 'append a line') await appendFile(absolute, '# edited by hand\n');
      else await changeByteKeepingStat(run, absolute, at / 1000);
      await synthesizes(run, model);
    }),
);

/** Change one printable byte at about `fraction` of the file, keeping its size, mtime and atime. */
async function changeByteKeepingStat(run: Run, file: string, fraction: number): Promise<void> {
  const bytes = await readFile(file);
  const before = statSync(file, { bigint: true });
  let at = Math.floor(fraction * bytes.length);
  while (at < bytes.length && !(bytes[at]! > 0x20 && bytes[at]! < 0x7f)) at++;
  if (at === bytes.length) at = bytes.findIndex((byte) => byte > 0x20 && byte < 0x7f);
  bytes[at] = bytes[at] === 0x78 ? 0x79 : 0x78; // 'x', or 'y' where it was 'x'
  const times = join(run.scratch, 'times');
  await execFileAsync('touch', ['-r', file, times]);
  await writeFile(file, bytes);
  await execFileAsync('touch', ['-r', times, file]);
  const after = statSync(file, { bigint: true });
  // The premise of the step, not synth's behaviour: the edit must be invisible to size and mtime.
  expect([after.size, after.mtimeNs], 'the same-size edit kept the size and mtime').toEqual([
    before.size,
    before.mtimeNs,
  ]);
}

const deleteGenerated = choiceArb.map(
  (file) =>
    new Step(`delete a generated file (choice ${file})`, async (model, run) => {
      const path = pick(await managedFiles(run, model), file);
      note(run, `generated/${path}`);
      await rm(join(run.root, 'generated', path));
      await synthesizes(run, model);
    }),
);

const deleteIndex = fc.constant(
  new Step('delete generated/index.json', async (model, run) => {
    await rm(join(run.root, 'generated/index.json'), { force: true });
    await synthesizes(run, model);
  }),
);

/** Where a hand-added file goes: a folder of its own, an app's folder, flux bootstrap's folder. */
const UNMANAGED_PLACES = [
  (n: number) => `notes/hand-${n}.txt`,
  (n: number) => `k8s/dev/aws/us-east-1/main/api/hand-${n}.txt`,
  (n: number) => `flux/prod/onprem/dc1/main/flux-system/gotk-${n}.yaml`,
];

const addUnmanaged = fc
  .record({ place: fc.nat({ max: UNMANAGED_PLACES.length - 1 }), n: fc.nat({ max: 3 }) })
  .map(
    ({ place, n }) =>
      new Step(
        `add a file synth did not write: generated/${UNMANAGED_PLACES[place]!(n)}`,
        async (model, run) => {
          const path = UNMANAGED_PLACES[place]!(n);
          const content = `written by hand (${run.steps.length})\n`;
          await mkdir(dirname(join(run.root, 'generated', path)), { recursive: true });
          await writeFile(join(run.root, 'generated', path), content);
          model.unmanaged.set(path, content);
          await synthesizes(run, model);
        },
      ),
  );

const removeUnmanaged = choiceArb.map(
  (file) =>
    new Step(
      `remove a file synth did not write (choice ${file})`,
      async (model, run) => {
        const path = pick([...model.unmanaged.keys()].sort(), file);
        note(run, `generated/${path}`);
        await rm(join(run.root, 'generated', path));
        model.unmanaged.delete(path);
        await synthesizes(run, model);
      },
      (model) => model.unmanaged.size > 0,
    ),
);

/** Where each cache keeps its files under CACHE, and which files there are its own. */
const CACHE_LAYOUT: Record<CacheName, { readonly dir: string; readonly owns: (path: string) => boolean }> = {
  'render log': { dir: 'render', owns: (path) => path.endsWith('/entries.log') },
  'stat cache': { dir: 'stat', owns: (path) => path.endsWith('.json') },
  'matrix entry': {
    dir: 'matrix',
    owns: (path) => path.endsWith('.json') && !path.endsWith('.modules.json'),
  },
  'up-to-date record': { dir: 'up-to-date', owns: (path) => path.endsWith('.json') },
};

/** Whether `file` (a path under the project) is one of `cache`'s files. */
function cacheFileOf(cache: CacheName, file: string): boolean {
  const { dir, owns } = CACHE_LAYOUT[cache];
  const under = `${CACHE}/${dir}/`;
  return file.startsWith(under) && owns(file.slice(under.length));
}

/** The files of one cache (paths under the project), found by listing its folder. */
async function cacheFiles(root: string, cache: CacheName): Promise<string[]> {
  const { dir } = CACHE_LAYOUT[cache];
  const files = [...(await readTreeBytes(join(root, CACHE, dir))).keys()].map(
    (path) => `${CACHE}/${dir}/${path}`,
  );
  return files.filter((file) => cacheFileOf(cache, file));
}

/** A cache file deleted, or cut at a random byte (a disk full, a killed write, a bad restore). */
const damageCache = fc
  .record({ cache: fc.constantFrom(...CACHES), how: fc.constantFrom('delete', 'truncate'), at: choiceArb })
  .map(
    ({ cache, how, at }) =>
      new Step(
        `${how} the ${cache}${how === 'truncate' ? ` at ${at / 10}% of its bytes` : ''}`,
        async (model, run) => {
          const files = await cacheFiles(run.root, cache);
          if (files.length === 0) note(run, 'there is none');
          for (const file of files) {
            const absolute = join(run.root, file);
            if (how === 'delete') await rm(absolute);
            else await truncate(absolute, Math.floor(((await stat(absolute)).size * at) / 1000));
          }
          await synthesizes(run, model);
        },
      ),
  );

/** Every file of the four caches (path under the project → bytes as latin1). */
async function cacheSnapshot(root: string): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  for (const cache of CACHES)
    for (const file of await cacheFiles(root, cache))
      snapshot.set(file, await readFile(join(root, file), 'latin1'));
  return snapshot;
}

/**
 * One cache as it was some synths ago (a CI cache restored from an older run, a backup): stale, but
 * whole. Each cache must judge such an entry by what it records, never take it for the present.
 */
const restoreOldCache = fc
  .record({ cache: fc.constantFrom(...CACHES), back: fc.integer({ min: 2, max: 6 }) })
  .map(
    ({ cache, back }) =>
      new Step(
        `restore the ${cache} as it was ${back} plain synths ago`,
        async (model, run) => {
          const old = run.cacheHistory[Math.max(0, run.cacheHistory.length - back)]!;
          for (const file of await cacheFiles(run.root, cache)) await rm(join(run.root, file));
          for (const [file, bytes] of old)
            if (cacheFileOf(cache, file)) {
              await mkdir(dirname(join(run.root, file)), { recursive: true });
              await writeFile(join(run.root, file), bytes, 'latin1');
            }
          await synthesizes(run, model);
        },
        (model) => model.synths > 0,
      ),
  );

const dropCaches = fc.constant(
  new Step('delete every cache folder (render, stat, matrix, up-to-date)', async (model, run) => {
    for (const dir of ['render', 'stat', 'matrix', 'up-to-date'])
      await rm(join(run.root, CACHE, dir), { recursive: true, force: true });
    await synthesizes(run, model);
  }),
);

const targetsOf = (model: Readonly<Model>) => [
  ...BASE_TARGETS,
  ...(model.devEuCluster ? [DEV_EU_TARGET] : []),
];

/**
 * A pin bump written with `synth --only` (a target or an environment), then a plain synth. `--only` must
 * leave every file outside its selection byte for byte (files above it are held back), and write inside
 * it what an uncached synth writes there.
 */
const onlyAfterBump = fc.record({ selector: choiceArb, app: appArb, tag: tagArb }).map(
  ({ selector, app, tag }) =>
    new Step(`bump a pin and synth --only (choice ${selector}), then a plain synth`, async (model, run) => {
      const only = pick([...targetsOf(model), ...ENVS], selector);
      const env = only.split('/')[0]!;
      note(run, `${env}/${app} to ${tag}, --only ${only}`);
      const before = await readTreeBytes(join(run.root, 'generated'));
      await setPin(run, model, env, app, tag);
      const result = await plainSynth(run, '--only', only);
      expect(result.code, explain(run, 'synth --only failed', result)).toBe(0);
      const after = await readTreeBytes(join(run.root, 'generated'));
      // Outside: by the scopes synth had recorded before, so a file that --only moved in or out counts.
      const scopesBefore = scopesOf(before);
      const outside = (tree: ReadonlyMap<string, string>) =>
        new Map(
          [...tree].filter(
            ([path]) => path !== 'index.json' && !insideSelector(scopesBefore[path]?.scope ?? '', only),
          ),
        );
      expect(
        treeDifferences(outside(after), outside(before)),
        explain(run, `synth --only ${only} changed files outside its selection`, result),
      ).toEqual([]);
      run.references.compareLater(
        run,
        await readSources(run.root),
        after,
        `--only ${only}: its selection differs from an uncached synth of the same sources`,
        only,
      );
      await synthesizes(run, model);
    }),
);

/** Edits that make the matrix invalid, and the exit they must end in. */
const INVALID_EDITS = {
  'pins file that is not JSON': {
    file: pinsFile('dev'),
    edit: (text: string) => text.slice(0, Math.floor(text.length / 2)),
    reason: /dev\.json\] is not valid JSON/,
  },
  'pin missing': {
    file: pinsFile('staging'),
    edit: (text: string) => {
      const pins = JSON.parse(text) as { apps: Record<string, unknown> };
      delete pins.apps.worker;
      return `${JSON.stringify(pins, null, 2)}\n`;
    },
    reason: /no pin in src\/environments\/releases\/staging\.json/,
  },
  'unknown field in a module': {
    file: API_MODULE,
    edit: (text: string) => replaceOnce(text, "  name: 'api',\n", "  name: 'api',\n  replica: 3,\n"),
    reason: /unknown field "replica"/,
  },
  'module that does not parse': {
    file: API_MODULE,
    edit: (text: string) =>
      replaceOnce(text, 'export const api = defineApp({', 'export const api = defineApp({{'),
    reason: /api\.ts:\d+:\d+: syntax error/,
  },
} as const;
type InvalidEdit = keyof typeof INVALID_EDITS;

/** An edit that makes the matrix invalid: synth refuses and leaves generated/; then the edit is undone. */
const invalidEdit = fc
  .record({ kind: fc.constantFrom(...(Object.keys(INVALID_EDITS) as InvalidEdit[])), aged: fc.boolean() })
  .map(
    ({ kind, aged }) =>
      new Step(
        `make the matrix invalid (${kind}), then undo it (${aged ? 'aged' : 'fresh'})`,
        async (model, run) => {
          const { file, edit, reason } = INVALID_EDITS[kind];
          const absolute = join(run.root, file);
          const text = await readFile(absolute, 'utf8');
          const before = await readTreeBytes(join(run.root, 'generated'));
          await writeModule(run, file, edit(text), aged);
          await expectRefused(run, before, await plainSynth(run), reason);
          await writeModule(run, file, text, aged);
          await synthesizes(run, model);
        },
      ),
  );

/** A sha256 digest for prod pins, which must carry one (`envmatrix pin` refuses prod without it). */
const FAKE_DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/**
 * A pin bump that another command writes into generated/ without the caches (`synth --no-cache`, or
 * `envmatrix pin`, which synthesizes the environment itself): the caches are stale afterwards, and the
 * plain synth after it must see that.
 */
const bumpWrittenWithoutCaches = fc
  .record({
    env: envArb,
    app: appArb,
    tag: tagArb,
    writer: fc.constantFrom('synth --no-cache', 'envmatrix pin'),
  })
  .map(
    ({ env, app, tag, writer }) =>
      new Step(
        `bump pin ${env}/${app} to ${tag}, written by ${writer}, then a plain synth`,
        async (model, run) => {
          let result: CliResult;
          if (writer === 'synth --no-cache') {
            await setPin(run, model, env, app, tag);
            result = await plainSynth(run, '--no-cache');
          } else {
            const digest = env === 'prod' ? ['--digest', FAKE_DIGEST] : [];
            const was = await currentTag(run, env, app);
            result = await envmatrix(run.root, 'pin', '--env', env, '--app', app, '--tag', tag, ...digest);
            // In prod (three waves) pin writes wave 0's pin and leaves the environment's own as it was.
            if (env !== 'prod') recordPin(model, env, app, was, tag);
          }
          expect(result.code, explain(run, `${writer} failed`, result)).toBe(0);
          await synthesizes(run, model);
        },
      ),
  );

/**
 * When to kill a synth: after a delay, or as soon as a file it writes appears (or goes) beside
 * generated/ (the writer's staging folder and journal, src/output/writer.ts) or in a cache folder (the
 * render log being appended to, the stat cache's temporary file), so kills land inside those writes,
 * not only around them. `nth`: the event to kill at (the journal's second is its removal).
 */
const KILL_MOMENTS = {
  'after a delay': undefined,
  'as it stages files': { dir: '.', name: /^generated\.envmatrix-new$/, nth: 1 },
  'as its journal appears': { dir: '.', name: /^generated\.envmatrix-journal\.json$/, nth: 1 },
  'as its journal is removed': { dir: '.', name: /^generated\.envmatrix-journal\.json$/, nth: 2 },
  'as it saves the render log': { dir: `${CACHE}/render/*`, name: /^entries\.log/, nth: 1 },
  'as it saves the stat cache': { dir: `${CACHE}/stat`, name: /\.tmp$/, nth: 1 },
} as const;
type KillMoment = keyof typeof KILL_MOMENTS;

/** The folder a kill moment watches (its `*` is the one folder there), or undefined when there is none. */
async function folderToWatch(root: string, moment: KillMoment): Promise<string | undefined> {
  const where = KILL_MOMENTS[moment];
  if (!where) return undefined;
  if (!where.dir.endsWith('/*')) return join(root, where.dir);
  const parent = join(root, where.dir.slice(0, -2));
  const [only] = await readdir(parent).catch(() => []);
  return only === undefined ? undefined : join(parent, only);
}

/** Run `envmatrix synth` and SIGKILL it at `moment` (or after `afterMs`); it may finish first. */
async function killedSynth(root: string, moment: KillMoment, afterMs: number): Promise<string> {
  const folder = await folderToWatch(root, moment);
  const where = KILL_MOMENTS[moment];
  return new Promise((done, fail) => {
    const child = spawn('node', [BIN, '--root', root, 'synth'], { cwd: root, stdio: 'ignore' });
    const kill = () => child.kill('SIGKILL');
    let seen = 0;
    // Without a folder to watch (its cache was deleted), the delay decides.
    const watcher =
      folder && where
        ? watch(folder, (_event, file) => {
            if (file && where.name.test(file) && ++seen === where.nth) kill();
          })
        : undefined;
    const timer = watcher ? undefined : setTimeout(kill, afterMs);
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      watcher?.close();
      done(signal ? `killed (${signal})` : `finished first (exit ${code})`);
    });
  });
}

/**
 * A synth killed (SIGKILL: a CI job cancelled, a laptop closed) at some moment, before, during or after
 * it writes generated/ and each cache, with a pin bump or a hand edit to write. The next plain synth
 * must end right.
 */
const interruptedSynth = fc
  .record({
    change: fc.oneof(
      fc.record({ env: envArb, app: appArb, tag: tagArb }),
      choiceArb.map((file) => ({ file })),
    ),
    moment: fc.constantFrom(...(Object.keys(KILL_MOMENTS) as KillMoment[])),
    afterMs: fc.integer({ min: 100, max: 900 }),
  })
  .map(
    ({ change, moment, afterMs }) =>
      new Step(
        `${'file' in change ? `hand-edit a generated file (choice ${change.file})` : `bump pin ${change.env}/${change.app} to ${change.tag}`}, SIGKILL its synth ${moment === 'after a delay' ? `after ${afterMs} ms` : moment}`,
        async (model, run) => {
          if ('file' in change) {
            const path = pick(await managedFiles(run, model), change.file);
            note(run, `generated/${path}`);
            await appendFile(join(run.root, 'generated', path), '# edited by hand\n');
          } else await setPin(run, model, change.env, change.app, change.tag);
          note(run, await killedSynth(run.root, moment, afterMs));
          // A killed holder's lock is taken over once 10 s stale: date it back instead of waiting.
          const lock = join(run.root, 'generated.envmatrix-lock');
          const past = new Date(Date.now() - 60_000);
          await utimes(lock, past, past).catch(() => undefined);
          await synthesizes(run, model);
        },
      ),
  );

/** A whole folder of generated/ deleted (or generated/ itself). */
const deleteFolder = choiceArb.map(
  (choice) =>
    new Step(`delete a folder of generated/ (choice ${choice})`, async (model, run) => {
      const files = await managedFiles(run, model);
      const folders = [
        ...new Set(
          files.flatMap((path) =>
            path
              .split('/')
              .slice(0, -1)
              .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
          ),
        ),
      ].sort();
      const folder = pick(['', ...folders], choice);
      note(run, `generated/${folder}`);
      await rm(join(run.root, 'generated', folder), { recursive: true, force: true });
      // Hand-added files in it went too.
      for (const path of [...model.unmanaged.keys()])
        if (folder === '' || path.startsWith(`${folder}/`)) model.unmanaged.delete(path);
      await synthesizes(run, model);
    }),
);

const noOp = fc.constant(new Step('nothing (synth again)', (model, run) => synthesizes(run, model)));

/**
 * A pin bump, then two plain synths at once (a watch and a terminal, an editor's on-save hook): they
 * take turns on the write lock, but each judges its caches and the up-to-date record before taking it.
 */
const concurrentSynths = fc.record({ env: envArb, app: appArb, tag: tagArb }).map(
  ({ env, app, tag }) =>
    new Step(`bump pin ${env}/${app} to ${tag}, then two plain synths at once`, async (model, run) => {
      await setPin(run, model, env, app, tag);
      const [first, second] = await Promise.all([plainSynth(run), plainSynth(run)]);
      expect(first.code, explain(run, 'the first of two synths at once failed', first)).toBe(0);
      note(run, `→ ${howSynthesized(first)}`);
      await expectSynthesized(run, model, second, 'the second of two synths at once');
    }),
);

/**
 * Every file of generated/ dated an hour back (cp -p, tar, rsync -t do that): the next synth reads them
 * (their ctime moved) and records stat data past the racy window, which later synths then trust.
 */
const ageGenerated = fc.constant(
  new Step('date every file of generated/ an hour back', async (model, run) => {
    await dateGeneratedBack(run);
    await synthesizes(run, model);
  }),
);

async function dateGeneratedBack(run: Run): Promise<void> {
  const tree = await readTreeBytes(join(run.root, 'generated'));
  const then = hourAgo();
  for (const path of tree.keys()) await utimes(join(run.root, 'generated', path), then, then);
}

/** Past the stat cache's racy window (3 s), so files the last synth wrote are trusted from now on. */
const waitPastRacyWindow = fc.constant(
  new Step('wait 3.2 s (past the racy window)', async (model, run) => {
    await new Promise((done) => setTimeout(done, 3200));
    await synthesizes(run, model);
  }),
);

const steps = fc
  .commands(
    [
      fc.oneof(
        { arbitrary: bumpPin, weight: 4 },
        { arbitrary: revertPin, weight: 3 },
        { arbitrary: editPoolSize, weight: 2 },
        { arbitrary: toggleWorkerOnPrem, weight: 2 },
        { arbitrary: toggleDevCluster, weight: 1 },
        { arbitrary: handEdit, weight: 4 },
        { arbitrary: deleteGenerated, weight: 2 },
        { arbitrary: deleteIndex, weight: 1 },
        { arbitrary: addUnmanaged, weight: 2 },
        { arbitrary: removeUnmanaged, weight: 1 },
        { arbitrary: damageCache, weight: 4 },
        { arbitrary: restoreOldCache, weight: 2 },
        { arbitrary: dropCaches, weight: 1 },
        { arbitrary: onlyAfterBump, weight: 3 },
        { arbitrary: invalidEdit, weight: 2 },
        { arbitrary: bumpWrittenWithoutCaches, weight: 2 },
        ...(KILLS ? [{ arbitrary: interruptedSynth, weight: 2 }] : []),
        { arbitrary: deleteFolder, weight: 1 },
        { arbitrary: concurrentSynths, weight: 1 },
        { arbitrary: noOp, weight: 2 },
        { arbitrary: ageGenerated, weight: 2 },
        { arbitrary: waitPastRacyWindow, weight: 1 },
      ),
    ],
    { maxCommands: MAX_STEPS, size: 'max' },
    // Runs long enough for caches to carry state from step to step, CI's few runs included.
  )
  .filter((commands) => [...commands].length >= MIN_STEPS);

// ---------------------------------------------------------------------------------------------------

describe('synth with its caches writes what an uncached synth writes (model-based)', () => {
  let work: string;
  /** Each run's project: always this path, restored from the template (the caches are keyed on it). */
  let projectDir: string;
  let templateDir: string;
  let references: References;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'envmatrix-cache-model-'));
    projectDir = join(work, 'project');
    templateDir = join(work, 'template');
    await mkdir(join(work, 'scratch'));
    await fillUserProject(projectDir);
    await mkdir(join(work, 'reference'));
    await fillUserProject(join(work, 'reference'));
    references = new References(join(work, 'reference'));
    // A cold synth: every cache empty. What later runs start from, checked like any other synth.
    const run: Run = {
      root: projectDir,
      scratch: join(work, 'scratch'),
      steps: ['cold synth'],
      references,
      cacheHistory: [],
    };
    const model = initialModel();
    await synthesizes(run, model);
    await expectCheckAgrees(run, model);
    await references.settle();
    await cp(projectDir, templateDir, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  }, 120_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  const initialModel = (): Model => ({
    pinHistory: new Map(),
    workerOnPrem: false,
    devEuCluster: false,
    unmanaged: new Map(),
    synths: 0,
  });

  it(
    `holds over ${RUNS} run(s) of up to ${MAX_STEPS} steps (seed ${SEED})`,
    async () => {
      const property = fc.asyncProperty(steps, async (commands) => {
        await rm(projectDir, { recursive: true, force: true });
        await cp(templateDir, projectDir, {
          recursive: true,
          preserveTimestamps: true,
          verbatimSymlinks: true,
        });
        const run: Run = {
          root: projectDir,
          scratch: join(work, 'scratch'),
          steps: [],
          references,
          cacheHistory: [],
        };
        const model = initialModel();
        try {
          await fc.asyncModelRun(() => ({ model, real: run }), commands);
        } catch (error) {
          // The failure is this one; comparisons still under way would only add noise.
          references.discard();
          throw error;
        }
        // The end of the run gets both oracles, whatever the cadence said.
        if (!compareDue(model.synths))
          await compareWithReference(run, model, await readTreeBytes(join(run.root, 'generated')));
        // The comparisons first: they name the step where generated/ went wrong.
        await references.settle();
        if (!checkDue(model.synths)) await expectCheckAgrees(run, model);
        if (LOG)
          console.log(
            `run of ${run.steps.length} steps:\n${run.steps.map((step) => `  ${step}`).join('\n')}`,
          );
      });
      await fc.assert(property, {
        seed: SEED,
        numRuns: RUNS,
        endOnFailure: !SHRINK,
        ...(REPLAY_PATH !== undefined && { path: REPLAY_PATH }),
      });
    },
    // Generous for local hunts with many runs; CI's default takes a fraction of it.
    Math.max(120_000, RUNS * MAX_STEPS * 15_000),
  );
});
