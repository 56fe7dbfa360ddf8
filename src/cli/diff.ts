import { join } from 'node:path';
import { diffPlan } from '../output/diff.ts';
import { INDEX_PATH, parseIndex } from '../output/index-file.ts';
import { planSynth } from '../output/synth.ts';
import { readTextIfExists } from '../output/tree.ts';
import { load, outDirOf, type GlobalOptions } from './context.ts';
import { formatHeldBack } from './held-back.ts';

export interface DiffFlags extends GlobalOptions {
  readonly only?: string;
  readonly stat?: boolean;
}

export async function diffCommand(options: DiffFlags): Promise<number> {
  const { resolved } = await load(options);
  const outDir = outDirOf(options);
  const previous = parseIndex(await readTextIfExists(join(outDir, INDEX_PATH)));
  const plan = await planSynth(resolved, {
    outDir,
    allowRemovals: true,
    ...(options.only !== undefined && { only: options.only }),
  });
  const diffs = diffPlan(plan, previous);
  if (options.only !== undefined && plan.heldBack.length > 0)
    console.warn(formatHeldBack(options.only, plan.heldBack));
  if (diffs.length === 0) {
    console.log('No changes: generated/ already matches the matrix.');
    return 0;
  }
  let group = '';
  for (const diff of diffs) {
    if (diff.group !== group) {
      group = diff.group;
      console.log(`\n## ${group}`);
    }
    if (options.stat)
      console.log(`  ${diff.kind.padEnd(7)} generated/${diff.path}  +${diff.additions} −${diff.deletions}`);
    else process.stdout.write(diff.patch);
  }
  const totals = diffs.reduce((sum, d) => ({ a: sum.a + d.additions, d: sum.d + d.deletions }), {
    a: 0,
    d: 0,
  });
  console.log(`\n${diffs.length} files would change: +${totals.a} −${totals.d}`);
  return 0;
}
