/**
 * `npm run bench [-- --quick] [-- --json <file>]`: synth benchmarks at two fleet sizes, each scenario in
 * fresh processes, repeated, reported as median and spread, with ratios measured side by side in this
 * run (these machines are shared and noisy: absolute numbers drift, ratios hold).
 */
import { execFile } from 'node:child_process';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import type { Scenario } from './scenario.ts';
import { syntheticPins, type FleetSize } from './synthetic-matrix.ts';
import { RACY_MS } from '../src/output/stat-cache.ts';
import { startWatch } from './watch-process.ts';

const run = promisify(execFile);
// A bare `--json` (no file) writes bench-results.json.
const argv = process.argv.slice(2);
const jsonAt = argv.indexOf('--json');
if (jsonAt >= 0 && (argv[jsonAt + 1] === undefined || argv[jsonAt + 1]!.startsWith('--')))
  argv.splice(jsonAt + 1, 0, 'bench-results.json');
const { values: flags } = parseArgs({
  args: argv,
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    runs: { type: 'string' },
    // The naive one-App baseline is quadratic (~95 s at 1,800 instances): opt in, to keep the bench
    // under ten minutes beside the kustomize peer.
    naive: { type: 'boolean', default: false },
    // Render only every k-th instance in the kustomize peer and scale its time by k: on a loaded shared
    // machine one `kubectl kustomize` costs up to ~0.8 s of wall time, 1,800 of them up to ~25 min.
    'peer-every': { type: 'string', default: '1' },
  },
});

const sizes: { label: string; size: FleetSize }[] = flags.quick
  ? [
      { label: '1×', size: { environments: 3, clustersPerEnvironment: 4, apps: 10 } },
      { label: '2×', size: { environments: 3, clustersPerEnvironment: 8, apps: 10 } },
    ]
  : [
      { label: '1×', size: { environments: 3, clustersPerEnvironment: 12, apps: 50 } },
      { label: '2×', size: { environments: 3, clustersPerEnvironment: 24, apps: 50 } },
    ];
const runs = Number(flags.runs ?? (flags.quick ? 2 : 3));
const peerEvery = Number(flags['peer-every']);

interface Sample {
  /** Wall time of the whole process: node start, imports, matrix, synth, exit. */
  readonly wallMs: number;
  /** Time inside the process after imports. */
  readonly ms: number;
  readonly maxRssMb: number;
}

async function measure(
  scenario: Scenario,
  size: FleetSize,
  outDir: string,
  every = 1,
  cacheDir?: string,
): Promise<Sample> {
  const started = performance.now();
  const { stdout } = await run(
    'node',
    ['bin/run-ts.js', 'bench/scenario.ts', JSON.stringify({ scenario, size, outDir, every, cacheDir })],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const wallMs = performance.now() - started;
  const last = stdout.trim().split('\n').at(-1) ?? '{}';
  return { wallMs, ...(JSON.parse(last) as { ms: number; maxRssMb: number }) };
}

/** Pairs of a bare start and a no-op synth per round (see benchSize). */
const NOOP_PAIRS = 4;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

/**
 * How the CLI runs: from its bundle (bin/cli-bundle.js; tsx only for the matrix), or with
 * ENVMATRIX_FROM_SOURCE=1 all its TypeScript through tsx's loader, as before the bundle: measured side
 * by side for reference.
 */
type CliMode = 'bundle' | 'source';
const cliEnv = (mode: CliMode) =>
  mode === 'source'
    ? { ...process.env, ENVMATRIX_FROM_SOURCE: '1' }
    : { ...process.env, ENVMATRIX_FROM_SOURCE: '' };

/** `envmatrix --version` in a fresh process: node, the CLI's imports, nothing else. */
async function measureVersion(mode: CliMode = 'bundle'): Promise<Sample> {
  const started = performance.now();
  await run('node', ['bin/envmatrix.js', '--version'], { env: cliEnv(mode) });
  const wallMs = performance.now() - started;
  return { wallMs, ms: wallMs, maxRssMb: 0 };
}

/**
 * A project on disk for the CLI scenarios: its matrix file builds the synthetic fleet, its pins are the
 * synthetic pins as releases/<env>.json, and its node_modules holds only the caches (packages resolve
 * from this checkout, where the modules live). Dated an hour back, as an edited project's files are by
 * the time its next synth runs (the matrix cache skips modules changed within RACY_MS (3 s) of a load).
 */
async function writeProject(root: string, size: FleetSize): Promise<void> {
  const matrix = resolve('bench/synthetic-matrix.ts');
  const files = new Map<string, string>([
    ['package.json', '{ "type": "module" }\n'],
    [
      'src/environments/index.ts',
      `import { syntheticMatrix } from ${JSON.stringify(matrix)};\n\nexport default syntheticMatrix(${JSON.stringify(size)});\n`,
    ],
    ...Object.entries(syntheticPins(size)).map(
      ([env, { apps }]) =>
        [`src/environments/releases/${env}.json`, `${JSON.stringify({ apps }, null, 2)}\n`] as const,
    ),
  ]);
  const hourAgo = new Date(Date.now() - 3_600_000);
  for (const [path, content] of files) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
    await utimes(join(root, path), hourAgo, hourAgo);
  }
  await mkdir(join(root, 'node_modules'), { recursive: true });
}

