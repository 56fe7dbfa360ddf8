/**
 * One benchmark measurement in a fresh process, so peak RSS and cold start belong to that scenario alone.
 * Usage: node bin/run-ts.js bench/scenario.ts '<json: {scenario, size, outDir}>'
 * Prints one JSON line: {ms, maxRssMb}; `ms` counts from the resolved matrix to the files on disk.
 */
import { performance } from 'node:perf_hooks';
import { checkedMatrix } from '../src/matrix/load.ts';
import { synth } from '../src/output/synth.ts';
import { syntheticMatrix, syntheticPins, type FleetSize } from './synthetic-matrix.ts';

export type Scenario =
  'cold' | 'cold-unshared' | 'noop' | 'one-app' | 'one-app-warm' | 'naive' | 'floor' | 'kustomize';

interface Args {
  readonly scenario: Scenario;
  readonly size: FleetSize;
  readonly outDir: string;
  /** kustomize: render every `every`-th instance only (main.ts scales the time). @default 1 */
  readonly every?: number;
  /** cold, noop, one-app: the cache folder. @default `<outDir>.cache` */
  readonly cacheDir?: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
let startedAt = performance.now();

async function run(): Promise<void> {
  const bump =
    args.scenario === 'one-app'
      ? { env: 'staging', app: 'app-007', tag: `9.${Date.now() % 1000}.0` }
      : undefined;
  const { resolved } = checkedMatrix(syntheticMatrix(args.size), syntheticPins(args.size, bump));
  // In-process time is the synth itself: every scenario starts with the same resolved matrix.
  startedAt = performance.now();
  switch (args.scenario) {
    case 'cold':
    case 'noop':
    case 'one-app':
      await synth(resolved, {
        outDir: args.outDir,
        cacheDir: args.cacheDir ?? `${args.outDir}.cache`,
        allowRemovals: true,
      });
      return;
    case 'one-app-warm': {
      // A process that has synthesized once already (every module loaded, its code warm), then a pin
      // bump, timed from the pins to the files on disk: resolve and validate included, as the CLI does
      // them. What a one-app change costs with no start-up at all, a floor for anything (a daemon, a
      // start-up snapshot) that only removes start-up.
      const options = {
        outDir: args.outDir,
        cacheDir: args.cacheDir ?? `${args.outDir}.cache`,
        allowRemovals: true,
      };
      await synth(resolved, options);
      const definition = syntheticMatrix(args.size);
      const pins = syntheticPins(args.size, {
        env: 'staging',
        app: 'app-007',
        tag: `9.${Date.now() % 1000}.1`,
      });
      startedAt = performance.now();
      await synth(checkedMatrix(definition, pins).resolved, options);
      return;
    }
    case 'cold-unshared': {
      // The same synth with every app instance rendered for its own target: what shared renders save.
      const { generators } = await import('../src/generators/index.ts');
      const { createK8sGenerator } = await import('../src/generators/k8s/index.ts');
      const unshared = createK8sGenerator({ shareRenders: false });
      await synth(resolved, {
        outDir: args.outDir,
        cacheDir: args.cacheDir ?? `${args.outDir}.cache`,
        allowRemovals: true,
        generators: generators.map((generator) => (generator.name === unshared.name ? unshared : generator)),
      });
      return;
    }
    case 'naive': {
      // Imported here, inside the timed span, as envmatrix loads cdk8s inside its synth.
      const { naiveCdk8s } = await import('./baselines.ts');
      await naiveCdk8s(resolved, args.outDir);
      return;
    }
    case 'floor': {
      const { floorFiles, floorWrite } = await import('./baselines.ts');
      const files = floorFiles(resolved);
      startedAt = performance.now();
      await floorWrite(files, args.outDir);
      return;
    }
    case 'kustomize': {
      // The same objects as kustomize bases and overlays (set-up, not timed), then rendered by kubectl.
      const { floorFiles } = await import('./baselines.ts');
      const { renderPeer, writePeerTree } = await import('./kustomize-peer.ts');
      const instances = await writePeerTree(floorFiles(resolved), args.outDir);
      startedAt = performance.now();
      const every = args.every ?? 1;
      await renderPeer(instances.filter((_, i) => i % every === 0));
      return;
    }
  }
}

await run();
const ms = performance.now() - startedAt;
console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
