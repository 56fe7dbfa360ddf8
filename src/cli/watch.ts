/**
 * `envmatrix synth --watch`: synth, then synth again at every change to what the matrix is loaded from
 * (its modules, the pins files, the project's package.json and tsconfig), until Ctrl-C.
 *
 * Where each synth runs depends on where the matrix comes from. When the matrix cache serves it
 * (nothing changed, or only the pins: a pin bump, a promotion pulled in), the synth runs in this
 * process, whose modules are loaded and whose code is warm: a pin bump costs its own work and not
 * node's start and module loading again. When a matrix module changed, the modules must be imported
 * again, and node's module loader keeps a module's first import for the life of the process. So that
 * synth runs in a child process, `envmatrix synth` itself, which also saves the matrix to the cache for
 * the pin bumps that follow. The same holds when envmatrix's own code changed since the watch began
 * (this process runs the old code) and with --no-cache (no cache to serve the matrix).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { watch, type FSWatcher } from 'chokidar';
import { UsageError } from '../core/errors.ts';
import { RELEASES_DIR } from '../matrix/releases-dir.ts';
import { envmatrixFingerprint, recordedMatrixModules } from '../output/matrix-cache.ts';
import { defaultCacheDir } from '../output/project-paths.ts';
import type { SynthSession } from '../output/synth.ts';
import { EXIT_CODES } from './interrupt.ts';
import { reportError } from './report-error.ts';
import { lookUpForSynth, synthCommand, type SynthFlags } from './synth.ts';

const BIN = fileURLToPath(new URL('../../bin/envmatrix.js', import.meta.url));

/**
 * How long after the last event a synth starts: an editor writes a file and then renames or touches
 * it, `envmatrix pin` writes a pins file in one go. Above chokidar's 50 ms, within which it drops a
 * second change event for the same file: a synth that starts later reads what that write left.
 */
const SETTLE_MS = 60;

/**
 * What a change to which runs synth again: the project's src/ (the matrix, its apps, the pins files,
 * and a module added to them), its package.json and tsconfig, the matrix file wherever it is, and every
 * module the matrix's last recorded load read (recordedMatrixModules: src/ holds them in the layout
 * synth expects; one imported from elsewhere is named there). src/ is watched whole so that a module
 * created there is seen before any load imports it. Paths that do not exist are included: chokidar
 * sees them created.
 */
function watchedPaths(options: SynthFlags): string[] {
  const root = options.root;
  const paths = [
    join(root, 'src'),
    resolve(root, options.matrix),
    join(root, RELEASES_DIR),
    join(root, 'package.json'),
    join(root, 'tsconfig.json'),
    ...recordedMatrixModules({ root, matrixFile: options.matrix, cacheDir: defaultCacheDir(root) }),
  ];
  // A path inside src/ is watched with it.
  const insideSrc = (path: string) => path.startsWith(`${join(root, 'src')}${sep}`);
  return [...new Set(paths)].filter((path) => !insideSrc(path)).sort();
}

/** How long to wait for chokidar to watch paths just added (addWatched) before going on regardless. */
const ADD_TIMEOUT_MS = 2000;

/**
 * Add `paths` to the watch, and wait until chokidar watches those that exist: add() returns at once,
 * and chokidar (4.0.3) stats each path before it watches it, so an edit made meanwhile would pass
 * unseen. One that does not exist is watched for through its folder, at once.
 */
async function addWatched(watcher: FSWatcher, paths: readonly string[]): Promise<void> {
  watcher.add([...paths]);
  const existing = paths.filter((path) => existsSync(path));
  const watched = (path: string) => {
    const listed = watcher.getWatched();
    return path in listed || (listed[dirname(path)]?.includes(basename(path)) ?? false);
  };
  const deadline = Date.now() + ADD_TIMEOUT_MS;
  while (!existing.every(watched) && Date.now() < deadline) await sleep(10);
}

/**
 * The files among `paths` (folders walked) modified at or after `sinceMs`: edits made after a synth
 * began loading and before the watch covered them, which no event reports. Coarse timestamps can name a
 * file edited just before; that costs one synth more, never a missed edit.
 */
function modifiedSince(paths: readonly string[], sinceMs: number): string[] {
  const files = paths.flatMap((path) => {
    try {
      if (!statSync(path).isDirectory()) return [path];
      return readdirSync(path, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name));
    } catch {
      return [];
    }
  });
  return files.filter((file) => (statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) >= sinceMs);
}

/** `envmatrix synth` with the same flags in a child process, which prints to this one's output. */
function synthInChild(options: SynthFlags): Promise<number> {
  const args = [
    BIN,
    '--root',
    resolve(options.root),
    '--matrix',
    options.matrix,
    ...(options.verbose ? ['--verbose'] : []),
    'synth',
    ...(options.only !== undefined ? ['--only', options.only] : []),
    ...(options.allowRemovals ? ['--allow-removals'] : []),
    ...(options.cache === false ? ['--no-cache'] : []),
  ];
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, args, { stdio: 'inherit' });
    child.once('error', failed);
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/** One synth, here or in a child process (see the module comment); its errors are printed, not thrown. */
async function synthOnce(
  options: SynthFlags,
  envmatrixAtStart: string,
  session: SynthSession,
): Promise<number> {
  try {
    const lookup = lookUpForSynth(options);
    const served = lookup?.hit ?? lookup?.reuse;
    const note = (message: string) => {
      if (options.verbose) console.error(`watch: ${message}`);
    };
    if (served?.envmatrix === envmatrixAtStart) {
      note('synthesizing in this process: the matrix cache holds the matrix');
      return await synthCommand(options, lookup, session);
    }
    note(
      `synthesizing in a child process: ${
        lookup === undefined
          ? 'no matrix cache with --no-cache'
          : lookup.hit === undefined && lookup.reuse === undefined
            ? `the matrix modules are imported again (${lookup.why})`
            : "envmatrix's code changed since the watch began"
      }`,
    );
    return await synthInChild(options);
  } catch (error) {
    return reportError(error, { verbose: options.verbose === true });
  }
}

