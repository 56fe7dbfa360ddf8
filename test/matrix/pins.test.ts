/** Pins per wave are held to the environment's rules like plain pins: they are what a wave runs. */
import { describe, expect, it } from 'vitest';
import { pinEntryPath, pinsFilePath, pinSource } from '../../src/matrix/pins.ts';
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
