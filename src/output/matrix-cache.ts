/**
 * The resolved-matrix cache: `node_modules/.cache/envmatrix/matrix/<root and matrix file hash>.json`,
 * beside the render and stat caches. When nothing a load read has changed, synth takes the matrix from
 * here and skips importing the TypeScript matrix and validating it (and the libraries validation
 * loads): on a no-op synth that is most of the time after node's own start.
 *
 * A hit needs all of these to equal what the last load saw:
 * - the user modules the matrix file reached, each by sha256 (recorded by the loader: load-inputs.ts);
 * - each environment variable the load read;
 * - every file in the releases folder (names and bytes), and the project's package.json and tsconfig;
 * - envmatrix itself: its package.json and lock files, tsconfig, bin/ and every file under src/
 *   (which holds the define API, resolve and validation), and node's version;
 * - the UTC day: defaults and checks that follow a calendar (Kubernetes versions) change by the day.
 * A load whose inputs cannot be proven is not cached. A damaged entry is a miss. `synth --check` and
 * `--no-cache` never read or write it.
 *
 * When everything but the pins matches, the entry still serves the load's matrix definition (what the
 * matrix modules evaluated to, when it is plain data): synth then reads the pins, resolves and
 * validates again without importing the modules, the common edit of a pin bump or a promotion.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../core/canonical.ts';
import type { MatrixIssue } from '../matrix/errors.ts';
import type { MatrixInputs } from '../matrix/load-inputs.ts';
import { RELEASES_DIR } from '../matrix/releases-dir.ts';
import type { LoadedMatrix } from '../matrix/load.ts';
import type { MatrixDefinition, ProvenanceStep, ResolvedMatrix } from '../matrix/types.ts';
import { filesUnder, hashFiles } from './file-hash.ts';
import { RACY_MS, statOf } from './stat-cache.ts';
import { readTextIfExists } from './tree.ts';

/**
 * 2: provenance's step lists kept once each (EncodedProvenance). 3: the load's warnings in the header,
 * so a hit that needs no matrix (up-to-date.ts) does not parse the body. 4: the definition and the
 * resolved matrix on lines of their own, each with its sha256, and the resolved matrix only when the
 * definition is not plain data (Sections).
 */
const VERSION = 4;

export interface MatrixCacheOptions {
  readonly root: string;
  readonly matrixFile: string;
  readonly cacheDir: string;
  /** @default now */
  readonly now?: Date;
}

/** What every hit must match besides the recorded inputs. */
interface Key {
  readonly version: number;
  readonly root: string;
  readonly matrixFile: string;
  readonly day: string;
  readonly envmatrix: string;
  readonly pins: string;
  readonly project: string;
}

interface Header {
  readonly key: Key;
  readonly files: readonly (readonly [string, string])[];
  readonly env: Readonly<Record<string, string | null>>;
  /**
   * The load's warnings, which every synth prints as a load would (a cluster in paid extended support
   * stays visible while the matrix comes from here).
   */
  readonly warnings: readonly MatrixIssue[];
  /** sha256 of each section's line, so a truncated or edited entry is a miss; null for an empty one. */
  readonly sections: { readonly [name in keyof Sections]: string | null };
}

/**
 * What an entry holds after its header, a line each. The definition when it is plain data (what the
 * matrix modules evaluated to): a pins-only change resolves it with the new pins, and a hit resolves
 * it with the pins the key proves unchanged (resolving is a pure function of the definition, the pins
 * and the day, all in the key). Only a definition JSON cannot keep gets its resolved matrix stored
 * instead: at 1,800 app instances that is 2 MB against 30 KB, and encoding, checking, writing and
 * reading it took about 0.15 s of every pins-only synth.
 */
interface Sections {
  readonly definition: MatrixDefinition;
  readonly resolved: unknown;
}

const ENVMATRIX_DIR = fileURLToPath(new URL('../../', import.meta.url));

/**
 * envmatrix's own code and what it runs on. Synchronous reads: a couple of hundred small files, and
 * nothing else can happen until the cache is judged.
 */
export function envmatrixFingerprint(): string {
  const files = [
    ...['package.json', 'package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json'].map((f) =>
      join(ENVMATRIX_DIR, f),
    ),
    ...filesUnder(join(ENVMATRIX_DIR, 'bin')),
    ...filesUnder(join(ENVMATRIX_DIR, 'src')),
  ];
  return sha256(`${process.version}\u0000${process.platform}\u0000${hashFiles(files)}`);
}

