/** `envmatrix compare <target-a> <target-b> [app] [--json]`: see src/fleet/compare.ts. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compareTargets, renderedDir, type RenderedApp } from '../fleet/compare.ts';
import { formatComparison } from '../fleet/compare-text.ts';
import { listFiles } from '../output/tree.ts';
import { load, outDirOf, type GlobalOptions } from './context.ts';

export interface CompareFlags extends GlobalOptions {
  readonly json?: boolean;
}

/** The rendered files of every app on both targets, read from generated/ (what Argo CD and Flux pull). */
async function readRendered(
  outDir: string,
  pairs: readonly [string, string][],
): Promise<Map<string, RenderedApp>> {
  const result = new Map<string, RenderedApp>();
  for (const [target, app] of pairs) {
    const dir = renderedDir(target, app);
    const files = await listFiles(join(outDir, dir));
    const contents = await Promise.all(files.map((file) => readFile(join(outDir, dir, file), 'utf8')));
    result.set(`${target}\u0000${app}`, new Map(files.map((file, i) => [`${dir}/${file}`, contents[i]!])));
  }
  return result;
}

export async function compareCommand(
  flags: CompareFlags,
  a: string,
  b: string,
  app: string | undefined,
): Promise<number> {
  const { resolved } = await load(flags);
  const apps = (id: string) => resolved.targets.find((t) => t.id === id)?.apps.map((x) => x.name) ?? [];
  const pairs = [a, b].flatMap((target) =>
    apps(target)
      .filter((name) => app === undefined || name === app)
      .map((name) => [target, name] as [string, string]),
  );
  const rendered = await readRendered(outDirOf(flags), pairs);
  const comparison = compareTargets({
    matrix: resolved,
    a,
    b,
    ...(app !== undefined && { app }),
    rendered: (target, name) => rendered.get(`${target}\u0000${name}`) ?? new Map(),
  });
  console.log(flags.json ? JSON.stringify(comparison, null, 2) : formatComparison(comparison));
  return 0;
}
