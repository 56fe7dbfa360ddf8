import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/matrix/errors.ts';
import { checkedMatrix } from '../../src/matrix/load.ts';
import { parsePins, serializePins } from '../../src/matrix/pins.ts';
import { resolveMatrix } from '../../src/matrix/resolve.ts';
import { validateMatrix } from '../../src/matrix/validate.ts';
import { appWaves, previousWave, releasedPin, wavesOf, withWavePin } from '../../src/promote/waves.ts';
import { DIGEST, fixtureMatrix, fixturePins } from '../support/matrix-fixture.ts';

const NEW = { tag: '1.1.0', digest: `sha256:${'b'.repeat(64)}` };
const OLD = { tag: '1.0.0', digest: DIGEST };

describe('pins per wave', () => {
  it('renders each wave with its own pin while a rollout is under way', () => {
    const pins = fixturePins();
    const withWave0 = { ...pins, prod: { ...pins.prod!, waves: { '0': { api: NEW } } } };
    const resolved = checkedMatrix(fixtureMatrix(), withWave0).resolved;
    const apiTag = (id: string) =>
      resolved.targets.find((t) => t.id === id)?.apps.find((a) => a.name === 'api')?.values.image.tag;
    expect(apiTag('prod/aws/eu-west-1/main')).toBe('1.1.0');
    expect(apiTag('prod/gcp/europe-west1/main')).toBe('1.0.0');
    expect(apiTag('prod/onprem/dc1/main')).toBe('1.0.0');
    const steps = resolved.provenance.get('prod/aws/eu-west-1/main')?.get('api')?.get('image.tag');
    expect(steps?.at(-1)).toEqual({
      layer: 'pin',
      value: '1.1.0',
      source: 'src/environments/releases/prod.json (waves.0)',
    });
  });

  it('writes a wave entry, and folds the rollout into apps when the last wave gets the pin', () => {
    const resolved = resolveMatrix(fixtureMatrix(), fixturePins());
    const waves = appWaves(resolved, 'prod', 'api');
    expect(waves).toEqual([0, 1, 2]);
    const prod = fixturePins().prod!;
    const wave0 = withWavePin(prod, waves, 0, 'api', NEW);
    expect(wave0.apps.api).toEqual(OLD);
    expect(wave0.waves).toEqual({ '0': { api: NEW } });
    const wave1 = withWavePin(wave0, waves, 1, 'api', NEW);
    expect(wave1.waves).toEqual({ '0': { api: NEW }, '1': { api: NEW } });
    const wave2 = withWavePin(wave1, waves, 2, 'api', NEW);
    expect(wave2.apps.api).toEqual(NEW);
    expect(wave2.waves).toBeUndefined();
  });

  it('pins a single-wave environment directly', () => {
    const dev = fixturePins().dev!;
    expect(withWavePin(dev, [0], 0, 'api', NEW)).toEqual({ file: dev.file, apps: { ...dev.apps, api: NEW } });
  });

  it('knows the released pin (the last wave) and the previous wave', () => {
    const resolved = resolveMatrix(fixtureMatrix(), fixturePins());
    const prod = { ...fixturePins().prod!, waves: { '0': { api: NEW } } };
    expect(releasedPin(resolved, prod, 'prod', 'api')).toEqual(OLD);
    expect(wavesOf(resolved, 'prod')).toEqual([0, 1, 2]);
    expect(previousWave([0, 1, 2], 2)).toBe(1);
    expect(previousWave([0, 2], 2)).toBe(0);
    expect(previousWave([0, 1, 2], 0)).toBeUndefined();
  });

  it('round-trips through the pins file, waves in order, none when empty', () => {
    const text = serializePins({ api: OLD }, 'schema.json', {
      '10': { api: NEW },
      '2': { api: NEW },
      '3': {},
    });
    expect(Object.keys((JSON.parse(text) as { waves: object }).waves)).toEqual(['2', '10']);
    expect(parsePins('prod.json', text)).toEqual({
      apps: { api: OLD },
      waves: { '2': { api: NEW }, '10': { api: NEW } },
      issues: [],
    });
    expect(serializePins({ api: OLD }, 'schema.json', {})).not.toContain('waves');
  });

  it('reports a wave key that is not a number, and a wave the environment does not have', () => {
    expect(parsePins('r/prod.json', '{"apps": {}, "waves": {"first": {}}}').issues.map(formatIssue)).toEqual([
      '[r/prod.json waves.first] is not a wave number\n    fix: key waves by the clusters\' wave numbers: {"waves": {"0": {"<app>": {"tag": "1.2.3"}}}}',
    ]);
    const pins = fixturePins();
    const wrong = { ...pins, prod: { ...pins.prod!, waves: { '7': { api: NEW } } } };
    const issues = validateMatrix(fixtureMatrix(), wrong, resolveMatrix(fixtureMatrix(), wrong)).map(
      formatIssue,
    );
    expect(issues).toEqual([
      '[src/environments/releases/prod.json waves.7] pins for wave 7, but no prod cluster is in wave 7\n    fix: remove it, or use one of the waves of prod: 0, 1, 2',
    ]);
  });
});