function keyOf(options: MatrixCacheOptions): Key {
  return {
    version: VERSION,
    root: options.root,
    matrixFile: options.matrixFile,
    day: (options.now ?? new Date()).toISOString().slice(0, 10),
    envmatrix: envmatrixFingerprint(),
    // Every file there, not only *.json: conservative, and the folder is small.
    pins: hashFiles(filesUnder(join(options.root, RELEASES_DIR))),
    // The project's module type and compiler settings, which tsx loads the matrix by.
    project: hashFiles(['package.json', 'tsconfig.json'].map((file) => join(options.root, file))),
  };
}

/** The cache entry of one project root and matrix file. */
export function matrixCacheFile(options: Omit<MatrixCacheOptions, 'now'>): string {
  return join(
    options.cacheDir,
    'matrix',
    `${sha256(`${options.root}\u0000${options.matrixFile}`).slice(0, 24)}.json`,
  );
}

const fileSha256 = (path: string): string | undefined => {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
};

/** A hit: the entry's name and warnings now, the resolved matrix when asked for (parsing it takes time). */
export interface MatrixCacheHit {
  /**
   * The sha256 of the entry's header: it names envmatrix's code, every input the load read (the pins
   * and the day included) and, by its sha256, the definition or the resolved matrix, so equal names
   * mean equal renders (up-to-date.ts).
   */
  readonly entry: string;
  readonly warnings: readonly MatrixIssue[];
  /** The fingerprint of envmatrix's code that the entry was saved by, as it is now (envmatrixFingerprint). */
  readonly envmatrix: string;
  resolved(): Promise<ResolvedMatrix>;
}

/**
 * A lookup's outcome: the cached matrix, or what a load started now must record to be saved; with
 * `reuse` when only the pins changed (see loadMatrixWithDefinition).
 */
export type MatrixCacheLookup =
  | { readonly hit: MatrixCacheHit }
  | {
      readonly hit?: undefined;
      readonly miss: MatrixCacheMiss;
      readonly why: string;
      readonly reuse?: DefinitionReuse;
    };

/** The definition the matrix modules gave, and what they read, as the entry recorded and this lookup checked. */
export interface DefinitionReuse {
  readonly definition: MatrixDefinition;
  readonly inputs: MatrixInputs;
  /** As MatrixCacheHit.envmatrix. */
  readonly envmatrix: string;
}

/**
 * Taken before loading: an input that changes during the load then makes the next lookup miss, never
 * hit on a matrix resolved from older bytes (see saveResolvedMatrix for the user modules).
 */
export interface MatrixCacheMiss {
  readonly options: MatrixCacheOptions;
  readonly key: Key;
  readonly startedAtMs: number;
}

/**
 * Beside an entry: the user modules the last recorded load of this matrix read, saved or not. A load
 * right after a module edit is racy and saves no entry (saveResolvedMatrix), yet what it imported is
 * known: `synth --watch` watches a module outside src/ that an edit just started importing from here.
 */
export function matrixModulesFile(options: Omit<MatrixCacheOptions, 'now'>): string {
  return matrixCacheFile(options).replace(/\.json$/, '.modules.json');
}

/**
 * The user modules (absolute paths) the last recorded load of this matrix read: what `synth --watch`
 * watches besides the pins and the project's files. Empty when none is recorded or it is unreadable.
 */
export function recordedMatrixModules(options: Omit<MatrixCacheOptions, 'now'>): string[] {
  try {
    const { files } = JSON.parse(readFileSync(matrixModulesFile(options), 'utf8')) as { files?: unknown };
    return Array.isArray(files) ? files.filter((file): file is string => typeof file === 'string') : [];
  } catch {
    return [];
  }
}

