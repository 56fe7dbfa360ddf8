/**
 * The cache sweep (src/output/cache-sweep.ts): once a day, entries nothing wrote for two weeks and
 * folders of older layouts go; this synth's own entries, fresh ones and the CLI's bundle stay.
 */
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sweepCaches, UNUSED_MS } from '../../src/output/cache-sweep.ts';
import { envmatrix } from '../cli/run.ts';
import { copyProject, type ProjectCopy } from '../support/project-copy.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('the cache sweep', () => {
  let dir: string;
  let cacheDir: string;
  const now = Date.parse('2026-11-30T12:00:00Z');
  const old = new Date(now - UNUSED_MS - DAY);
  const fresh = new Date(now - DAY);

  /** A file (or a folder holding one file) under the cache, last written at `when`. */
  async function entry(path: string, when: Date, folder = false): Promise<void> {
    const full = join(cacheDir, path);
    await mkdir(join(full, folder ? '' : '..'), { recursive: true });
    const file = folder ? join(full, 'entries.log') : full;
    await writeFile(file, 'x');
    await utimes(file, when, when);
    if (folder) await utimes(full, when, when);
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'envmatrix-sweep-'));
    cacheDir = join(dir, 'node_modules/.cache/envmatrix');
    await entry('render/aaaa', old, true);
    await entry('render/bbbb', fresh, true);
    await entry('render/mine', old, true);
    await entry('stat/aaaa.json', old);
    await entry('stat/bbbb.json', fresh);
    await entry('up-to-date/aaaa.json', old);
    await entry('matrix/aaaa.json', old);
    await entry('compile/v18.0.0-x64', old, true);
    await entry('cli/0123/main.mjs', old);
    // Layouts earlier envmatrix versions wrote at the top.
    await entry('k8s/0fb8.json', fresh);
    await entry('values/e26c.json', fresh);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const listed = async (folder: string) => (await readdir(join(cacheDir, folder))).sort();

  it('removes old layouts and entries unused for two weeks; keeps its own, fresh ones and the CLI bundle', async () => {
    const removed = sweepCaches(cacheDir, [join(cacheDir, 'render/mine')], now);
    expect(removed).toEqual([
      'compile/v18.0.0-x64',
      'k8s',
      'matrix/aaaa.json',
      'render/aaaa',
      'stat/aaaa.json',
      'up-to-date/aaaa.json',
      'values',
    ]);
    expect(await listed('.')).toEqual(['.swept', 'cli', 'compile', 'matrix', 'render', 'stat', 'up-to-date']);
    expect(await listed('render')).toEqual(['bbbb', 'mine']);
    expect(await listed('stat')).toEqual(['bbbb.json']);
    expect(await listed('cli/0123')).toEqual(['main.mjs']);
  });

  it('counts a folder as used when a file in it was written, whatever the folder’s own mtime', async () => {
    await utimes(join(cacheDir, 'render/aaaa/entries.log'), fresh, fresh);
    expect(sweepCaches(cacheDir, [], now)).not.toContain('render/aaaa');
    expect(await listed('render')).toContain('aaaa');
  });

  it('sweeps at most once a day', async () => {
    const keep = [join(cacheDir, 'render/mine')];
    expect(sweepCaches(cacheDir, keep, now)).toHaveLength(7);
    await entry('render/cccc', old, true);
    expect(sweepCaches(cacheDir, keep, now + DAY / 2)).toEqual([]);
    expect(await listed('render')).toContain('cccc');
    expect(sweepCaches(cacheDir, keep, now + DAY)).toEqual(['render/cccc']);
  });

  it('creates nothing where there is no cache folder', async () => {
    const missing = join(dir, 'elsewhere/node_modules/.cache/envmatrix');
    expect(sweepCaches(missing, [], now)).toEqual([]);
    await expect(readdir(join(dir, 'elsewhere'))).rejects.toThrow(/ENOENT/);
  });
});

describe('synth sweeps its project’s cache folder', { timeout: 120_000 }, () => {
  let project: ProjectCopy;
  let cacheDir: string;

  beforeAll(async () => {
    project = await copyProject({ ownCache: true });
    cacheDir = join(project.root, 'node_modules/.cache/envmatrix');
    expect((await envmatrix(project.root, 'synth')).code).toBe(0);
  });
  afterAll(() => project.remove());

  it('once a day, after a synth that succeeded; its own entries stay', async () => {
    const own = (await readdir(join(cacheDir, 'render'))).sort();
    expect(own).toHaveLength(1);
    const longAgo = new Date(Date.now() - UNUSED_MS - 24 * 60 * 60 * 1000);
    // Its own render folder, old by its dates but in use; another project's, gone; an older layout.
    const ownFolder = join(cacheDir, 'render', own[0]!);
    for (const name of await readdir(ownFolder)) await utimes(join(ownFolder, name), longAgo, longAgo);
    await utimes(ownFolder, longAgo, longAgo);
    await mkdir(join(cacheDir, 'render/0000000000000000'));
    await utimes(join(cacheDir, 'render/0000000000000000'), longAgo, longAgo);
    await mkdir(join(cacheDir, 'k8s'));
    await rm(join(cacheDir, '.swept'), { force: true });
    const swept = await envmatrix(project.root, 'synth', '--verbose');
    expect(swept.code).toBe(0);
    expect(swept.stderr).toContain('cache: removed 2 entries unused for two weeks or of older layouts\n');
    expect((await readdir(join(cacheDir, 'render'))).sort()).toEqual(own);
    expect(await readdir(cacheDir)).not.toContain('k8s');
    // Not again the same day.
    await mkdir(join(cacheDir, 'k8s'));
    expect((await envmatrix(project.root, 'synth', '--verbose')).stderr).not.toContain('cache: removed');
    expect(await readdir(cacheDir)).toContain('k8s');
  });
});
