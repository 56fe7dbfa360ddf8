/** Pins per wave are held to the environment's rules like plain pins: they are what a wave runs. */
import { describe, expect, it } from 'vitest';
import { parsePins, pinEntryPath, pinsFilePath, pinSource } from '../../src/matrix/pins.ts';
import { MatrixError } from '../../src/matrix/errors.ts';
import { checkedMatrix } from '../../src/matrix/load.ts';
import { DIGEST, fixtureMatrix, fixturePins, withWavePins } from '../support/matrix-fixture.ts';
import { issuesOf, problems } from '../support/problems.ts';

describe('pins per wave', () => {
  it('rejects a prod wave pin without a digest, naming the wave entry to fix', () => {
    // gcp/europe-west1 is prod's wave 1; prod requires digests.
    const pins = withWavePins(fixturePins(), 'prod', { '1': { api: { tag: '1.1.0' } } });
    expect(issuesOf(fixtureMatrix(), pins)).toEqual([
      {
        path: 'prod/gcp/europe-west1/main/api',
        message: 'pin 1.1.0 has no digest, and prod requires one',
        source: 'src/environments/releases/prod.json (waves.1)',
        fix: 'add "digest": "sha256:…" to waves.1.api in src/environments/releases/prod.json',
      },
    ]);
  });

  it('accepts a prod wave pin with a digest, and a dev wave pin without one', () => {
    const pins = withWavePins(fixturePins(), 'prod', { '1': { api: { tag: '1.1.0', digest: DIGEST } } });
    expect(problems(fixtureMatrix(), pins)).toEqual([]);
    const devWave = withWavePins(fixturePins(), 'dev', { '0': { api: { tag: '1.2.0' } } });
    expect(problems(fixtureMatrix(), devWave)).toEqual([]);
  });

  it('blames the pins file, not the app, for a plain pin without a digest', () => {
    const pins = fixturePins({ prod: { api: { tag: '1.0.0' }, worker: { tag: '0.1.0', digest: DIGEST } } });
    expect(issuesOf(fixtureMatrix(), pins)[0]).toEqual({
      path: 'prod/aws/eu-west-1/main/api',
      message: 'pin 1.0.0 has no digest, and prod requires one',
      source: 'src/environments/releases/prod.json',
      fix: 'add "digest": "sha256:…" to api in src/environments/releases/prod.json',
    });
  });

  it('names pins files and entries one way', () => {
    expect(pinsFilePath('prod')).toBe('src/environments/releases/prod.json');
    expect(pinEntryPath('api')).toBe('apps.api');
    expect(pinEntryPath('api', 2)).toBe('waves.2.api');
    expect(pinSource('r/prod.json')).toBe('r/prod.json');
    expect(pinSource('r/prod.json', 0)).toBe('r/prod.json (waves.0)');
  });
});

describe('a pins file with a bad entry (finding 7)', () => {
  /** Every problem loading reports when prod's pins file reads `text` (as readPins and loadMatrix do). */
  function problemsWithProdFile(text: string): string[] {
    const file = pinsFilePath('prod');
    const { apps, waves, rejected, issues } = parsePins(file, text);
    const pins = {
      ...fixturePins(),
      prod: { file, apps, ...(waves && { waves }), ...(rejected && { rejected }) },
    };
    try {
      checkedMatrix(fixtureMatrix(), pins, issues);
    } catch (error) {
      if (error instanceof MatrixError)
        return error.issues.map((issue) => `[${issue.path}] ${issue.message}`);
      throw error;
    }
    return [];
  }

  it("finding 7: one bad digest is one problem, and the file's other pins are still used", () => {
    const text = JSON.stringify({
      apps: { api: { tag: '1.0.0', digest: 'sha256:abc' }, worker: { tag: '0.1.0', digest: DIGEST } },
    });
    expect(problemsWithProdFile(text)).toEqual([
      '[src/environments/releases/prod.json apps.api.digest] "sha256:abc" is not a digest (sha256: followed by 64 lowercase hex digits)',
    ]);
  });

  it('finding 7: each bad entry, in apps and in waves, is its own problem', () => {
    const text = JSON.stringify({
      apps: { api: { tag: '-bad', digest: DIGEST }, worker: { tag: '0.1.0', digest: DIGEST, sha: 'x' } },
      waves: { '1': { api: { tag: '1.1.0', digest: DIGEST } }, '2': { worker: { tag: '' } } },
    });
    const parsed = parsePins(pinsFilePath('prod'), text);
    expect(parsed.rejected).toEqual(['apps.api', 'apps.worker', 'waves.2.worker']);
    expect(parsed.waves).toEqual({ '1': { api: { tag: '1.1.0', digest: DIGEST } } });
    expect(problemsWithProdFile(text)).toEqual([
      '[src/environments/releases/prod.json apps.api.tag] "-bad" is not an image tag (letters, digits, _ . -; at most 128; not starting with . or -)',
      '[src/environments/releases/prod.json apps.worker] unknown field(s) sha',
      '[src/environments/releases/prod.json waves.2.worker.tag] "" is not an image tag (letters, digits, _ . -; at most 128; not starting with . or -)',
    ]);
  });
});