/** Record the modules a load read (matrixModulesFile). Failures are ignored: only the watch reads it. */
async function recordMatrixModules(
  options: Omit<MatrixCacheOptions, 'now'>,
  files: readonly string[],
): Promise<void> {
  const path = matrixModulesFile(options);
  const text = `${JSON.stringify({ files })}\n`;
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    // A pin bump reads the modules its entry names: the same list, not worth a write each time.
    if ((await readTextIfExists(path)) === text) return;
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

/** The cached resolved matrix when every input is as the load that saved it saw. */
export function lookUpResolvedMatrix(options: MatrixCacheOptions): MatrixCacheLookup {
  const startedAtMs = Date.now();
  const key = keyOf(options);
  const miss = (why: string) => ({ miss: { options, key, startedAtMs }, why });
  let text: string;
  try {
    text = readFileSync(matrixCacheFile(options), 'utf8');
  } catch {
    return miss('no entry');
  }
  try {
    const lines = text.split('\n');
    const headerLine = lines[0]!;
    const header = JSON.parse(headerLine) as Header;
    const changed = (Object.keys(key) as (keyof Key)[]).filter((name) => header.key[name] !== key[name]);
    const pinsOnly = changed.length === 1 && changed[0] === 'pins';
    if (changed.length > 0 && !pinsOnly) return miss(`changed: ${changed.join(', ')}`);
    const file = header.files.find(([path, sha]) => fileSha256(path) !== sha);
    if (file) return miss(`changed: ${file[0]}`);
    const variable = Object.entries(header.env).find(
      ([name, value]) => (process.env[name] ?? null) !== value,
    );
    if (variable) return miss(`changed: $${variable[0]}`);
    // Exactly a header and two sections, each as its sha256 in the header says (null: an empty line).
    const names = ['definition', 'resolved'] as const;
    const intact = (name: keyof Sections, line: string | undefined) => {
      const sha = header.sections[name];
      return line !== undefined && (sha === null ? line === '' : sha256(line) === sha);
    };
    if (lines.length !== 3 || !names.every((name, i) => intact(name, lines[i + 1]))) {
      return miss('damaged entry');
    }
    const [definitionLine, resolvedLine] = [lines[1]!, lines[2]!];
    const definition = definitionLine === '' ? undefined : (JSON.parse(definitionLine) as MatrixDefinition);
    if (pinsOnly) {
      if (definition === undefined) return miss('changed: pins');
      const inputs: MatrixInputs = { files: header.files.map(([path]) => path), env: header.env };
      return { ...miss('changed: pins'), reuse: { definition, inputs, envmatrix: key.envmatrix } };
    }
    if (definition === undefined && resolvedLine === '') return miss('damaged entry');
    // Resolved again, or parsed, only when asked for: an up-to-date tree never needs it.
    const resolved = async () =>
      definition !== undefined
        ? resolveAgain(options, definition)
        : decodeResolved(JSON.parse(resolvedLine) as unknown);
    return {
      hit: { entry: sha256(headerLine), warnings: header.warnings, envmatrix: key.envmatrix, resolved },
    };
  } catch {
    // A damaged entry is a miss: synth loads the matrix and writes the entry again.
    return miss('damaged entry');
  }
}

/**
 * The resolved matrix of a hit whose entry holds the definition: resolved again with the pins, which
 * the key proves are the bytes that load read. Not validated again: the load that saved the entry
 * validated this very matrix (its warnings are in the header).
 */
async function resolveAgain(
  options: MatrixCacheOptions,
  definition: MatrixDefinition,
): Promise<ResolvedMatrix> {
  // Imported here: a hit whose tree is up to date never resolves (up-to-date.ts).
  const [{ readPins }, { resolveMatrix }] = await Promise.all([
    import('../matrix/read-pins.ts'),
    import('../matrix/resolve.ts'),
  ]);
  const { pins } = await readPins(options.root);
  return resolveMatrix(definition, pins, { now: options.now ?? new Date() });
}

/**
 * Provenance as JSON holds it: the nested maps as entry lists, in their order, and each list of steps
 * once, by its index in `steps`. The same lists repeat for every app instance (an app's defaults and
 * its file's values), and written out in full they were three quarters of an entry (4 of 5.5 MB at
 * 1,800 instances), read, hashed and parsed by every synth.
 */
interface EncodedProvenance {
  readonly steps: readonly (readonly ProvenanceStep[])[];
  readonly targets: [string, [string, [string, number][]][]][];
}

/** The resolved matrix as JSON can hold it (see EncodedProvenance). */
export function encodeResolved(resolved: ResolvedMatrix): unknown {
  const steps: (readonly ProvenanceStep[])[] = [];
  const indexOf = new Map<string, number>();
  const stepsIndex = (list: readonly ProvenanceStep[]): number => {
    const text = JSON.stringify(list);
    let index = indexOf.get(text);
    if (index === undefined) {
      index = steps.push(list) - 1;
      indexOf.set(text, index);
    }
    return index;
  };
  const targets: EncodedProvenance['targets'] = [...resolved.provenance].map(([target, apps]) => [
    target,
    [...apps].map(([app, paths]) => [app, [...paths].map(([path, list]) => [path, stepsIndex(list)])]),
  ]);
  return { ...resolved, provenance: { steps, targets } satisfies EncodedProvenance };
}

export function decodeResolved(value: unknown): ResolvedMatrix {
  const encoded = value as Omit<ResolvedMatrix, 'provenance'> & { provenance: EncodedProvenance };
  const { steps, targets } = encoded.provenance;
  const provenance = new Map(
    targets.map(([target, apps]) => [
      target,
      new Map(
        apps.map(([app, paths]) => [app, new Map(paths.map(([path, index]) => [path, steps[index]!]))]),
      ),
    ]),
  );
  return { ...encoded, provenance };
}

/**
 * Whether JSON gives this value back as it is: plain objects and arrays of strings, finite numbers,
 * booleans and null, with no undefined members. Anything else (a Date, a Map, a class instance) would
 * come back different, so such a matrix is not cached.
 */
export function survivesJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value))
    return Object.keys(value).length === value.length && value.every((item) => survivesJson(item));
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  if (Object.getOwnPropertySymbols(value).length > 0) return false;
  return Object.values(value).every((item) => item !== undefined && survivesJson(item));
}

