/**
 * `npm run bench [-- --quick] [-- --json <file>]`: synth benchmarks at two fleet sizes, each scenario in
 * fresh processes, repeated, reported as median and spread, with ratios measured side by side in this
 * run (these machines are shared and noisy: absolute numbers drift, ratios hold).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import Table from 'cli-table3';
import type { Scenario } from './scenario.ts';
import type { FleetSize } from './synthetic-matrix.ts';

const run = promisify(execFile);
const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, json: { type: 'string' }, runs: { type: 'string' } },
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

interface Sample {
  /** Wall time of the whole process: node start, imports, matrix, synth, exit. */
  readonly wallMs: number;
  /** Time inside the process after imports. */
  readonly ms: number;
  readonly maxRssMb: number;
}

async function measure(scenario: Scenario, size: FleetSize, outDir: string): Promise<Sample> {
  const started = performance.now();
  const { stdout } = await run(
    'node',
    ['bin/run-ts.js', 'bench/scenario.ts', JSON.stringify({ scenario, size, outDir })],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const wallMs = performance.now() - started;
  const last = stdout.trim().split('\n').at(-1) ?? '{}';
  return { wallMs, ...(JSON.parse(last) as { ms: number; maxRssMb: number }) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

interface Summary {
  readonly scenario: Scenario;
  readonly wallMs: number;
  readonly wallSpreadMs: number;
  readonly ms: number;
  readonly maxRssMb: number;
}

/**
 * The naive baseline is quadratic in charts per App (DESIGN.md: measured facts): at 1,800 app instances
 * one run takes minutes, so it runs once, at the first size only, in the first round.
 */
async function benchSize(size: FleetSize, withNaive: boolean, rounds: number): Promise<Summary[]> {
  const samples = new Map<Scenario, Sample[]>();
  const add = (scenario: Scenario, sample: Sample) =>
    samples.set(scenario, [...(samples.get(scenario) ?? []), sample]);
  for (let i = 0; i < rounds; i++) {
    // Interleave the scenarios so machine noise hits them alike.
    const dir = await mkdtemp(join(tmpdir(), 'envmatrix-bench-'));
    try {
      add('cold', await measure('cold', size, join(dir, 'generated')));
      add('noop', await measure('noop', size, join(dir, 'generated')));
      add('one-app', await measure('one-app', size, join(dir, 'generated')));
      if (withNaive && i === 0) add('naive', await measure('naive', size, join(dir, 'naive')));
      add('floor', await measure('floor', size, join(dir, 'floor')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return [...samples].map(([scenario, list]) => ({
    scenario,
    wallMs: median(list.map((s) => s.wallMs)),
    wallSpreadMs: spread(list.map((s) => s.wallMs)),
    ms: median(list.map((s) => s.ms)),
    maxRssMb: Math.max(...list.map((s) => s.maxRssMb)),
  }));
}

const results: { label: string; size: FleetSize; instances: number; summaries: Summary[] }[] = [];
for (const { label, size } of sizes) {
  const instances = size.environments * size.clustersPerEnvironment * size.apps;
  console.error(
    `bench ${label}: ${size.environments} envs × ${size.clustersPerEnvironment} clusters × ${size.apps} apps = ${instances} app instances…`,
  );
  results.push({
    label,
    size,
    instances, // The 2× size is there for growth; two rounds keep the whole bench under five minutes.
    summaries: await benchSize(size, label === '1×', label === '1×' ? runs : Math.min(runs, 2)),
  });
}

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

const get = (label: string, scenario: Scenario) =>
  results.find((r) => r.label === label)!.summaries.find((s) => s.scenario === scenario)!;
const ratios = {
  'envmatrix ÷ naive cdk8s (cold, in-process)': get('1×', 'cold').ms / get('1×', 'naive').ms,
  'envmatrix ÷ floor (cold, in-process)': get('1×', 'cold').ms / get('1×', 'floor').ms,
  'growth: cold 2× ÷ cold 1× (in-process)': get('2×', 'cold').ms / get('1×', 'cold').ms,
  'growth: one-app 2× ÷ one-app 1× (in-process)': get('2×', 'one-app').ms / get('1×', 'one-app').ms,
};
const ratioTable = new Table({ head: ['ratio (same run)', 'value'], style: { head: [], border: [] } });
for (const [name, value] of Object.entries(ratios)) ratioTable.push([name, value.toFixed(2)]);
console.log(ratioTable.toString());

if (flags.json) {
  await writeFile(flags.json, `${JSON.stringify({ runs, results, ratios }, null, 2)}\n`);
  console.error(`wrote ${flags.json}`);
}
