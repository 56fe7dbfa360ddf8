/**
 * Pins: each pins file belongs to an environment and pins apps and waves that exist, and every placed
 * app has a pin, with a digest where the environment requires one (and a `migrateDigest` there for an
 * app that migrates with an image of its own). A wave's pin (a rollout under way)
 * is held to the same rules as the environment's: it is what that wave's clusters run. A `migrateDigest`
 * that no target runs by (the app has no migration image of its own there) is a warning: `envmatrix pin`
 * refuses one, but a hand edit, or a promotion carrying a pin on, would put it in a PR's headline.
 */
import type { MatrixIssue } from '../errors.ts';
import { effectivePinEntry, pinEntryPath } from '../pins.ts';
import { forEachAppInstance } from './app-values.ts';
import type { ValidationInput } from './rule.ts';

/** The pins files as read: environments, apps and waves they name. */
export function validatePinsFiles({ matrix, pins }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const apps = matrix.apps.map((app) => app.name);
  for (const [env, { file, apps: pinned, waves = {} }] of Object.entries(pins)) {
    if (!(env in matrix.environments)) {
      issues.push({
        path: file,
        message: `pins file for unknown environment "${env}"`,
        fix: `rename it after one of: ${Object.keys(matrix.environments).join(', ')}, or delete it`,
      });
      continue;
    }
    const entries = [
      ...Object.keys(pinned).map((app) => ({ app, path: pinEntryPath(app) })),
      ...Object.entries(waves).flatMap(([wave, wavePins]) =>
        Object.keys(wavePins).map((app) => ({ app, path: pinEntryPath(app, wave) })),
      ),
    ];
    for (const { app, path } of entries) {
      if (!apps.includes(app)) {
        issues.push({
          path: `${file} ${path}`,
          message: `pin for unknown app "${app}"`,
          fix: `remove it, or use one of: ${apps.join(', ')}`,
        });
      }
    }
    const envWaves = [...new Set(matrix.clusters.filter((c) => c.env === env).map((c) => c.wave ?? 0))];
    for (const wave of Object.keys(waves)) {
      if (!envWaves.includes(Number(wave))) {
        issues.push({
          path: `${file} waves.${wave}`,
          message: `pins for wave ${wave}, but no ${env} cluster is in wave ${wave}`,
          fix: `remove it, or use one of the waves of ${env}: ${envWaves.sort((a, b) => a - b).join(', ')}`,
        });
      }
    }
  }
  return issues;
}

/** The pin each placed app runs on its target. */
export function validateTargetPins(input: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  /** Pin entries with a migrateDigest, by where they are written: whether a target runs by it. */
  const migrateDigests = new Map<
    string,
    { app: string; env: string; file: string; entry: string; used: boolean }
  >();
  forEachAppInstance(input, issues, ({ target, env, app, definition, path, report }) => {
    const envPins = input.pins[target.env];
    const entry = effectivePinEntry(envPins, target.wave, app.name);
    // An invalid entry was reported where it is written; "no pin" here would say the same thing again.
    const rejected = envPins?.rejected ?? [];
    if (rejected.includes(pinEntryPath(app.name)) || rejected.includes(pinEntryPath(app.name, target.wave)))
      return;
    if (!entry) {
      // No layer set a pin, so the app that was placed here is what the issue points at.
      issues.push({
        path,
        message: `no pin in ${env.pinsFile}`,
        ...(definition && { source: definition.source }),
        fix: `add "${app.name}": {"tag": "…"} to ${env.pinsFile}, or run envmatrix pin --env ${target.env} --app ${app.name} --tag <tag>`,
      });
    } else if (env.policy.requireDigest && !entry.pin.digest) {
      report(
        'image.tag',
        `pin ${entry.pin.tag} has no digest, and ${target.env} requires one`,
        `add "digest": "sha256:…" to ${entry.wave === undefined ? app.name : pinEntryPath(app.name, entry.wave)} in ${env.pinsFile}`,
      );
    }
    // A migration image of the app's own runs by the pin's migrateDigest: without one, where digests are
    // required it would be the one image run by tag, in the Job that holds the database's rights.
    const migrationImage = app.values.migrate?.image;
    if (entry?.pin.migrateDigest !== undefined && envPins) {
      const written = pinEntryPath(app.name, entry.wave);
      const at = `${envPins.file} ${written}`;
      const seen = migrateDigests.get(at);
      migrateDigests.set(at, {
        app: app.name,
        env: target.env,
        file: envPins.file,
        entry: written,
        used: (seen?.used ?? false) || migrationImage !== undefined,
      });
    }
    if (entry && env.policy.requireDigest && migrationImage !== undefined && !entry.pin.migrateDigest) {
      report(
        'migrate.image',
        `migrate.image ${migrationImage} would run by tag ${entry.pin.tag}, without a digest, and ${target.env} requires one`,
        `add "migrateDigest": "sha256:…" (the digest of ${migrationImage}:${entry.pin.tag}) to ${entry.wave === undefined ? app.name : pinEntryPath(app.name, entry.wave)} in ${env.pinsFile}, or pass --migrate-digest to envmatrix pin`,
      );
    }
  });
  for (const [at, { app, env, file, entry, used }] of migrateDigests) {
    if (used) continue;
    issues.push({
      path: at,
      severity: 'warning',
      message: `migrateDigest is set, but ${app} has no migration image of its own in ${env} (migrate.image): nothing runs by it`,
      fix: `remove "migrateDigest" from ${entry} in ${file}, or give ${app} a migrate.image`,
    });
  }
  return issues;
}
