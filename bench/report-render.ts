/**
 * `node bin/run-ts.js bench/report-render.ts [--envs 5] [--clusters 10] [--apps 100] [--runs 5]`: how long
 * the static report page of a 50-cluster × 100-app fleet takes to render in headless Chromium (Debian's
 * package via playwright-core), and to filter to one app.
 *
 * Measured in the page: from navigation start to the `envmatrix-report-ready` mark, which the script sets
 * after its set-up and a forced layout (HTML parsed, styles and layout computed, filters and compare view
 * wired). Each run opens a fresh page. Also reported: building the data and the HTML in Node.
 *
 * The fleet has a release moving through every environment (each runs an older version than the one
 * before), so the pipeline lists a pending promotion per app and edge; those plans are made up here (the
 * planner would synth 5,000 app instances first), shaped as the planner returns them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { buildReportData } from '../src/fleet/report-data.ts';
import { loadReportAssets } from '../src/fleet/report/assets.ts';
import { renderReportPage } from '../src/fleet/report/page.ts';
import { checkedMatrix } from '../src/matrix/load.ts';
import type { Pin, PinsByEnvironment } from '../src/matrix/types.ts';
import type { PinsRevision, PromotionPlan } from '../src/promote/types.ts';
import { syntheticMatrix, type FleetSize } from './synthetic-matrix.ts';

const { values: flags } = parseArgs({
  options: {
    envs: { type: 'string' },
    clusters: { type: 'string' },
    apps: { type: 'string' },
    runs: { type: 'string' },
  },
});
const size: FleetSize = {
  environments: Number(flags.envs ?? 5),
  clustersPerEnvironment: Number(flags.clusters ?? 10),
  apps: Number(flags.apps ?? 100),
};
const runs = Number(flags.runs ?? 5);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const digest = (seed: string) => `sha256:${Buffer.from(seed.padEnd(32, '0').slice(0, 32)).toString('hex')}`;
const appName = (i: number) => `app-${String(i).padStart(3, '0')}`;

/** Environment `e` of `n` runs patch `n - e` of each app: the first environment is newest. */
function pins(envs: readonly string[]): PinsByEnvironment {
  return Object.fromEntries(
    envs.map((env, e) => {
      const apps: Record<string, Pin> = {};
      for (let i = 0; i < size.apps; i++) {
        const tag = `1.${i}.${envs.length - e}`;
        apps[appName(i)] = { tag, digest: digest(`${appName(i)}:${tag}`) };
      }
      return [env, { file: `src/environments/releases/${env}.json`, apps }];
    }),
  );
}

function plans(envs: readonly string[], pinned: PinsByEnvironment, now: Date): PromotionPlan[] {
  return envs.slice(0, -1).map((from, e) => {
    const to = envs[e + 1]!;
    const promotions = Array.from({ length: size.apps }, (_, i) => ({
      app: appName(i),
      image: `ghcr.io/acme/${appName(i)}`,
      from: pinned[to]!.apps[appName(i)]!,
      to: pinned[from]!.apps[appName(i)]!,
      source: { env: from },
      blocked: i % 3 === 0,
      targets: [],
      gates: [
        { gate: 'order', status: 'pass', evidence: `${from} → ${to}` },
        { gate: 'digest', status: 'pass', evidence: 'pinned by digest' },
        { gate: 'freeze', status: 'pass', evidence: 'open' },
        i % 3 === 0
          ? {
              gate: 'soak',
              status: 'block',
              evidence: '1h < 24h',
              passesAt: new Date(now.getTime() + 23 * 3_600_000).toISOString(),
            }
          : { gate: 'soak', status: 'pass', evidence: '26h ≥ 24h' },
        { gate: 'health', status: 'skip', evidence: 'not checked (no code host access)' },
      ],
    }));
    return {
      request: { from, to, wave: 0 },
      waves: [0, 1, 2, 3],
      promotions: promotions.filter((p) => !p.blocked),
      blocked: promotions.filter((p) => p.blocked),
    } as unknown as PromotionPlan;
  });
}