/** A save's outcome: the entry's name (MatrixCacheHit.entry), or why nothing was saved. */
export type MatrixCacheSave =
  | { readonly entry: string; readonly notSaved?: undefined }
  | { readonly entry?: undefined; readonly notSaved: string };

/**
 * Save what a load gives (its definition, or its resolved matrix: see Sections) with its inputs. The
 * user modules are hashed now, after the load, so one edited since the load began could be recorded
 * with bytes the load did not see: as git does with racily clean files, nothing is saved when a
 * module's mtime is within RACY_MS of the load's start or later. The same holds for a definition
 * reused on a pins-only change: its modules were checked at the lookup, and one edited since is racy.
 * Failures are ignored: the cache only ever saves time. The modules are recorded either way
 * (recordedMatrixModules).
 * https://git-scm.com/docs/racy-git
 */
export async function saveResolvedMatrix(
  miss: MatrixCacheMiss,
  loaded: Pick<LoadedMatrix, 'resolved' | 'warnings'> & { readonly definition?: MatrixDefinition },
  inputs: MatrixInputs,
): Promise<MatrixCacheSave> {
  const notSaved = (why: string) => ({ notSaved: why });
  // Whether or not the entry is saved below: the watch follows the modules this load read.
  await recordMatrixModules(miss.options, inputs.files);
  const { resolved, warnings = [], definition } = loaded;
  // Only plain data is kept as the definition; a definition holding anything else (a Date, a class
  // instance, a member set to undefined) is not reused, and the resolved matrix is stored instead.
  const definitionLine =
    definition !== undefined && survivesJson(definition) ? JSON.stringify(definition) : undefined;
  let resolvedLine: string | undefined;
  if (definitionLine === undefined) {
    const encoded = encodeResolved(resolved) as { provenance: EncodedProvenance };
    // The provenance targets are entry lists of names and indices this module built: only its distinct
    // step lists and the rest of the matrix need checking (the whole took 60 ms at 1,800 instances).
    const { provenance, ...rest } = encoded;
    if (!survivesJson(rest) || !survivesJson(provenance.steps))
      return notSaved('the resolved matrix holds values JSON cannot keep');
    resolvedLine = JSON.stringify(encoded);
  }
  // mtime alone: the modules are copied and linked freshly in tests and CI, which moves their ctime.
  const racyNs = BigInt(miss.startedAtMs - RACY_MS) * 1_000_000n;
  const racy = inputs.files.find((path) => (statOf(path)?.mtimeNs ?? racyNs) >= racyNs);
  if (racy !== undefined) return notSaved(`${racy} changed within ${RACY_MS / 1000} s of the load`);
  const files = inputs.files.map((path) => [path, fileSha256(path)] as const);
  if (files.some(([, sha]) => sha === undefined)) return notSaved('a module of the matrix is gone');
  const sha = (line: string | undefined) => (line === undefined ? null : sha256(line));
  const header: Header = {
    key: miss.key,
    files: files as (readonly [string, string])[],
    env: inputs.env,
    warnings,
    sections: { definition: sha(definitionLine), resolved: sha(resolvedLine) },
  };
  const headerLine = JSON.stringify(header);
  const path = matrixCacheFile(miss.options);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, [headerLine, definitionLine ?? '', resolvedLine ?? ''].join('\n'));
    await rename(temporary, path);
    return { entry: sha256(headerLine) };
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    return notSaved(`writing ${path} failed: ${(error as Error).message}`);
  }
}
