import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RACY_MS, StatCache, statOf, type FileStat } from '../../src/output/stat-cache.ts';

let root: string;
let outDir: string;
let stat: FileStat;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'envmatrix-stat-'));
  outDir = join(root, 'generated');
  await mkdir(outDir);
  await writeFile(join(outDir, 'a.yaml'), 'a: 1\n');
  stat = statOf(join(outDir, 'a.yaml'))!;
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The cache a synth that started at `startedAtMs` recorded for a.yaml, as the next process loads it. */
async function recordedAt(startedAtMs: number): Promise<StatCache> {
  const cacheDir = join(root, `cache-${startedAtMs}`);
  const entries = new Map([['a.yaml', { stat, sha256: 'abc' }]]);
  await (await StatCache.load(cacheDir, outDir)).save(outDir, startedAtMs, entries);
  return StatCache.load(cacheDir, outDir);
}

describe('StatCache.knownSha256', () => {
  const mtimeMs = () => Number(stat.mtimeNs / 1_000_000n);

  it('reads again a file whose mtime is within RACY_MS of the recording synth start, to the millisecond', async () => {
    expect((await recordedAt(mtimeMs() + RACY_MS)).knownSha256('a.yaml', stat)).toBeUndefined();
    expect((await recordedAt(mtimeMs() + RACY_MS + 1)).knownSha256('a.yaml', stat)).toBe('abc');
  });

  it('trusts no entry whose stat data moved, nor a path it did not record', async () => {
    const cache = await recordedAt(mtimeMs() + RACY_MS + 1);
    expect(cache.knownSha256('a.yaml', { ...stat, size: stat.size + 1n })).toBeUndefined();
    expect(cache.knownSha256('a.yaml', { ...stat, mtimeNs: stat.mtimeNs - 1n })).toBeUndefined();
    expect(cache.knownSha256('a.yaml', { ...stat, ctimeNs: stat.ctimeNs + 1n })).toBeUndefined();
    expect(cache.knownSha256('a.yaml', { ...stat, ino: stat.ino + 1n })).toBeUndefined();
    expect(cache.knownSha256('b.yaml', stat)).toBeUndefined();
  });
});
