/**
 * Release pins: `src/environments/releases/<env>.json`, one file per environment, mapping each app to
 * the image tag (and digest) that environment runs. Read with a schema, so a typo is an error with its
 * path rather than a silently ignored field.
 */
import type { z as Z } from 'zod';
import { z } from './zod.ts';
import type { MatrixIssue } from './errors.ts';
import { valueAt } from './merge.ts';
import type { Pin } from './types.ts';
import { RELEASES_DIR } from './releases-dir.ts';

export { RELEASES_DIR };

/** The pins file of `env`. */
export function pinsFilePath(env: string): string {
  return `${RELEASES_DIR}/${env}.json`;
}

/** The JSON path of one pin inside its file: `apps.api`, or `waves.1.api` for a wave's pin. */
export function pinEntryPath(app: string, wave?: number | string): string {
  return wave === undefined ? `apps.${app}` : `waves.${wave}.${app}`;
}

/** Where a pin was written, as provenance and issues name it: the file, plus its wave when it has one. */
export function pinSource(file: string, wave?: number): string {
  return wave === undefined ? file : `${file} (waves.${wave})`;
}

export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
/** OCI tag grammar. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const pinSchema = z.strictObject({
  tag: z
    .string()
    .regex(
      TAG_PATTERN,
      'is not an image tag (letters, digits, _ . -; at most 128; not starting with . or -)',
    ),
  digest: z
    .string()
    .regex(DIGEST_PATTERN, 'is not a digest (sha256: followed by 64 lowercase hex digits)')
    .optional(),
  /** The app's own migration image (`migrate.image`) at this tag, by digest. */
  migrateDigest: z
    .string()
    .regex(DIGEST_PATTERN, 'is not a digest (sha256: followed by 64 lowercase hex digits)')
    .optional(),
});

export const pinsFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    apps: z.record(z.string(), pinSchema),
    /** Per-wave pins of a rollout in progress (written by promotion PRs; see PinsByEnvironment.waves). */
    waves: z
      .record(z.string().regex(/^(0|[1-9][0-9]*)$/, 'is not a wave number'), z.record(z.string(), pinSchema))
      .optional(),
  })
  .meta({
    title: 'envmatrix release pins',
    description: 'The image each app runs in one environment. Edited by `envmatrix pin` and promotion PRs.',
  });

export type PinsFile = Z.infer<typeof pinsFileSchema>;

/** JSON Schema for editors; pins files point at it with `$schema`. */
export function pinsJsonSchema(): unknown {
  return z.toJSONSchema(pinsFileSchema, { target: 'draft-2020-12' });
}

export interface ParsedPins {
  readonly apps: Record<string, Pin>;
  readonly waves?: Record<string, Record<string, Pin>>;
  readonly issues: MatrixIssue[];
  /** Entries left out because they are invalid (`apps.api`, `waves.1.api`); each has its issue. */
  readonly rejected?: readonly string[];
}

/**
 * Parse one pins file's text; problems come back as issues naming the file and JSON path. Valid
 * entries are kept even when others are not.
 */
export function parsePins(file: string, text: string): ParsedPins {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      apps: {},
      issues: [
        {
          path: file,
          message: `is not valid JSON: ${describeJsonError(text, error)}`,
          fix: 'fix the JSON syntax (a trailing comma or a missing quote is the usual cause)',
        },
      ],
    };
  }
  const parsed = pinsFileSchema.safeParse(json);
  if (parsed.success)
    return {
      apps: parsed.data.apps,
      ...(parsed.data.waves && Object.keys(parsed.data.waves).length > 0 && { waves: parsed.data.waves }),
      issues: [],
    };
  return salvagePins(file, json, parsed.error.issues);
}

/** A schema issue of a pins file, at `path` inside `json`, as a matrix issue naming the file. */
function pinsIssue(file: string, json: unknown, issue: Z.core.$ZodIssue): MatrixIssue {
  return {
    path: `${file} ${issue.path.map(String).join('.') || '(root)'}`,
    message:
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')}`
        : issue.code === 'invalid_format'
          ? `${JSON.stringify(valueAt(json, issue.path))} ${issue.message}`
          : issue.code === 'invalid_key' && issue.path[0] === 'waves'
            ? 'is not a wave number'
            : issue.message,
    fix:
      issue.code === 'unrecognized_keys'
        ? 'remove the field; a pin has only "tag", "digest" and "migrateDigest"'
        : issue.code === 'invalid_key' && issue.path[0] === 'waves'
          ? 'key waves by the clusters\' wave numbers: {"waves": {"0": {"<app>": {"tag": "1.2.3"}}}}'
          : 'write pins as {"apps": {"<app>": {"tag": "1.2.3", "digest": "sha256:…"}}}',
  };
}

