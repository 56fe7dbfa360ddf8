/**
 * The CLI's bundle (bin/cli-bundle.js): built from a copy of envmatrix's sources into a cache folder of
 * the test's own, so that editing a source here touches nothing the other tests run.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, bundleCacheDir, findBundle } from '../../bin/cli-bundle.js';
import { DYNAMIC_IMPORT } from '../../src/cli/compile-cache.ts';
import { projectRoot } from '../support/tools.ts';

const run = promisify(execFile);

describe('the CLI bundle', () => {
  let copy: string;
  let cacheDir: string;

  beforeAll(async () => {
    copy = await mkdtemp(join(tmpdir(), 'envmatrix-cli-bundle-'));
    for (const entry of ['bin', 'src', 'package.json', 'tsconfig.json'])
      await cp(join(projectRoot, entry), join(copy, entry), { recursive: true });
    // Its own node_modules folder, packages linked from this checkout, so that its cache is its own.
    await mkdir(join(copy, 'node_modules'));
    for (const name of await readdir(join(projectRoot, 'node_modules')))
      if (name !== '.cache')
        await symlink(join(projectRoot, 'node_modules', name), join(copy, 'node_modules', name));
    cacheDir = bundleCacheDir(copy);
  });
  afterAll(() => rm(copy, { recursive: true, force: true }));

  const cli = (env: NodeJS.ProcessEnv, ...args: string[]) =>
    run(process.execPath, [join(copy, 'bin/envmatrix.js'), ...args], { env: { ...process.env, ...env } });

  it('is built on the first run, then found; an edited source is never run stale', async () => {
    await rm(cacheDir, { recursive: true, force: true });
    expect(findBundle({ envmatrixDir: copy })).toBeUndefined();
    const { stdout } = await cli({}, '--version');
    const { version } = JSON.parse(await readFile(join(copy, 'package.json'), 'utf8')) as { version: string };
    expect(stdout.trim()).toBe(version);
    const first = findBundle({ envmatrixDir: copy });
    expect(first).toMatch(/^file:.*\/node_modules\/\.cache\/envmatrix\/cli\/[0-9a-f]{32}\/main\.mjs$/);

    // The bundle runs the code as it was built: make an edit the CLI shows, then expect it at once.
    const main = join(copy, 'src/cli/main.ts');
    const source = await readFile(main, 'utf8');
    await writeFile(main, source.replace('.version(packageJson.version)', ".version('9.9.9-edited')"));
    try {
      expect(findBundle({ envmatrixDir: copy })).toBeUndefined();
      expect((await cli({}, '--version')).stdout.trim()).toBe('9.9.9-edited');
      const second = findBundle({ envmatrixDir: copy });
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
    } finally {
      await writeFile(main, source);
    }
    // Back to the first sources: the first bundle's key again, so it is rebuilt under the same name.
    expect((await cli({}, '--version')).stdout.trim()).not.toBe('9.9.9-edited');
    expect(findBundle({ envmatrixDir: copy })).toBe(first);
  });

  it('gives every module its own import.meta.url and keeps no other import.meta', async () => {
    const entry = await buildBundle({ envmatrixDir: copy });
    const folder = fileURLToPath(new URL('.', entry));
    const code = (
      await Promise.all(
        (await readdir(folder))
          .filter((f) => f.endsWith('.mjs'))
          .map((f) => readFile(join(folder, f), 'utf8')),
      )
    ).join('\n');
    expect(code).not.toMatch(/\bimport\.meta\b/);
    // The PR body template is read next to its module, and zod is required from src/matrix.
    expect(code).toContain(
      `new URL("./templates/pr-body.hbs", ${JSON.stringify(pathToFileURL(join(copy, 'src/promote/render-body.ts')).href)})`,
    );
    expect(code).toContain(
      `createRequire(${JSON.stringify(pathToFileURL(join(copy, 'src/matrix/zod.ts')).href)})`,
    );
  });

  it('carries cdk8s and zod pre-bundled, which a run loads instead of their ~350 files in node_modules', async () => {
    // The CLI's own bundle (the copy's builder), not one an earlier test built with this checkout's.
    await rm(cacheDir, { recursive: true, force: true });
    await cli({}, '--version');
    const { key, inputs } = JSON.parse(await readFile(join(cacheDir, 'current.json'), 'utf8')) as {
      key: string;
      inputs: string[];
    };
    const libraries = join(cacheDir, key, 'libraries');
    expect((await readdir(libraries)).sort()).toEqual([
      'cdk8s.cjs',
      'cdk8s.cjs.map',
      'zod.cjs',
      'zod.cjs.map',
    ]);
    // Compiled through the compile cache: nothing in them reads as a dynamic import() to its test.
    for (const name of ['cdk8s.cjs', 'zod.cjs'])
      expect(DYNAMIC_IMPORT.test(await readFile(join(libraries, name), 'utf8')), name).toBe(false);
    // Keyed by each bundled package's package.json (constructs and zod are in the key only as
    // libraries): as reached through this copy's links to the checkout's packages, and as esbuild
    // found them, the links followed (cdk8s's own yaml among them).
    for (const name of ['cdk8s-plus-28', 'constructs', 'zod']) {
      expect(inputs).toContain(`node_modules/${name}/package.json`);
      expect(inputs).toContain(relative(copy, join(projectRoot, 'node_modules', name, 'package.json')));
    }
    expect(inputs).toContain(
      relative(copy, join(projectRoot, 'node_modules', 'cdk8s', 'node_modules', 'yaml', 'package.json')),
    );

    // A bundle folder that lost a library is not run; the next run builds it again in its place.
    await rm(join(libraries, 'zod.cjs'));
    expect(findBundle({ envmatrixDir: copy })).toBeUndefined();
    // Which copies a synth (validation with zod, manifests with cdk8s) loads: told at exit by a preload.
    const preload = join(copy, 'loaded.cjs');
    await writeFile(
      preload,
      `process.on('exit', () => {
        const files = Object.keys(require.cache);
        const count = (test) => files.filter(test).length;
        process.stderr.write(JSON.stringify({
          node_modules: count((file) => /\\/node_modules\\/(cdk8s|cdk8s-plus-28|zod)\\//.test(file)),
          bundled: count((file) => file.startsWith(${JSON.stringify(`${cacheDir}/`)})),
        }));
      });\n`,
    );
    const loaded = async (env: NodeJS.ProcessEnv) => {
      const { stderr } = await run(
        process.execPath,
        ['--require', preload, join(copy, 'bin/envmatrix.js'), 'synth', '--no-cache'],
        { cwd: copy, env: { ...process.env, ...env } },
      );
      return JSON.parse(stderr.slice(stderr.lastIndexOf('{'))) as { node_modules: number; bundled: number };
    };
    // (constructs is not counted: the Terraform generator's cdktf requires its own from node_modules.)
    expect(await loaded({})).toEqual({ node_modules: 0, bundled: 2 });
    expect(JSON.parse(await readFile(join(cacheDir, 'current.json'), 'utf8'))).toMatchObject({ key });
    expect(await readdir(libraries)).toContain('zod.cjs');
    expect((await readdir(cacheDir)).filter((name) => name.startsWith('.stale-'))).toHaveLength(1);
    // From source, the packages themselves: what the tests and ENVMATRIX_FROM_SOURCE run.
    const fromSource = await loaded({ ENVMATRIX_FROM_SOURCE: '1' });
    expect(fromSource.bundled).toBe(0);
    expect(fromSource.node_modules).toBeGreaterThan(100);
  });

  it('is built again when a bundled library changes version, also behind a link', async () => {
    await rm(cacheDir, { recursive: true, force: true });
    await cli({}, '--version');
    const first = findBundle({ envmatrixDir: copy });
    expect(first).toBeDefined();
    // The copy's zod, a real folder now rather than a link, one patch version on.
    const zod = join(copy, 'node_modules', 'zod');
    await rm(zod);
    await cp(join(projectRoot, 'node_modules', 'zod'), zod, { recursive: true });
    const manifest = join(zod, 'package.json');
    const json = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
    await writeFile(manifest, JSON.stringify({ ...json, version: `${json.version}-patched` }));
    try {
      expect(findBundle({ envmatrixDir: copy })).toBeUndefined();
      await cli({}, '--version');
      const rebuilt = findBundle({ envmatrixDir: copy });
      expect(rebuilt).toBeDefined();
      expect(rebuilt).not.toBe(first);
    } finally {
      await rm(zod, { recursive: true, force: true });
      await symlink(join(projectRoot, 'node_modules', 'zod'), zod);
    }
  });

  it('leaves out the define API the matrix imports through tsx, which keeps no state of its own', async () => {
    await buildBundle({ envmatrixDir: copy });
    const { inputs } = JSON.parse(await readFile(join(cacheDir, 'current.json'), 'utf8')) as {
      inputs: string[];
    };
    expect(inputs).toContain('src/cli/main.ts');
    // The builder itself (this checkout's, which the test imports) and the compiler settings count too.
    expect(inputs.filter((input) => input.endsWith('bin/cli-bundle.js'))).toHaveLength(1);
    expect(inputs).toContain('tsconfig.json');
    // What the user's matrix imports: src/matrix/index.ts and everything it loads at run time.
    const api = await build({
      absWorkingDir: projectRoot,
      entryPoints: ['src/matrix/index.ts'],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      write: false,
      metafile: true,
    });
    const apiModules = Object.keys(api.metafile.inputs);
    expect(apiModules).toContain('src/matrix/define.ts');
    for (const module of apiModules) {
      expect(inputs).not.toContain(module);
      // Two copies of a module (the bundle's, tsx's) are one only while it holds no state or classes.
      const text = await readFile(join(projectRoot, module), 'utf8');
      expect(text, module).not.toMatch(
        /^(?:export\s+)?(?:let|var|class)\s|new (?:Weak)?(?:Map|Set)\b|Symbol\(/m,
      );
    }
  });

  it('runs from source, saying why, when the bundle cannot be built; ENVMATRIX_FROM_SOURCE skips it', async () => {
    await rm(cacheDir, { recursive: true, force: true });
    await mkdir(join(cacheDir, '..'), { recursive: true });
    await writeFile(cacheDir, 'not a folder\n');
    try {
      const failed = await cli({}, '--version');
      expect(failed.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      expect(failed.stderr).toMatch(
        /^envmatrix: running from source, the CLI bundle could not be built \(.+\)/,
      );
      const fromSource = await cli({ ENVMATRIX_FROM_SOURCE: '1' }, '--version');
      expect(fromSource.stderr).toBe('');
    } finally {
      await rm(cacheDir, { force: true });
    }
    await cli({ ENVMATRIX_FROM_SOURCE: '1' }, '--version');
    expect(findBundle({ envmatrixDir: copy })).toBeUndefined();
  });

  it('names the source it cannot bundle, and runs the sources meanwhile', async () => {
    const file = join(copy, 'src/core/compare.ts');
    const source = await readFile(file, 'utf8');
    // import.meta.dirname would name the bundle's folder, not the module's: the build refuses it.
    await writeFile(file, `${source}\nexport const here = import.meta.dirname;\n`);
    try {
      const { stdout, stderr } = await cli({}, '--version');
      expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
      expect(stderr).toMatch(
        /^envmatrix: running from source, the CLI bundle could not be built \(src\/[\w/-]+\.ts:\d+: import\.meta is only bundled as import\.meta\.url \(src\/core\/compare\.ts\)\); set ENVMATRIX_FROM_SOURCE=1 to skip trying\n$/,
      );
    } finally {
      await writeFile(file, source);
    }
  });

  it('is built by several processes at once into one folder, with no scratch left', async () => {
    await rm(cacheDir, { recursive: true, force: true });
    const urls = await Promise.all(
      [1, 2, 3].map(() => cli({}, '--version').then(() => findBundle({ envmatrixDir: copy }))),
    );
    const [url] = new Set(urls);
    expect(urls).toEqual([url, url, url]);
    expect(url).toBeDefined();
    const key = fileURLToPath(new URL('.', url)).split('/').at(-2);
    expect((await readdir(cacheDir)).sort()).toEqual([key, 'current.json'].sort());
  });
});
