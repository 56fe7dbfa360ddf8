/**
 * What a matrix load read, recorded while it runs, so a cache of its result (src/output/matrix-cache.ts)
 * can tell later whether loading again could give anything else. Two recorders:
 * - the module graph: a loader hook (node:module `register`, in the loader thread beside tsx's) posts
 *   every resolution as (parent, resolved URL); the files reachable from the matrix file through them
 *   are its inputs. Derived from what the loader did, not from a list of folders.
 * - environment variables: `process.env` is swapped for a proxy that notes each name read.
 * The result is undefined whenever the inputs cannot be proven (see `provenInputs`): a caller then
 * simply does not cache.
 * https://nodejs.org/docs/latest-v20.x/api/module.html#customization-hooks (register, resolve, data)
 */
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { resolve as resolvePath, sep } from 'node:path';
import {
  DEFAULT_MATRIX_FILE,
  loadMatrix,
  loadMatrixWithDefinition,
  type LoadedMatrix,
  type LoadOptions,
} from './load.ts';
import type { MatrixDefinition } from './types.ts';

export interface MatrixInputs {
  /** Absolute paths of the user modules the matrix file reaches (itself included), sorted. */
  readonly files: readonly string[];
  /** Each environment variable read during the load, with its value then (null: unset). */
  readonly env: Readonly<Record<string, string | null>>;
}

export type RecordedLoad = LoadedMatrix & {
  /** undefined: the inputs could not be proven; do not cache this load. */
  readonly inputs?: MatrixInputs;
  /** Why the inputs could not be proven (for tests and --verbose). */
  readonly unproven?: string;
};

// Runs in the loader thread: post each resolution after the next hooks (tsx's) made it.
const HOOKS = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage([context.parentURL ?? '', result.url]);
  return result;
}`;

let recorder: MessagePort | undefined;
function resolutions(): MessagePort {
  if (recorder) return recorder;
  const { port1, port2 } = new MessageChannel();
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, {
    data: { port: port2 },
    transferList: [port2],
  });
  port1.unref();
  recorder = port1;
  return port1;
}

function drain(port: MessagePort): [string, string][] {
  const edges: [string, string][] = [];
  for (let message = receiveMessageOnPort(port); message; message = receiveMessageOnPort(port))
    edges.push(message.message as [string, string]);
  return edges;
}

/**
 * The matrix layer (this folder), whose public define API user modules import: its files belong to the
 * envmatrix fingerprint (matrix-cache.ts), not to the matrix, and are not followed. Everything else the
 * matrix file reaches is, even inside envmatrix's src/ (the example apps and environments live there).
 */
export const MATRIX_LAYER_DIR = fileURLToPath(new URL('./', import.meta.url));

/**
 * Text in a user module that could make its value depend on something other than its imports and the
 * environment variables it reads (time, randomness, files, the network, the module system): such a
 * matrix is never cached. Crude on purpose: a false alarm only costs the cache. Comments are left out
 * only when they start their line (`// …`, a `/* … *\/` block), so text after code on a line still counts.
 */
const UNPROVABLE =
  /\b(?:process\b(?!\.env\b)|globalThis|global|require|import\s*\(|import\.meta|fetch|Date|Math\.random|eval|Function|performance|crypto|WebAssembly|setTimeout|setInterval)\b/;
/** Module specifiers in static imports and re-exports. */
const STATIC_IMPORT =
  /\b(import|export)(\s+type\b)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]/g;

const LINE_COMMENTS = /^\s*\/\/.*$|^\s*\/\*[\s\S]*?\*\//gm;

const matrixUrlsLoaded = new Set<string>();

/**
 * The files reachable from `entry` through recorded resolutions, or why they cannot be trusted: a
 * package or builtin imported by user code, a user module that already was in the module cache (its
 * imports were not resolved again), or text that makes its value depend on more than its inputs.
 */
