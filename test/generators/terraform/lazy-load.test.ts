/**
 * The cloud plugins load cdktf and their provider bindings only when a stack renders, and AWS's by
 * submodule (the package root costs 2 s and 565 MB): measured in a fresh Node process, where the
 * CommonJS module cache shows what was loaded.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { projectRoot } from '../../support/tools.ts';

const src = (path: string): string => pathToFileURL(join(projectRoot, 'src', path)).href;

const SCRIPT = `
import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
const loaded = () => {
  const paths = Object.keys(cache);
  return {
    cdktf: paths.some((p) => p.includes('/node_modules/cdktf/')),
    providerRoot: paths.some((p) => /@cdktf\\/provider-aws\\/lib\\/index\\.js$/.test(p)),
    providerModules: paths.filter((p) => p.includes('/@cdktf/provider-aws/lib/')).length,
  };
};
const { terraformGenerator } = await import(${JSON.stringify(src('generators/terraform/index.ts'))});
await import(${JSON.stringify(src('generators/terraform/plan.ts'))});
await import(${JSON.stringify(src('promote/risk.ts'))});
const before = loaded();
await terraformGenerator.load();
console.log(JSON.stringify({ before, after: loaded() }));
`;

it('loads cdktf and provider-aws submodules only when the renderers load, never the package root', () => {
  const dir = mkdtempSync(join(tmpdir(), 'envmatrix-lazy-'));
  try {
    writeFileSync(join(dir, 'probe.mts'), SCRIPT);
    const out = execFileSync(process.execPath, [join(projectRoot, 'bin/run-ts.js'), join(dir, 'probe.mts')], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    const { before, after } = JSON.parse(out) as Record<'before' | 'after', Record<string, unknown>>;
    expect(before).toEqual({ cdktf: false, providerRoot: false, providerModules: 0 });
    expect(after).toMatchObject({ cdktf: true, providerRoot: false });
    expect(after.providerModules).toBeGreaterThan(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
