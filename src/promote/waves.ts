/**
 * Waves: how a release moves through the clusters of one environment.
 *
 * The pins file of an environment holds `apps` (what the whole environment runs) and, while a rollout
 * is under way, `waves` (wave number → app → pin) for the waves that are ahead. A target in wave N runs
 * `waves[N][app]` when set, else `apps[app]`, so a synth renders each wave with its own version and
 * generated/ stays correct per wave at every step. The wave-0 PR writes `waves["0"]`; the wave-1 PR,
 * opened once wave 0 is merged and has soaked, writes `waves["1"]`; the PR for the app's last wave
 * folds the rollout back into `apps` and clears the wave entries. An environment with a single wave
 * never gets a `waves` entry.
 */
import { effectivePin } from '../matrix/pins.ts';
import type { Pin, PinsByEnvironment, ResolvedMatrix } from '../matrix/types.ts';

export type EnvPins = PinsByEnvironment[string];

export function samePin(a: Pin | undefined, b: Pin | undefined): boolean {
  return a?.tag === b?.tag && a?.digest === b?.digest && a?.migrateDigest === b?.migrateDigest;
}

/** Every wave of an environment, ascending. */
export function wavesOf(matrix: ResolvedMatrix, env: string): number[] {
  return [...new Set(matrix.targets.filter((t) => t.env === env).map((t) => t.wave))].sort((a, b) => a - b);
}

/** The waves of an environment whose targets run `app`, ascending. */
export function appWaves(matrix: ResolvedMatrix, env: string, app: string): number[] {
  return [
    ...new Set(
      matrix.targets.filter((t) => t.env === env && t.apps.some((a) => a.name === app)).map((t) => t.wave),
    ),
  ].sort((a, b) => a - b);
}

/**
 * Whether `app` migrates with an image of its own (`migrate.image`) on a target of `env`: its pins there
 * then need a `migrateDigest` where the environment requires digests.
 */
export function migratesWithOwnImage(matrix: ResolvedMatrix, env: string, app: string): boolean {
  return matrix.targets.some(
    (t) => t.env === env && t.apps.some((a) => a.name === app && a.migrateImageRef !== undefined),
  );
}

/**
 * The pin an environment has released for an app: what its last wave runs (the whole environment runs
 * it once a rollout completes). Falls back to `apps[app]` when the app is placed nowhere in it.
 */
export function releasedPin(
  matrix: ResolvedMatrix,
  pins: EnvPins | undefined,
  env: string,
  app: string,
): Pin | undefined {
  const waves = appWaves(matrix, env, app);
  const last = waves[waves.length - 1];
  return last === undefined ? pins?.apps[app] : effectivePin(pins, last, app);
}

/** The wave before `wave` among the waves that run the app, or undefined when `wave` is its first. */
export function previousWave(waves: readonly number[], wave: number): number | undefined {
  return [...waves].reverse().find((w) => w < wave);
}

/**
 * Pins after giving `app` the pin `pin` in `wave`. When every wave that runs the app then runs the
 * same pin, the rollout is folded into `apps` and the app's wave entries are dropped.
 */
export function withWavePin(
  envPins: EnvPins,
  waves: readonly number[],
  wave: number,
  app: string,
  pin: Pin,
): EnvPins {
  const nextWaves: Record<string, Record<string, Pin>> = {};
  for (const [w, wavePins] of Object.entries(envPins.waves ?? {})) nextWaves[w] = { ...wavePins };
  (nextWaves[String(wave)] ??= {})[app] = pin;
  const apps: Record<string, Pin> = { ...envPins.apps };
  const view = { apps, waves: nextWaves };
  const everyWave = waves.length === 0 ? [wave] : waves;
  if (everyWave.every((w) => samePin(effectivePin(view, w, app), pin))) {
    apps[app] = pin;
    for (const w of Object.keys(nextWaves)) delete nextWaves[w]![app];
  }
  for (const w of Object.keys(nextWaves)) if (Object.keys(nextWaves[w]!).length === 0) delete nextWaves[w];
  return {
    file: envPins.file,
    apps,
    ...(Object.keys(nextWaves).length > 0 && { waves: nextWaves }),
  };
}
