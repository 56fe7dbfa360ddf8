/**
 * `envmatrix synth --watch` on a copy of the example project, through the real CLI: a pins edit and a
 * matrix module edit each reach generated/, a bad edit is reported and the watch goes on, Ctrl-C ends it.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fillUserProject, type ProjectCopy } from '../support/project-copy.ts';
import { startWatch, type WatchProcess } from '../../bench/watch-process.ts';
import { envmatrix } from './run.ts';

const DEV_PINS = 'src/environments/releases/dev.json';
const DEV_WEB = 'generated/k8s/dev/aws/us-east-1/main/web/manifest.yaml';
const DEV_API = 'generated/k8s/dev/aws/us-east-1/main/api/manifest.yaml';

/** Edit a project file, and the mark in the watch's output after which its synth reports. */
async function edit(project: ProjectCopy, watch: WatchProcess, path: string, from: string, to: string) {
  const file = join(project.root, path);
  const text = await readFile(file, 'utf8');
  expect(text).toContain(from);
  const mark = watch.output().length;
  await writeFile(file, text.replace(from, to));
  return mark;
}

/** The output after `mark` matches `pattern`. */
const after =
  (pattern: RegExp, mark = 0) =>
  (output: string) =>
    pattern.test(output.slice(mark));

const SYNTHESIZED = /synth: \d+ added, \d+ changed, \d+ removed/;
const HERE = 'watch: synthesizing in this process: the matrix cache holds the matrix';
const IN_CHILD =
  /watch: synthesizing in a child process: the matrix modules are imported again \((no entry|changed: [^)]+)\)/;

/** A user's project (fillUserProject) in a folder of its own. */
async function userProject(): Promise<ProjectCopy> {
  const root = await mkdtemp(join(tmpdir(), 'envmatrix-watch-'));
  await fillUserProject(root);
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

describe('synth --watch', () => {
  let project: ProjectCopy;
  let watch: WatchProcess | undefined;
  beforeEach(async () => {
    project = await userProject();
  });
  afterEach(async () => {
    // Ctrl-C waits for a synth under way, so nothing writes into the folder as it is removed.
    if (watch && watch.child.exitCode === null && watch.child.signalCode === null) await watch.stop();
    watch = undefined;
    await project.remove();
  });

  it('synthesizes again at a pins edit and at a matrix module edit, and keeps going after a bad edit', async () => {
    // A relative --root: the synths in the watching process enter the project folder, and the watch
    // must still find it.
    watch = startWatch(basename(project.root), { globalArgs: ['--verbose'], cwd: dirname(project.root) });
    await watch.waitFor(after(/watching .*src.* for changes/));
    // No matrix cache yet: the first synth imports the matrix, in a child process, and saves it.
    expect(watch.output()).toMatch(IN_CHILD);
    expect(watch.output()).toMatch(SYNTHESIZED);
    const read = (path: string) => readFile(join(project.root, path), 'utf8');
    expect(await read(DEV_WEB)).toContain('image: ghcr.io/acme/web:2.2.0');

    // A pin bump: the matrix comes from the cache, only the pins are read again.
    let mark = await edit(project, watch, DEV_PINS, '"web": { "tag": "2.2.0" }', '"web": { "tag": "2.3.0" }');
    await watch.waitFor(
      after(/changed: src\/environments\/releases\/dev\.json\n[^]*synth: 0 added, \d+ changed/, mark),
    );
    expect(watch.output().slice(mark), watch.output()).toContain(HERE);
    expect(await read(DEV_WEB)).toContain('image: ghcr.io/acme/web:2.3.0');

    // A module of the matrix: imported again (in a child process; this one keeps the first import).
    mark = await edit(project, watch, 'src/apps/api.ts', "DB_POOL_SIZE: '10'", "DB_POOL_SIZE: '12'");
    await watch.waitFor(after(/changed: src\/apps\/api\.ts\n[^]*synth: 0 added, \d+ changed/, mark));
    expect(watch.output().slice(mark)).toMatch(
      /synthesizing in a child process: [^\n]*changed: [^\n]*api\.ts/,
    );
    expect(watch.output().slice(mark)).not.toContain(HERE);
    expect(await read(DEV_API)).toContain('DB_POOL_SIZE: "12"');

    // A pins file that is not JSON: reported, generated/ left as it is, and the watch goes on.
    const before = await read(DEV_WEB);
    mark = await edit(project, watch, DEV_PINS, '"web": { "tag": "2.3.0" }', '"web": { "tag": ');
    await watch.waitFor(after(/dev\.json[^\n]*(JSON|json)/, mark));
    expect(await read(DEV_WEB)).toBe(before);
    mark = await edit(project, watch, DEV_PINS, '"web": { "tag": ', '"web": { "tag": "2.4.0" }');
    await watch.waitFor(after(SYNTHESIZED, mark));
    expect(await read(DEV_WEB)).toContain('image: ghcr.io/acme/web:2.4.0');
    // What the watch left is what a synth of its own writes.
    expect(await envmatrix(project.root, 'synth', '--check')).toMatchObject({ code: 0 });

    // Ctrl-C: the watch ends, as an interrupted command does (128 + SIGINT).
    const exited = new Promise<string>((done) =>
      watch!.child.once('exit', (code, signal) => done(`${code} ${signal}`)),
    );
    watch.child.kill('SIGINT');
    expect(await exited, watch.output()).toBe('130 null');
  }, 180_000);

  it('watches a module outside src/ as soon as an edit imports it, before the matrix cache can save', async () => {
    watch = startWatch(project.root, { globalArgs: ['--verbose'] });
    await watch.waitFor(after(/watching .*src.* for changes/));
    await mkdir(join(project.root, 'shared'));
    await writeFile(join(project.root, 'shared/pool.ts'), "export const POOL_SIZE = '10';\n");
    // The edit that starts importing it: the load right after is racy (the module is seconds old), so
    // no matrix cache entry is saved, yet the watch must follow what the load read.
    const api = join(project.root, 'src/apps/api.ts');
    const source = await readFile(api, 'utf8');
    let mark = watch.output().length;
    await writeFile(
      api,
      `import { POOL_SIZE } from '../../shared/pool.ts';\n${source.replace("DB_POOL_SIZE: '10'", 'DB_POOL_SIZE: POOL_SIZE')}`,
    );
    // The value is the same, so nothing is written; the watch announces what it watches now.
    await watch.waitFor(
      after(/changed: src\/apps\/api\.ts\n[^]*watching [^\n]*shared\/pool\.ts/, mark),
      20_000,
    );
    expect(watch.output().slice(mark)).toMatch(/not cached: [^\n]*changed within 3 s of the load/);

    // Edited as soon as the watch says it watches it.
    mark = await edit(project, watch, 'shared/pool.ts', "'10'", "'14'");
    await watch.waitFor(after(/changed: shared\/pool\.ts\n[^]*synth: 0 added, \d+ changed/, mark));
    expect(await readFile(join(project.root, DEV_API), 'utf8')).toContain('DB_POOL_SIZE: "14"');
  }, 120_000);

  it('refuses --check, which writes nothing', async () => {
    const result = await envmatrix(project.root, 'synth', '--watch', '--check');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'envmatrix: --watch writes generated/ at every change and --check writes nothing: use one of them',
    );
  });
});
