import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyProject, type ProjectCopy } from '../support/project-copy.ts';
import { projectRoot } from '../support/tools.ts';

const run = promisify(execFile);
const entriesDir = (cacheDir: string) => join(cacheDir, 'compile', `${process.version}-${process.arch}`);

// Node 22.1+ has its own compile cache (module.enableCompileCache); these test envmatrix's, for Node 20.
describe.runIf(process.versions.node.startsWith('20.'))(
  'compile cache (Node 20: vm.compileFunction with cachedData)',
  () => {
    let dir: string;
    let cacheDir: string;
    let depFile: string;
    const source = (value: string) =>
      [
        "'use strict';",
        `exports.value = '${value}';`,
        "exports.frame = () => new Error('here').stack.split('\\n')[1].trim();",
        "exports.load = require('./dynamic.js').load;",
        '',
      ].join('\n');

    async function child(env: NodeJS.ProcessEnv = {}, cache = cacheDir): Promise<unknown> {
      const { stdout } = await run(
        process.execPath,
        [
          join(projectRoot, 'bin/run-ts.js'),
          join(projectRoot, 'test/cli/fixtures/compile-cache-child.ts'),
          cache,
          depFile,
        ],
        { env: { ...process.env, ...env } },
      );
      return JSON.parse(stdout) as unknown;
    }

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'envmatrix-compile-cache-'));
      cacheDir = join(dir, 'node_modules/.cache/envmatrix');
      depFile = join(dir, 'node_modules/dep/index.js');
      await mkdir(join(dir, 'node_modules/dep'), { recursive: true });
      await writeFile(join(dir, 'node_modules/dep/esm.mjs'), "export default 'from esm';\n");
      await writeFile(
        join(dir, 'node_modules/dep/dynamic.js'),
        // A comment between import and its parenthesis is still a dynamic import.
        "exports.load = () => import /* the ES module */ ('./esm.mjs').then((m) => m.default);\n",
      );
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('caches a module under node_modules and runs it the same: exports, stack line and column', async () => {
      await rm(cacheDir, { recursive: true, force: true });
      await writeFile(depFile, source('aaaa'));
      const expected = {
        value: 'aaaa',
        frame: `at exports.frame (${depFile}:3:23)`,
        loaded: 'from esm',
      };
      expect(await child({ NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual(expected);
      await expect(readdir(cacheDir)).rejects.toThrow('ENOENT');

      expect(await child()).toEqual(expected);
      // One entry: dynamic.js may call import(), which Node 20 loses from cached code; Node compiles it.
      const [entry, ...others] = await readdir(entriesDir(cacheDir));
      expect(others).toEqual([]);
      const written = await stat(join(entriesDir(cacheDir), entry!));

      // Taken from the cache: the entry is neither rejected (removed) nor made again (a new file).
      expect(await child()).toEqual(expected);
      expect((await stat(join(entriesDir(cacheDir), entry!))).ino).toBe(written.ino);
    });

    it('uses an entry only for the bytes it was made from (V8 itself compares only the length)', async () => {
      await writeFile(depFile, source('aaaa'));
      expect(await child()).toMatchObject({ value: 'aaaa' });
      await writeFile(depFile, source('bbbb'));
      expect(await child()).toMatchObject({ value: 'bbbb' });
    });

    it('names an entry by the bytes, so files of the same bytes share it (a rebuilt CLI bundle’s libraries)', async () => {
      const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');
      await writeFile(depFile, source('eeee'));
      expect(await child()).toMatchObject({ value: 'eeee' });
      const entries = await readdir(entriesDir(cacheDir));
      expect(entries).toContain(sha1(source('eeee')));
      // The same bytes under another path: its entry is found, so only the forwarding file gets one.
      const moved = join(dirname(depFile), 'moved.js');
      const forward = "module.exports = require('./moved.js');\n";
      await writeFile(moved, source('eeee'));
      await writeFile(depFile, forward);
      expect(await child()).toMatchObject({ value: 'eeee' });
      const added = (await readdir(entriesDir(cacheDir))).filter((name) => !entries.includes(name));
      expect(added).toEqual([sha1(forward)]);
    });

    it('is off in a project without node_modules: nothing is created there', async () => {
      await writeFile(depFile, source('dddd'));
      const elsewhere = join(dir, 'elsewhere');
      expect(await child({}, join(elsewhere, 'node_modules/.cache/envmatrix'))).toMatchObject({
        value: 'dddd',
      });
      await expect(readdir(elsewhere)).rejects.toThrow('ENOENT');
    });

    it('ignores a damaged entry and replaces it; deleting the cache is harmless', async () => {
      await writeFile(depFile, source('cccc'));
      const before = await readdir(entriesDir(cacheDir));
      expect(await child()).toMatchObject({ value: 'cccc' });
      const [entry, ...others] = (await readdir(entriesDir(cacheDir))).filter(
        (name) => !before.includes(name),
      );
      expect(others).toEqual([]);
      const path = join(entriesDir(cacheDir), entry!);
      const bytes = await readFile(path);
      const damaged = Buffer.concat([bytes.subarray(0, 20), Buffer.alloc(bytes.length - 20, 7)]);
      await writeFile(path, damaged);
      expect(await child()).toMatchObject({ value: 'cccc', loaded: 'from esm' });
      expect(await child()).toMatchObject({ value: 'cccc' });
      const replaced = await readFile(path);
      expect(replaced.subarray(0, 20)).toEqual(bytes.subarray(0, 20));
      expect(replaced).not.toEqual(damaged);

      await rm(cacheDir, { recursive: true });
      expect(await child()).toMatchObject({ value: 'cccc', loaded: 'from esm' });
      expect(await readdir(entriesDir(cacheDir))).toEqual([entry]);
    });
  },
);

describe('compile cache in the CLI', () => {
  let project: ProjectCopy;
  let cacheDir: string;

  async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
    return run(process.execPath, [join(projectRoot, 'bin/envmatrix.js'), '--root', project.root, ...args], {
      cwd: project.root,
      env: { ...process.env, ...env },
    });
  }

  beforeAll(async () => {
    project = await copyProject({ ownCache: true });
    cacheDir = join(project.root, 'node_modules/.cache/envmatrix');
    // generated/ as written without the cache.
    await cli(['synth'], { NODE_DISABLE_COMPILE_CACHE: '1' });
  });
  afterAll(() => project.remove());

  it('lives in node_modules/.cache/envmatrix/compile; output with it is byte for byte the same', async () => {
    await expect(readdir(join(cacheDir, 'compile'))).rejects.toThrow('ENOENT');
    await cli(['--version']);
    await expect(readdir(join(cacheDir, 'compile'))).rejects.toThrow('ENOENT');

    // --check renders every unit from the matrix and compares every byte with generated/.
    expect((await cli(['synth', '--check'])).stdout).toBe('generated/ is up to date.\n');
    // Node 20's entries here, or Node 22's own layout: either way one or more per required file.
    const entries = (await readdir(join(cacheDir, 'compile'), { recursive: true })).sort();
    expect(entries.length).toBeGreaterThan(100);
    expect((await cli(['synth', '--check'])).stdout).toBe('generated/ is up to date.\n');
    expect((await readdir(join(cacheDir, 'compile'), { recursive: true })).sort()).toEqual(entries);
  }, 180_000);
});