/**
 * Loads now what a synth in this process needs, while nothing is asked of it: reading the pins and
 * validating (zod, through context.ts), planning and writing, and every renderer (cdk8s, cdktf). A synth of an up-to-date tree
 * loads none of it, so without this the first change after the start waited for all of it (~0.25 s at
 * 1,800 app instances, against ~0.13 s for the next).
 */
async function warmUp(): Promise<void> {
  const [{ loadRenderers }] = await Promise.all([
    import('../generators/index.ts'),
    import('./context.ts'),
    import('../output/synth.ts'),
  ]);
  await loadRenderers();
}

/**
 * Synth, then watch; resolves with 130 or 143 once SIGINT or SIGTERM stopped it (as interrupt.ts
 * does), after a synth under way in this process has finished. A child synth gets the terminal's
 * Ctrl-C too and stops where it is (its write is atomic: generated/ keeps what the last synth wrote).
 */
export async function watchSynth(flags: SynthFlags): Promise<number> {
  if (flags.check)
    throw new UsageError(
      '--watch writes generated/ at every change and --check writes nothing: use one of them',
    );
  // Absolute: a synth in this process enters the project folder (project-root.ts), after which a
  // relative root would name another folder.
  const options = { ...flags, root: resolve(flags.root) };
  const { root } = options;
  if (!existsSync(join(root, 'src')))
    throw new UsageError(`nothing to watch: ${join(root, 'src')} does not exist`, {
      fix: 'run it in the project folder, or pass --root <project folder>',
    });

  // First, so a Ctrl-C during the first synth or the start-up also waits for the synth. Listeners
  // that stay: the write lock's signal-exit, loaded by the first synth here, kills the process on a
  // signal that finds no listener besides its own (as a once-listener leaves it). A second Ctrl-C ends
  // the watch without waiting.
  let stopping = false;
  const stopped = new Promise<keyof typeof EXIT_CODES>((resolveStop) => {
    for (const name of ['SIGINT', 'SIGTERM'] as const)
      process.on(name, () => {
        if (stopping) process.exit(EXIT_CODES[name]);
        stopping = true;
        resolveStop(name);
      });
  });

  const envmatrixAtStart = envmatrixFingerprint();
  // The render cache, kept from one synth to the next in this process.
  const session: SynthSession = {};
  const firstSynthAt = Date.now();
  await synthOnce(options, envmatrixAtStart, session);
  if (stopping) return EXIT_CODES[await stopped];
  let watched = watchedPaths(options);
  // Paths that exist first: given one that does not, chokidar (4.0.3) reported ready before it watched
  // the others, and missed a change made right after. The others once it is ready.
  const watcher = watch(
    watched.filter((path) => existsSync(path)),
    { ignoreInitial: true },
  );
  await Promise.all([new Promise<void>((ready) => watcher.once('ready', ready)), warmUp()]);
  await addWatched(
    watcher,
    watched.filter((path) => !existsSync(path)),
  );
  const announce = () =>
    console.error(
      `watching ${watched.map((path) => relative(root, path) || path).join(', ')} for changes to the matrix and its pins (Ctrl-C stops)`,
    );
  announce();

  const changed = new Set<string>();
  let lastEventAt = 0;
  let timer: NodeJS.Timeout | undefined;
  /** The synths under way, one after another, until no change is left or the watch stops. */
  let draining: Promise<void> | undefined;
  const drain = async (): Promise<void> => {
    try {
      while (changed.size > 0 && !stopping) {
        // Changes that came during the last synth settle too.
        const settling = lastEventAt + SETTLE_MS - Date.now();
        if (settling > 0) await new Promise((done) => setTimeout(done, settling));
        const paths = [...changed].sort();
        changed.clear();
        console.error(`changed: ${paths.map((path) => relative(root, path) || path).join(', ')}`);
        const synthAt = Date.now();
        await synthOnce(options, envmatrixAtStart, session);
        if (stopping) break;
        // A module added to the matrix, or one it no longer imports.
        const next = watchedPaths(options);
        if (next.join('\n') !== watched.join('\n')) {
          const added = next.filter((path) => !watched.includes(path));
          watcher.unwatch(watched.filter((path) => !next.includes(path)));
          await addWatched(watcher, added);
          watched = next;
          announce();
          for (const path of modifiedSince(added, synthAt)) changed.add(path);
        }
      }
    } catch (error) {
      reportError(error, { verbose: options.verbose === true });
    } finally {
      draining = undefined;
    }
  };
  watcher.on('all', (_event, path) => {
    changed.add(path);
    lastEventAt = Date.now();
    if (draining || stopping) return; // picked up when the synth under way ends
    clearTimeout(timer);
    timer = setTimeout(() => {
      draining = drain();
    }, SETTLE_MS);
  });
  watcher.on('error', (error) => console.error(`envmatrix: watching failed: ${String(error)}`));
  // Edits made while the first synth ran and the watch was set up: no event reports them.
  for (const path of modifiedSince(watched, firstSynthAt)) changed.add(path);
  if (changed.size > 0) draining = drain();

  const signal = await stopped;
  clearTimeout(timer);
  await watcher.close();
  // generated/ is written atomically either way; letting the synth finish leaves nothing to recover.
  await draining;
  return EXIT_CODES[signal];
}
