/**
 * `node bin/run-ts.js bench/promote-plan.ts [--apps 100] [--clusters 4] [--runs 5]`: how long planning one
 * promotion PR takes — every app differing between staging and prod, all gates, the synth of prod with
 * the new pins compared against generated/, risks, and the rendered PR body — with every generator.
 *
 * The generated/ tree it compares against is synthed first (not timed). Timed separately: reading
 * generated/ (I/O the bot does once per run, shared by every plan) and planning. Reported: the first
 * plan in the process (cold: generator modules load) and the median of the rest.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { checkedMatrix } from '../src/matrix/load.ts';
import { serializePins } from '../src/matrix/pins.ts';
import type { PinsByEnvironment } from '../src/matrix/types.ts';
import { synth } from '../src/output/synth.ts';
import { readTree } from '../src/output/tree.ts';
import { planPromotion, PINS_SCHEMA_REF, type PlanFacts } from '../src/promote/plan.ts';
import type { PromotionPlan } from '../src/promote/types.ts';
import { indexedRenderCache } from '../src/promote/render-cache.ts';
import { syntheticMatrix, syntheticPins, type FleetSize } from './synthetic-matrix.ts';

const { values: flags } = parseArgs({
  options: { apps: { type: 'string' }, clusters: { type: 'string' }, runs: { type: 'string' } },
});

export interface PlanBenchResult {
  readonly size: FleetSize;
  /** Files in generated/, and the median time to read them (the bot does it once per run). */
  readonly files: number;
  readonly readMedianMs: number;
  readonly promotions: number;
  readonly bodyChars: number;
  readonly coldMs: number;
  readonly warmMedianMs: number;
  /** CPU time (user + system) of the warm plans: less sensitive to other load on a shared machine. */
  readonly warmCpuMedianMs: number;
  readonly warmRunsMs: readonly number[];
}

/** Staging one patch release ahead of prod for every app, both soaked long ago. */
export function promotionFixture(size: FleetSize): Omit<PlanFacts, 'generatedDir' | 'now'> {
  const definition = syntheticMatrix(size);
  const base = syntheticPins(size);
  const staging = Object.fromEntries(
    Object.entries(base.staging!.apps).map(([app, pin]) => [
      app,
      { ...pin, tag: pin.tag.replace(/\.0$/, '.1') },
    ]),
  );
  const pins: PinsByEnvironment = { ...base, staging: { ...base.staging!, apps: staging } };
  const revision = (env: string) => [
    {
      sha: 'f'.repeat(40),
      at: '2025-01-01T00:00:00.000Z',
      text: serializePins(pins[env]!.apps, PINS_SCHEMA_REF),
    },
  ];
  return {
    definition,
    pins,
    history: { dev: revision('dev'), staging: revision('staging'), prod: revision('prod') },
  };
}

export async function benchPlanning(size: FleetSize, runs: number): Promise<PlanBenchResult> {
  const fixture = promotionFixture(size);
  const dir = await mkdtemp(join(tmpdir(), 'envmatrix-bench-promote-'));
  try {
    const generatedDir = join(dir, 'generated');
    await synth(checkedMatrix(fixture.definition, fixture.pins).resolved, { outDir: generatedDir });
    const times: number[] = [];
    const reads: number[] = [];
    const cpuTimes: number[] = [];
    let last: PromotionPlan | undefined;
    for (let i = 0; i < runs + 1; i++) {
      const read = performance.now();
      const generatedTree = await readTree(generatedDir);
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      reads.push(start - read);
      const renderCache = indexedRenderCache(generatedTree);
      last = await planPromotion(
        {
          ...fixture,
          generatedDir,
          generatedTree,
          now: new Date('2025-03-05T10:00:00Z'),
          health: new Map(),
          renderCache,
        },
        { from: 'staging', to: 'prod', wave: 0 },
      );
      times.push(performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
    }
    if (!last) throw new Error('no plan');
    const warm = times.slice(1).sort((a, b) => a - b);
    const sortedReads = [...reads].sort((a, b) => a - b);
    const warmCpu = cpuTimes.slice(1).sort((a, b) => a - b);
    return {
      size,
      files: (await readTree(generatedDir)).size,
      readMedianMs: Math.round(sortedReads[Math.floor(sortedReads.length / 2)]!),
      promotions: last.promotions.length,
      bodyChars: last.body.length,
      coldMs: Math.round(times[0]!),
      warmMedianMs: Math.round(warm[Math.floor(warm.length / 2)]!),
      warmCpuMedianMs: Math.round(warmCpu[Math.floor(warmCpu.length / 2)]!),
      warmRunsMs: times.slice(1).map(Math.round),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('promote-plan.ts')) {
  const size: FleetSize = {
    environments: 3,
    clustersPerEnvironment: Number(flags.clusters ?? 4),
    apps: Number(flags.apps ?? 100),
  };
  const result = await benchPlanning(size, Number(flags.runs ?? 5));
  console.log(
    `plan staging → prod wave 0: ${size.apps} apps × ${size.environments} environments × ${size.clustersPerEnvironment} clusters; ` +
      `${result.promotions} promotions, body ${result.bodyChars} chars\n` +
      `  plan: cold ${result.coldMs} ms, warm median ${result.warmMedianMs} ms wall (${result.warmRunsMs.join(', ')}), ${result.warmCpuMedianMs} ms CPU\n` +
      `  reading generated/ (${result.files} files, once per run): median ${result.readMedianMs} ms`,
  );
}
