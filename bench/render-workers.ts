/**
 * Probe for issue 17, "threads where they pay": the k8s units of a cold synth (the bulk of its work)
 * rendered in this thread, then split across worker_threads, in one process, timed side by side.
 * Each worker starts its own tsx loader and cdk8s, as a pool in synth would.
 * Usage: node bin/run-ts.js bench/render-workers.ts '<json: {size, workers}>'; prints one JSON line.
 */
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { loadRenderers } from '../src/generators/index.ts';
import { k8sGenerator } from '../src/generators/k8s/index.ts';
import { serialize } from '../src/generators/serialize.ts';
import { checkedMatrix } from '../src/matrix/load.ts';
import type { ResolvedMatrix } from '../src/matrix/types.ts';
import { syntheticMatrix, syntheticPins, type FleetSize } from './synthetic-matrix.ts';

/** Render every `of`-th k8s unit starting at `part`; returns the bytes rendered. */
async function renderShare(matrix: ResolvedMatrix, part: number, of: number): Promise<number> {
  await loadRenderers([k8sGenerator]);
  let bytes = 0;
  k8sGenerator.units(matrix).forEach((unit, i) => {
    if (i % of === part) for (const file of unit.render()) bytes += serialize(file).length;
  });
  return bytes;
}

if (!isMainThread) {
  const { matrix, part, of } = workerData as { matrix: ResolvedMatrix; part: number; of: number };
  parentPort!.postMessage(await renderShare(matrix, part, of));
} else {
  const { size, workers } = JSON.parse(process.argv[2] ?? '{}') as { size: FleetSize; workers: number };
  const { resolved } = checkedMatrix(syntheticMatrix(size), syntheticPins(size));
  let started = performance.now();
  const threaded = await Promise.all(
    Array.from(
      { length: workers },
      (_, part) =>
        new Promise<number>((resolve, reject) => {
          // A worker gets no loader hooks from this thread: it registers tsx itself, then loads this file.
          const worker = new Worker(
            `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`,
            { eval: true, workerData: { matrix: resolved, part, of: workers } },
          );
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  const workersMs = performance.now() - started;
  started = performance.now();
  const bytes = await renderShare(resolved, 0, 1);
  const mainMs = performance.now() - started;
  if (threaded.reduce((a, b) => a + b, 0) !== bytes) throw new Error('the workers rendered other bytes');
  console.log(JSON.stringify({ mainMs, workersMs, bytes }));
}