/**
 * A pins file that does not match the schema: every issue is reported, and every entry that is valid
 * on its own is still used, so one bad digest is one problem, not one "no pin" per target of every app
 * in the file. The entries that were rejected are listed, so validation does not report them twice.
 */
function salvagePins(file: string, json: unknown, schemaIssues: readonly Z.core.$ZodIssue[]): ParsedPins {
  const issues = schemaIssues.map((issue) => pinsIssue(file, json, issue));
  const rejected = [
    ...new Set(
      schemaIssues
        .filter((issue) => issue.path[0] === 'apps' || issue.path[0] === 'waves')
        .map((issue) =>
          issue.path
            .slice(0, issue.path[0] === 'apps' ? 2 : 3)
            .map(String)
            .join('.'),
        ),
    ),
  ].sort();
  const root = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const validEntries = (entries: unknown): Record<string, Pin> =>
    Object.fromEntries(
      Object.entries(typeof entries === 'object' && entries !== null ? entries : {}).flatMap(([app, pin]) => {
        const one = pinSchema.safeParse(pin);
        return one.success ? [[app, one.data] as const] : [];
      }),
    );
  const waves = Object.fromEntries(
    Object.entries(typeof root['waves'] === 'object' && root['waves'] !== null ? root['waves'] : {})
      .filter(([wave]) => /^(0|[1-9][0-9]*)$/.test(wave))
      .map(([wave, entries]) => [wave, validEntries(entries)] as const)
      .filter(([, entries]) => Object.keys(entries).length > 0),
  );
  return {
    apps: validEntries(root['apps']),
    ...(Object.keys(waves).length > 0 && { waves }),
    issues,
    ...(rejected.length > 0 && { rejected }),
  };
}

function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message)?.[1];
  if (position === undefined) return message;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

function sortedPins(apps: Readonly<Record<string, Pin>>): Record<string, Pin> {
  return Object.fromEntries(
    Object.keys(apps)
      .sort()
      .map((name) => {
        const { tag, digest, migrateDigest } = apps[name]!;
        // A fixed key order, whatever order the pin was built in.
        const pin: Pin = {
          tag,
          ...(digest !== undefined && { digest }),
          ...(migrateDigest !== undefined && { migrateDigest }),
        };
        return [name, pin];
      }),
  );
}

/**
 * Pins file content, as written by envmatrix: sorted apps, stable key order, trailing newline. `waves`
 * (a rollout in progress) is written only when it holds a pin, in wave order.
 */
export function serializePins(
  apps: Readonly<Record<string, Pin>>,
  schemaRef: string,
  waves: Readonly<Record<string, Readonly<Record<string, Pin>>>> = {},
): string {
  const waveEntries = Object.keys(waves)
    .filter((wave) => Object.keys(waves[wave]!).length > 0)
    .sort((a, b) => Number(a) - Number(b))
    .map((wave) => [wave, sortedPins(waves[wave]!)] as const);
  const file = {
    $schema: schemaRef,
    apps: sortedPins(apps),
    ...(waveEntries.length > 0 && { waves: Object.fromEntries(waveEntries) }),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** An environment's pins: per app, and per wave while a rollout is under way. */
export interface EnvPinsView {
  readonly apps: Readonly<Record<string, Pin>>;
  readonly waves?: Readonly<Record<string, Readonly<Record<string, Pin>>>>;
}

/**
 * The pin a target in `wave` of an environment runs, and the wave whose entry holds it: its wave's pin
 * while a rollout is under way (`wave` set), else the environment's (`wave` undefined).
 */
export function effectivePinEntry(
  envPins: EnvPinsView | undefined,
  wave: number,
  app: string,
): { readonly pin: Pin; readonly wave?: number } | undefined {
  const wavePin = envPins?.waves?.[String(wave)]?.[app];
  if (wavePin) return { pin: wavePin, wave };
  const pin = envPins?.apps[app];
  return pin && { pin };
}

/** The pin a target in `wave` of an environment runs: its wave's pin while a rollout is under way, else the environment's. */
export function effectivePin(envPins: EnvPinsView | undefined, wave: number, app: string): Pin | undefined {
  return effectivePinEntry(envPins, wave, app)?.pin;
}