/** `envmatrix synth` on the project, in a fresh process: what a developer waits for. */
async function measureCli(root: string, mode: CliMode = 'bundle'): Promise<Sample> {
  const started = performance.now();
  await run('node', ['bin/envmatrix.js', '--root', root, 'synth', '--allow-removals'], {
    maxBuffer: 64 * 1024 * 1024,
    env: cliEnv(mode),
  });
  const wallMs = performance.now() - started;
  return { wallMs, ms: wallMs, maxRssMb: 0 };
}

/** One app's pin bumped in staging, as a promotion does. */
async function bumpPin(root: string): Promise<void> {
  const file = join(root, 'src/environments/releases/staging.json');
  const pins = JSON.parse(await readFile(file, 'utf8')) as { apps: Record<string, { tag: string }> };
  pins.apps['app-007']!.tag = `9.${Date.now() % 1000}.0`;
  await writeFile(file, `${JSON.stringify(pins, null, 2)}\n`);
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(file, hourAgo, hourAgo);
}

/** Pin bumps timed per round in a running `envmatrix synth --watch`. */
const WATCH_BUMPS = 3;

/**
 * Pin bumps seen by a running `envmatrix synth --watch` on the project: each timed from just before
 * the pins file is written to the line its synth prints, what a developer in that loop waits for.
 * Bumps are RACY_MS apart, as a developer's edits are seconds apart: files written less than that
 * before a synth are read again (stat-cache.ts).
 */
async function measureWatch(root: string): Promise<Sample[]> {
  const watch = startWatch(root, { synthArgs: ['--allow-removals'], env: cliEnv('bundle') });
  const reports = (output: string) => output.match(/^(synth: |generated\/ is up to date)/gm)?.length ?? 0;
  try {
    await watch.waitFor((output) => output.includes('watching '), 120_000);
    const samples: Sample[] = [];
    for (let i = 0; i < WATCH_BUMPS; i++) {
      await new Promise((done) => setTimeout(done, RACY_MS + 100));
      const before = reports(watch.output());
      const started = performance.now();
      await bumpPin(root);
      await watch.waitFor((output) => reports(output) > before);
      const wallMs = performance.now() - started;
      samples.push({ wallMs, ms: wallMs, maxRssMb: 0 });
    }
    return samples;
  } finally {
    await watch.stop();
  }
}

/** Files under `dir`, recursively. */
async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).length;
}

/** The CLI scenarios: `envmatrix synth` as a developer runs it, matrix cache missing, then present. */
type Measured =
  | Scenario
  | 'version'
  | 'version (from source)'
  | 'noop (CLI, loads matrix)'
  | 'noop (CLI)'
  | 'one-app (CLI)'
  | 'one-app (CLI, from source)'
  | 'one-app (synth --watch)';

interface Summary {
  readonly scenario: Measured;
  readonly wallMs: number;
  readonly wallSpreadMs: number;
  readonly ms: number;
  readonly maxRssMb: number;
}

/**
 * The naive baseline is quadratic in charts per App (DESIGN.md: measured facts): at 1,800 app instances
 * one run takes minutes, so it runs once, at the first size only, in the first round.
 */
