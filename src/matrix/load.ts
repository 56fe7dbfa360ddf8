/**
 * Loading: import the user's matrix module, read every pins file, resolve, validate — and throw one
 * MatrixError listing every problem.
 */
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MatrixError, type MatrixIssue } from './errors.ts';
import { matrixLoadError } from './load-error.ts';
import { RELEASES_DIR } from './pins.ts';
import { readPins } from './read-pins.ts';
import { resolveMatrix } from './resolve.ts';
import type { MatrixDefinition, PinsByEnvironment, ResolvedMatrix } from './types.ts';
import { validateMatrix } from './validate.ts';

// Promotion code reads the releases folder's name from here; pins.ts owns it with pinsFilePath.
export { RELEASES_DIR, readPins };

export const DEFAULT_MATRIX_FILE = 'src/environments/index.ts';

export interface LoadOptions {
  /** Project root; paths in messages are relative to it. */
  readonly root: string;
  /** @default 'src/environments/index.ts' */
  readonly matrixFile?: string;
  /** The moment calendar rules (Kubernetes version support) judge the matrix at. @default now */
  readonly now?: Date;
}

export interface LoadedMatrix {
  readonly definition: MatrixDefinition;
  readonly pins: PinsByEnvironment;
  readonly resolved: ResolvedMatrix;
  /** Problems that do not stop synth (e.g. a Kubernetes version in paid extended support). */
  readonly warnings?: readonly MatrixIssue[];
}

function isMatrixDefinition(value: unknown): value is MatrixDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    'environments' in value &&
    'clusters' in value &&
    'apps' in value &&
    'source' in value
  );
}

/**
 * Set by bin/envmatrix.js when envmatrix runs from its bundle (bin/cli-bundle.js): registers tsx's
 * loader, which only the matrix needs. Absent where TypeScript imports already (the sources run through
 * tsx, vitest), so nothing registers twice.
 */
const PREPARE_MATRIX_IMPORT = Symbol.for('envmatrix.prepareMatrixImport');

async function prepareMatrixImport(): Promise<void> {
  const prepare = (globalThis as Record<symbol, unknown>)[PREPARE_MATRIX_IMPORT];
  if (typeof prepare === 'function') await (prepare as () => Promise<void>)();
}

export async function importMatrix(
  root: string,
  matrixFile = DEFAULT_MATRIX_FILE,
): Promise<MatrixDefinition> {
  const file = resolvePath(root, matrixFile);
  let module: { default?: unknown };
  try {
    await prepareMatrixImport();
    // The CLI starts with source maps off (bin/envmatrix.js); the matrix modules need them, so that
    // where each value was written (source-location.ts) names the TypeScript line.
    process.setSourceMapsEnabled(true);
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw matrixLoadError(resolvePath(root), matrixFile, error);
  }
  if (!isMatrixDefinition(module.default)) {
    throw new MatrixError([
      {
        path: matrixFile,
        message: 'does not export a matrix as its default export',
        fix: 'end the file with `export default defineMatrix({ … })`',
      },
    ]);
  }
  return module.default;
}

/** Load, resolve and validate; throws MatrixError with every problem found. */
export async function loadMatrix(options: LoadOptions): Promise<LoadedMatrix> {
  const definition = await importMatrix(options.root, options.matrixFile);
  const { pins, issues: pinIssues } = await readPins(options.root);
  // Imported here: secretlint is a few dozen modules that resolving an in-memory matrix (checkedMatrix:
  // benchmarks, promotion planning, a pins-only change taken from the matrix cache) never needs.
  const { scanConfigSecrets } = await import('./secret-scan.ts');
  const secretIssues = await scanConfigSecrets(definition);
  return checkedMatrix(definition, pins, [...pinIssues, ...secretIssues], {
    ...(options.now && { now: options.now }),
  });
}

/**
 * loadMatrix for a definition that an earlier load imported and scanned, from matrix modules unchanged
 * since (the matrix cache checks their bytes and the environment variables they read): only the pins
 * are read again, then resolved and validated, which is what a pin bump or a promotion changes. The
 * secret scan is not repeated: it looks at the definition alone, and its findings are errors, so a
 * definition that loaded once has none.
 */
export async function loadMatrixWithDefinition(
  options: LoadOptions,
  definition: MatrixDefinition,
): Promise<LoadedMatrix> {
  const { pins, issues } = await readPins(options.root);
  return checkedMatrix(definition, pins, issues, { ...(options.now && { now: options.now }) });
}

/** Resolve and validate an in-memory matrix (tests, benchmarks, promotion planning with new pins). */
export function checkedMatrix(
  definition: MatrixDefinition,
  pins: PinsByEnvironment,
  earlierIssues: readonly MatrixIssue[] = [],
  options: { readonly now?: Date } = {},
): LoadedMatrix {
  const now = options.now ?? new Date();
  const resolved = resolveMatrix(definition, pins, { now });
  const all = [...earlierIssues, ...validateMatrix(definition, pins, resolved, { now })];
  const issues = all.filter((issue) => issue.severity !== 'warning');
  if (issues.length > 0) throw new MatrixError(issues);
  const warnings = all.filter((issue) => issue.severity === 'warning');
  return { definition, pins, resolved, ...(warnings.length > 0 && { warnings }) };
}