/** Ten revisions per environment, each bumping a tenth of the apps. */
function revisions(envs: readonly string[], pinned: PinsByEnvironment): Record<string, PinsRevision[]> {
  return Object.fromEntries(
    envs.map((env) => {
      const list: PinsRevision[] = [];
      for (let r = 0; r < 10; r++) {
        const apps = Object.fromEntries(
          Object.entries(pinned[env]!.apps).map(([app, pin], i) => [
            app,
            i % 10 >= r ? { ...pin, tag: `${pin.tag}-rc${r}` } : pin,
          ]),
        );
        list.push({
          sha: `${env}${r}`.padEnd(40, '0'),
          at: new Date(Date.UTC(2026, 10, 1 + r)).toISOString(),
          text: JSON.stringify({ apps }),
        });
      }
      return [env, list.reverse()];
    }),
  );
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const chromiumPath = process.env.ENVMATRIX_CHROMIUM || '/usr/bin/chromium';
const definition = syntheticMatrix(size);
const envs = Object.keys(definition.environments);
const pinned = pins(envs);
const now = new Date('2026-11-30T02:00:00Z');
const started = performance.now();
const matrix = checkedMatrix(definition, pinned).resolved;
const data = buildReportData({
  matrix,
  plans: plans(envs, pinned, now),
  revisions: revisions(envs, pinned),
  subjects: new Map(),
  now,
});
const html = renderReportPage(data, await loadReportAssets());
const buildMs = performance.now() - started;

const dir = await mkdtemp(join(tmpdir(), 'envmatrix-report-bench-'));
const file = join(dir, 'index.html');
await writeFile(file, html);
const browser = await chromium.launch({ executablePath: chromiumPath, args: FLAGS, headless: true });
const ready: number[] = [];
const cpu: number[] = [];
const filter: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // The renderer main thread's CPU time (DevTools' ThreadTime metric): what the page costs, apart
    // from waiting for a core on a shared machine.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const threadTime = async () =>
      (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')!.value;
    const before = await threadTime();
    await page.goto(`file://${file}`);
    cpu.push(((await threadTime()) - before) * 1000);
    ready.push(
      await page.evaluate<number>("performance.getEntriesByName('envmatrix-report-ready')[0].startTime"),
    );
    // Filter to one app, the way the page's change handler runs, with the layout it causes.
    filter.push(
      await page.evaluate<number>(`(() => {
        const start = performance.now();
        const select = document.querySelector('#filters select[name=app]');
        select.value = 'app-042';
        select.dispatchEvent(new Event('change', { bubbles: true }));
        void document.body.offsetHeight;
        return performance.now() - start;
      })()`),
    );
    await page.close();
  }
} finally {
  await browser.close();
  await rm(dir, { recursive: true, force: true });
}

const result = {
  clusters: data.targets.length,
  apps: data.apps.length,
  cells: data.targets.reduce((n, t) => n + t.cells.filter(Boolean).length, 0),
  pending: data.pending.length,
  htmlKb: Math.round(Buffer.byteLength(html) / 1024),
  buildMs: Math.round(buildMs),
  readyMedianMs: Math.round(median(ready)),
  readyRunsMs: ready.map(Math.round),
  mainThreadCpuMedianMs: Math.round(median(cpu)),
  filterMedianMs: Math.round(median(filter)),
};
console.log(
  `report page, ${result.clusters} clusters × ${result.apps} apps (${result.cells} cells, ${result.pending} pending promotions, ${result.htmlKb} KB): ` +
    `rendered in Chromium in ${result.readyMedianMs} ms (median of ${runs}: ${result.readyRunsMs.join(', ')}; ` +
    `main-thread CPU ${result.mainThreadCpuMedianMs} ms); ` +
    `filter to one app ${result.filterMedianMs} ms; data + HTML built in Node in ${result.buildMs} ms`,
);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${cpus().length} cores`,
);
console.log(JSON.stringify(result));