async function provenInputs(
  entry: string,
  edges: readonly (readonly [string, string])[],
): Promise<{ files: string[] } | { unproven: string }> {
  const children = new Map<string, string[]>();
  for (const [parent, url] of edges) children.set(parent, [...(children.get(parent) ?? []), url]);
  const files: string[] = [];
  const queue = [entry];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const url = queue.shift()!;
    if (!url.startsWith('file:')) return { unproven: `user code imports ${url}` };
    const path = fileURLToPath(url);
    if (path.startsWith(MATRIX_LAYER_DIR)) continue;
    if (path.split(sep).includes('node_modules')) return { unproven: `user code imports ${path}` };
    files.push(path);
    const text = await readFile(path, 'utf8');
    const unprovable = UNPROVABLE.exec(text.replace(LINE_COMMENTS, ''));
    if (unprovable) return { unproven: `${path} mentions \`${unprovable[0]}\`` };
    const imported = children.get(url) ?? [];
    // Every import in the text must have been resolved during this load; otherwise the module came from
    // the module cache and what it reaches is unknown.
    // (Type-only imports are erased before loading, so they resolve nothing.)
    const specifiers = new Set(
      [...text.matchAll(STATIC_IMPORT)].filter((match) => !match[2]).map((match) => match[3] ?? match[4]!),
    );
    if (specifiers.size > new Set(imported).size)
      return { unproven: `${path} was loaded before; its imports were not recorded` };
    for (const child of imported)
      if (!seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
  }
  return { files: files.sort() };
}

/** Run `load` with process.env replaced by a proxy that records the names read. */
async function recordingEnv<T>(
  load: () => Promise<T>,
): Promise<{ value: T; env: Record<string, string | null>; enumerated: boolean }> {
  const real = process.env;
  const env: Record<string, string | null> = {};
  let enumerated = false;
  process.env = new Proxy(real, {
    get(target, name, receiver) {
      if (typeof name === 'string') env[name] = real[name] ?? null;
      return Reflect.get(target, name, receiver) as unknown;
    },
    has(target, name) {
      if (typeof name === 'string') env[name] = real[name] ?? null;
      return Reflect.has(target, name);
    },
    ownKeys(target) {
      enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
  try {
    return { value: await load(), env, enumerated };
  } finally {
    process.env = real;
  }
}

/** loadMatrix, recording its inputs. */
export async function loadMatrixRecorded(options: LoadOptions): Promise<RecordedLoad> {
  // Evaluated before recording starts: secretlint's modules (debug) list every environment variable
  // as they load, which is envmatrix's doing, not the matrix's. loadMatrix imports it lazily.
  await import('./secret-scan.ts');
  const port = resolutions();
  drain(port);
  const entry = pathToFileURL(resolvePath(options.root, options.matrixFile ?? DEFAULT_MATRIX_FILE)).href;
  const loadedBefore = matrixUrlsLoaded.has(entry);
  matrixUrlsLoaded.add(entry);
  const { value: loaded, env, enumerated } = await recordingEnv(() => loadMatrix(options));
  const edges = drain(port);
  if (loadedBefore) return { ...loaded, unproven: 'the matrix module was loaded before in this process' };
  if (enumerated) return { ...loaded, unproven: 'the load listed every environment variable' };
  const proven = await provenInputs(entry, edges);
  if ('unproven' in proven) return { ...loaded, unproven: proven.unproven };
  return { ...loaded, inputs: { files: proven.files, env } };
}

/**
 * loadMatrixWithDefinition, recording what it reads: the result's inputs are the earlier load's modules
 * (whose bytes the caller checked) and its environment variables together with those read now.
 */
export async function loadMatrixWithDefinitionRecorded(
  options: LoadOptions,
  definition: MatrixDefinition,
  earlier: MatrixInputs,
): Promise<RecordedLoad> {
  const {
    value: loaded,
    env,
    enumerated,
  } = await recordingEnv(() => loadMatrixWithDefinition(options, definition));
  if (enumerated) return { ...loaded, unproven: 'the load listed every environment variable' };
  return { ...loaded, inputs: { files: earlier.files, env: { ...earlier.env, ...env } } };
}
