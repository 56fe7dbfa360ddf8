/**
 * What envmatrix is measured against, on the same resolved matrix:
 * - naive: the same charts the way a user of plain cdk8s writes them — one App for the whole fleet, every
 *   chart in it, `app.synth()` — whose cost grows with the square of the charts in the App;
 * - floor: the finished objects serialized to YAML and written, with no construct tree at all.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { createK8sGenerator } from '../src/generators/k8s/index.ts';
import { addAppChart } from '../src/generators/k8s/app-chart.ts';
import type { AppInput } from '../src/generators/k8s/context.ts';
import type { OutputFile } from '../src/generators/types.ts';
import type { ResolvedMatrix } from '../src/matrix/types.ts';
import { serialize } from '../src/generators/serialize.ts';
import { mapBounded } from '../src/output/bounded.ts';

export async function naiveCdk8s(matrix: ResolvedMatrix, outDir: string): Promise<void> {
  const app = new App({ outdir: outDir, recordConstructMetadata: false });
  // One scope per target so chart ids (app names) repeat across targets, as one App holds them all.
  const targets = new Map<string, { scope: Construct; templates: Chart }>();
  for (const unit of k8sGenerator.units(matrix)) {
    const input = unit.input as AppInput;
    let target = targets.get(input.target.id);
    if (!target) {
      const scope = new Construct(app, input.target.id.replaceAll('/', '-'));
      target = { scope, templates: new Chart(scope, '_pod-templates') };
      targets.set(input.target.id, target);
    }
    addAppChart(target.scope as unknown as App, target.templates, input);
  }
  app.synth();
  await Promise.resolve();
}

/**
 * Every app instance rendered on its own: the floor writes each file's objects, so it must not get the
 * YAML text that shared renders (src/generators/k8s/shared-render.ts) hand over already written.
 */
const k8sGenerator = createK8sGenerator({ shareRenders: false });

// floorFiles renders through the generator's units, whose renderer loads on demand (Generator.load).
// Both baselines import cdk8s anyway, so loading it with this module costs them nothing extra.
await k8sGenerator.load?.();

/** Render the objects first (not what the floor measures), then time serializing and writing them. */
export function floorFiles(matrix: ResolvedMatrix): OutputFile[] {
  return k8sGenerator.units(matrix).flatMap((unit) => unit.render());
}

export async function floorWrite(files: readonly OutputFile[], outDir: string): Promise<void> {
  const dirs = new Set(files.map((file) => dirname(join(outDir, file.path))));
  await mapBounded([...dirs], (dir) => mkdir(dir, { recursive: true }));
  await mapBounded(files, (file) => writeFile(join(outDir, file.path), serialize(file)));
}