async function benchSize(
  size: FleetSize,
  first: boolean,
  rounds: number,
): Promise<{ summaries: Summary[]; k8sFiles: number }> {
  const samples = new Map<Measured, Sample[]>();
  let k8sFiles = 0;
  const add = (scenario: Measured, sample: Sample) =>
    samples.set(scenario, [...(samples.get(scenario) ?? []), sample]);
  for (let i = 0; i < rounds; i++) {
    // Interleave the scenarios so machine noise hits them alike.
    const dir = await mkdtemp(join(tmpdir(), 'envmatrix-bench-'));
    try {
      add('version', await measureVersion());
      add('version (from source)', await measureVersion('source'));
      add('cold', await measure('cold', size, join(dir, 'generated')));
      if (i === 0) k8sFiles = await countFiles(join(dir, 'generated', 'k8s'));
      add('noop', await measure('noop', size, join(dir, 'generated')));
      add('one-app', await measure('one-app', size, join(dir, 'generated')));
      add('one-app-warm', await measure('one-app-warm', size, join(dir, 'generated')));
      // The same fleet as a project on disk, through the CLI. The cold synth (in process) fills the
      // render and stat caches where the CLI finds them.
      const project = join(dir, 'project');
      await writeProject(project, size);
      await measure(
        'cold',
        size,
        join(project, 'generated'),
        1,
        join(project, 'node_modules/.cache/envmatrix'),
      );
      await rm(join(project, 'node_modules/.cache/envmatrix/matrix'), { recursive: true, force: true });
      add('noop (CLI, loads matrix)', await measureCli(project));
      // A developer's next synth comes seconds later, not within the 3 s in which the stat cache cannot
      // vouch for files just written (stat-cache.ts, RACY_MS): the first synth after that reads the
      // files the cold synth wrote once more, as git status does after a checkout; time the one after.
      await new Promise((done) => setTimeout(done, RACY_MS + 100));
      await measureCli(project);
      // Each under half a second, and the bare start is as short as the machine's jitter: timed in
      // alternating pairs, several per round, so the two medians share the load of the same moments.
      for (let pair = 0; pair < NOOP_PAIRS; pair++) {
        add('version', await measureVersion());
        add('noop (CLI)', await measureCli(project));
      }
      // The pin bump from the bundle and from source, in turns which goes first.
      for (const mode of i % 2 === 0 ? (['bundle', 'source'] as const) : (['source', 'bundle'] as const)) {
        await bumpPin(project);
        add(
          mode === 'bundle' ? 'one-app (CLI)' : 'one-app (CLI, from source)',
          await measureCli(project, mode),
        );
      }
      for (const sample of await measureWatch(project)) add('one-app (synth --watch)', sample);
      if (first && flags.naive && i === 0) add('naive', await measure('naive', size, join(dir, 'naive')));
      // What shared renders (src/generators/k8s/shared-render.ts) save: once, at the first size.
      if (first && i === 0) add('cold-unshared', await measure('cold-unshared', size, join(dir, 'unshared')));
      // ~1,800 kubectl runs: once, at the first size.
      if (first && i === 0) {
        const peer = await measure('kustomize', size, join(dir, 'kustomize'), peerEvery);
        add('kustomize', { ...peer, ms: peer.ms * peerEvery, wallMs: peer.wallMs });
      }
      add('floor', await measure('floor', size, join(dir, 'floor')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const summaries = [...samples].map(([scenario, list]) => ({
    scenario,
    wallMs: median(list.map((s) => s.wallMs)),
    wallSpreadMs: spread(list.map((s) => s.wallMs)),
    ms: median(list.map((s) => s.ms)),
    maxRssMb: Math.max(...list.map((s) => s.maxRssMb)),
  }));
  return { summaries, k8sFiles };
}

// Builds the CLI's bundle if the sources changed since it was last built (once, ~0.3 s), so that no
// sample below includes it.
await run('node', ['bin/envmatrix.js', '--version'], { env: cliEnv('bundle') });

const startedAt = performance.now();
const loadBefore = loadavg();
const results: {
  label: string;
  size: FleetSize;
  instances: number;
  k8sFiles: number;
  summaries: Summary[];
}[] = [];
for (const { label, size } of sizes) {
  const instances = size.environments * size.clustersPerEnvironment * size.apps;
  console.error(
    `bench ${label}: ${size.environments} envs × ${size.clustersPerEnvironment} clusters × ${size.apps} apps = ${instances} app instances…`,
  );
  // The 2× size is there for growth and peak RSS; two rounds keep the whole bench under ten minutes.
  const measured = await benchSize(size, label === '1×', label === '1×' ? runs : Math.min(runs, 2));
  results.push({ label, size, instances, ...measured });
}

// Growth, 2× ÷ 1×, measured in pairs: a cold synth and then a one-app change at 1×, the same at 2× right
// after, the ratio taken within each pair and the median of those reported. The size blocks above run
// minutes apart, and on a shared machine the load drifts in between; a pair's two halves share it.
const growthPairs: { cold: number; oneApp: number }[] = [];
for (let i = 0; i < (flags.quick ? 2 : 3); i++) {
  const pair = { cold: [0, 0], oneApp: [0, 0] };
  for (const [at, { size }] of sizes.entries()) {
    const dir = await mkdtemp(join(tmpdir(), 'envmatrix-bench-growth-'));
    try {
      pair.cold[at] = (await measure('cold', size, join(dir, 'generated'))).ms;
      pair.oneApp[at] = (await measure('one-app', size, join(dir, 'generated'))).ms;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  growthPairs.push({ cold: pair.cold[1]! / pair.cold[0]!, oneApp: pair.oneApp[1]! / pair.oneApp[0]! });
}

// Threads where they pay (issue 17): the 1× fleet's k8s units rendered in one thread and in two
// worker_threads, in one process (bench/render-workers.ts), twice, best of each.
const threadRuns: { mainMs: number; workersMs: number }[] = [];
for (let i = 0; i < 2; i++) {
  const { stdout } = await run('node', [
    'bin/run-ts.js',
    'bench/render-workers.ts',
    JSON.stringify({ size: sizes[0]!.size, workers: 2 }),
  ]);
  threadRuns.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as { mainMs: number; workersMs: number });
}
const threads = {
  mainMs: Math.min(...threadRuns.map((r) => r.mainMs)),
  workersMs: Math.min(...threadRuns.map((r) => r.workersMs)),
};

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const table = new Table({
  head: ['size', 'scenario', 'wall (median)', 'spread', 'in-process', 'peak RSS'],
  style: { head: [], border: [] },
});
for (const { label, instances, summaries } of results) {
  for (const s of summaries)
    table.push([
      `${label} (${instances})`,
      s.scenario,
      fmt(s.wallMs),
      fmt(s.wallSpreadMs),
      fmt(s.ms),
      `${Math.round(s.maxRssMb)} MiB`,
    ]);
}
console.log(table.toString());

const find = (label: string, scenario: Measured) =>
  results.find((r) => r.label === label)!.summaries.find((s) => s.scenario === scenario);
const get = (label: string, scenario: Measured) => find(label, scenario)!;
/** Wall time of one 1× scenario over another's, both medians of this run. */
const wall = (scenario: Measured, over: Measured) => get('1×', scenario).wallMs / get('1×', over).wallMs;
/** In-process time of a scenario at 2× over the same at 1× (size blocks' medians). */
const blockGrowth = (scenario: Measured) => get('2×', scenario).ms / get('1×', scenario).ms;
const one = results.find((r) => r.label === '1×')!;
/** Each figure of issue 17, its value from this run, and its target (`max`: the value must not exceed it). */
const ratios: Record<string, { value: number; max: number }> = {
  'files per app instance (generated/k8s)': { value: one.k8sFiles / one.instances, max: 2 },
  'cold ÷ floor (in-process)': { value: get('1×', 'cold').ms / get('1×', 'floor').ms, max: 1.5 },
  [`cold ÷ kustomize peer (in-process, ${one.instances} instances${peerEvery > 1 ? `, peer: 1 in ${peerEvery} rendered, time ×${peerEvery}` : ''})`]:
    {
      value: get('1×', 'cold').ms / get('1×', 'kustomize').ms,
      max: 0.25,
    },
  // `envmatrix synth` as a developer runs it, nothing changed since the last synth (wall time).
  'no-op ÷ bare CLI start (CLI, wall)': { value: wall('noop (CLI)', 'version'), max: 2 },
  // One app's pin bumped in staging, as a promotion does.
  'one-app change ÷ bare CLI start (CLI, wall)': { value: wall('one-app (CLI)', 'version'), max: 3 },
  // The same bump seen by a running `synth --watch` (src/cli/watch.ts): the synth runs in a process whose
  // modules are loaded, from the pins write to the synth's line.
  'one-app change in synth --watch, pins written → synth done ÷ bare CLI start (wall)': {
    value: wall('one-app (synth --watch)', 'version'),
    max: Infinity,
  },
  // For reference: the same with the matrix's TypeScript loaded (no matrix cache entry), and both built
  // in process from the synthetic matrix (bench/scenario.ts: no matrix cache, so no up-to-date record).
  'no-op, matrix loaded ÷ bare CLI start (CLI, wall)': {
    value: wall('noop (CLI, loads matrix)', 'version'),
    max: Infinity,
  },
  'no-op, matrix built in process ÷ bare CLI start (wall)': { value: wall('noop', 'version'), max: Infinity },
  'one-app change, matrix built in process ÷ bare CLI start (wall)': {
    value: wall('one-app', 'version'),
    max: Infinity,
  },
  // The work of a pin bump alone, in a process that already synthesized (modules loaded, code warm),
  // over the CLI's whole start: above 3, no start-up saving (a daemon, a start-up snapshot) meets the
  // one-app target, only doing less work per change.
  'one-app change in a warm process, no start-up (in-process) ÷ bare CLI start (wall)': {
    value: get('1×', 'one-app-warm').ms / get('1×', 'version').wallMs,
    max: Infinity,
  },
  // The CLI from source (ENVMATRIX_FROM_SOURCE=1: every module through tsx), as it ran before the bundle.
  'one-app change (CLI) ÷ the same from source (wall)': {
    value: wall('one-app (CLI)', 'one-app (CLI, from source)'),
    max: Infinity,
  },
  'bare CLI start ÷ bare start from source (wall)': {
    value: wall('version', 'version (from source)'),
    max: Infinity,
  },
  'no-op (CLI) ÷ bare start from source (wall)': {
    value: wall('noop (CLI)', 'version (from source)'),
    max: Infinity,
  },
  'one-app change (CLI) ÷ bare start from source (wall)': {
    value: wall('one-app (CLI)', 'version (from source)'),
    max: Infinity,
  },
  [`growth: cold 2× ÷ cold 1× (in-process, median of ${growthPairs.length} pairs)`]: {
    value: median(growthPairs.map((pair) => pair.cold)),
    max: 2.1,
  },
  [`growth: one-app 2× ÷ one-app 1× (in-process, median of ${growthPairs.length} pairs)`]: {
    value: median(growthPairs.map((pair) => pair.oneApp)),
    max: 2.1,
  },
  // The same from the size blocks' medians, minutes apart: what load drift does to it.
  'growth from the size blocks: cold (in-process)': { value: blockGrowth('cold'), max: Infinity },
  'growth from the size blocks: one-app (in-process)': { value: blockGrowth('one-app'), max: Infinity },
  [`peak RSS at ${results.at(-1)!.instances} instances (MiB, any scenario but the peer)`]: {
    value: Math.max(
      ...results
        .at(-1)!
        .summaries.filter((s) => s.scenario !== 'kustomize')
        .map((s) => s.maxRssMb),
    ),
    max: 512,
  },
};
// Measured to decide, not a target: synth renders on one thread because this stays above 1 here.
ratios['k8s render: 2 worker threads ÷ 1 thread (1×, in-process; < 1 would pay, not used)'] = {
  value: threads.workersMs / threads.mainMs,
  max: Infinity,
};
const unshared = find('1×', 'cold-unshared');
if (unshared)
  ratios['cold with every instance rendered for itself ÷ cold (in-process; what shared renders save)'] = {
    value: unshared.ms / get('1×', 'cold').ms,
    max: Infinity,
  };
const naive = find('1×', 'naive');
if (naive)
  ratios['envmatrix ÷ naive cdk8s (cold, in-process)'] = { value: get('1×', 'cold').ms / naive.ms, max: 1 };
const ratioTable = new Table({
  head: ['figure (same run)', 'value', 'target', ''],
  style: { head: [], border: [] },
});
for (const [name, { value, max }] of Object.entries(ratios))
  ratioTable.push(
    max === Infinity
      ? [name, value.toFixed(2), '—', 'for reference']
      : [name, value.toFixed(2), `≤ ${max}`, value <= max ? 'met' : 'missed'],
  );
console.log(ratioTable.toString());
const load = { before: loadBefore, after: loadavg(), cores: availableParallelism() };
const totalMs = performance.now() - startedAt;
console.log(
  `load average (1, 5, 15 min) before ${load.before.map((l) => l.toFixed(1)).join(', ')}, after ${load.after.map((l) => l.toFixed(1)).join(', ')} on ${load.cores} cores; bench took ${fmt(totalMs)}`,
);

if (flags.json) {
  await writeFile(
    flags.json,
    `${JSON.stringify({ runs, peerEvery, load, totalMs, results, growthPairs, threads, ratios }, null, 2)}\n`,
  );
  console.error(`wrote ${flags.json}`);
}
