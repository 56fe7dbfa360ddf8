// envmatrix's own code, compiled once into a few JavaScript files so that a run does not pass each of
// its ~200 TypeScript modules through tsx's loader. tsx is then needed only for the user's matrix, and
// bin/envmatrix.js registers it just before the matrix is imported (src/matrix/load.ts): a synth that
// takes the matrix from the matrix cache, and `--version`, `--help`, `ls` on a cached matrix and the
// like, never start tsx's loader thread at all. Measured at 1,800 app instances on 2 cores: a pin bump
// 1.78 s → 1.35 s, `envmatrix --version` 0.43 s → 0.14 s.
//
// The bundle lives in `node_modules/.cache/envmatrix/cli/<key>/` beside envmatrix, never in git, with
// cdk8s and zod pre-bundled in its `libraries/` (LIBRARY_BUNDLES). Its key is a sha256 over every
// source file esbuild read to build it (and the package.json files it inlines), the package.json of
// every bundled library package, tsconfig.json, this file, esbuild's version and envmatrix's folder,
// and is checked against those files' bytes before every run: an edited source is never run stale, it
// is compiled again (0.4–0.9 s, once).
// `ENVMATRIX_FROM_SOURCE=1` runs the TypeScript sources through tsx instead, as before.
//
// What stays the same as running the sources:
// - `import.meta.url` is replaced in each module by that module's own file URL, so files read next to
//   a source (templates, the report's assets) and createRequire resolve as before;
// - the user's matrix imports src/matrix/index.ts through tsx, its own copy: the define helpers keep
//   no state and no classes, and the bundle leaves them out (test/cli/cli-bundle.test.ts checks both);
// - error classes name themselves (`override readonly name`), so errors read the same. esbuild's
//   `keepNames` is off: it wraps every function a run creates in a `__name` call, 35 ms of a pin bump's
//   CPU at 1,800 app instances, and envmatrix reads no function's or class's `name`;
// - `--enable-source-maps` maps stack frames back to src/*.ts through the bundle's .map files.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The CommonJS libraries built beside the bundle, one file each in its `libraries/` folder, and the
 * packages each file exports, by export name (src/core/bundled-library.ts says why and who requires
 * them). cdk8s-plus-28 shares cdk8s's and constructs' copies inside its file, as it does in node_modules.
 * @type {Record<string, Record<string, string>>}
 */
const LIBRARY_BUNDLES = {
  cdk8s: { cdk8s: 'cdk8s', constructs: 'constructs', kplus: 'cdk8s-plus-28' },
  zod: { zod: 'zod' },
};

/** Bumped when the bundle's layout or build options change in a way the key would not see. */
const LAYOUT = 1;
const BUILDER = fileURLToPath(import.meta.url);
/** Bundles other than the current one are deleted once this old: a process started from one may still import its chunks. */
const SWEEP_AFTER_MS = 60 * 60 * 1000;

/**
 * @typedef {{ envmatrixDir: string, cacheDir?: string }} BundleOptions
 */

/**
 * Where the bundles of an envmatrix folder are kept.
 * @param {string} envmatrixDir
 */
export function bundleCacheDir(envmatrixDir) {
  return join(envmatrixDir, 'node_modules', '.cache', 'envmatrix', 'cli');
}

/**
 * The file URL of the bundled CLI entry, built first when the sources changed since the last build.
 * Throws when it cannot be built (a syntax error esbuild reports, a cache folder that is not
 * writable); the caller runs the sources then.
 * @param {BundleOptions} options
 * @returns {Promise<string>}
 */
export async function bundledCli(options) {
  return findBundle(options) ?? (await buildBundle(options));
}

/**
 * The entry of the bundle whose key matches the files as they are now, or undefined.
 * @param {BundleOptions} options
 */
export function findBundle({ envmatrixDir, cacheDir = bundleCacheDir(envmatrixDir) }) {
  const manifest = join(cacheDir, 'current.json');
  const key = jsonField(manifest, 'key');
  const inputs = jsonField(manifest, 'inputs');
  if (
    typeof key !== 'string' ||
    !Array.isArray(inputs) ||
    !inputs.every((input) => typeof input === 'string')
  )
    return undefined;
  if (bundleKey(envmatrixDir, inputs) !== key) return undefined;
  const entry = join(cacheDir, key, 'main.mjs');
  return isComplete(join(cacheDir, key)) ? pathToFileURL(entry).href : undefined;
}

/**
 * Whether a bundle's folder holds its entry and every library: a folder a sweep or a hand deletion cut
 * short is never run (requiring a missing library would fail every run).
 * @param {string} bundleDir
 */
function isComplete(bundleDir) {
  const files = [
    join(bundleDir, 'main.mjs'),
    ...Object.keys(LIBRARY_BUNDLES).map((name) => libraryFile(bundleDir, name)),
  ];
  return files.every((file) => existsSync(file));
}

/**
 * The folder of a bundle's pre-bundled libraries, from its entry's URL: what bin/envmatrix.js hands
 * src/core/bundled-library.ts.
 * @param {string} entry
 */
export function libraryFolder(entry) {
  return fileURLToPath(new URL('libraries/', entry));
}

/**
 * @param {string} bundleDir
 * @param {string} name
 */
function libraryFile(bundleDir, name) {
  return join(bundleDir, 'libraries', `${name}.cjs`);
}

/**
 * Builds the bundle of the sources as they are now and makes it current; returns its entry's URL.
 * Safe to run in several processes at once: each builds into its own folder and renames it into place.
 * @param {BundleOptions} options
 */
export async function buildBundle({ envmatrixDir, cacheDir = bundleCacheDir(envmatrixDir) }) {
  // Imported only here: most runs find a bundle, and esbuild's API starts its service process.
  const { build } = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  const scratch = join(cacheDir, `.build-${process.pid}-${Date.now()}`);
  try {
    // The sources and the libraries (LIBRARY_BUNDLES) build at once in esbuild's service. Both are
    // settled before either's failure is thrown: no build is left writing into the scratch folder.
    const [sources, libraries] = await Promise.allSettled([
      build({
        absWorkingDir: envmatrixDir,
        entryPoints: { main: join(envmatrixDir, 'src', 'cli', 'main.ts') },
        outdir: scratch,
        outExtension: { '.js': '.mjs' },
        bundle: true,
        // Each command's module stays a chunk of its own, imported when the command runs, as main.ts
        // intends; one file would load every library at start.
        splitting: true,
        format: 'esm',
        platform: 'node',
        target: `node${nodeMajorFloor(envmatrixDir)}`,
        // Libraries stay external: Node loads them as it does from the sources, through createRequire
        // and the compile cache (src/cli/compile-cache.ts); cdk8s and zod from LIBRARY_BUNDLES' files.
        packages: 'external',
        sourcemap: 'linked',
        sourcesContent: false,
        legalComments: 'none',
        metafile: true,
        logLevel: 'silent',
        plugins: [packageJsonInline(envmatrixDir), ownUrlPerModule(envmatrixDir)],
      }).catch(rethrowFirstError),
      buildLibraries(build, envmatrixDir, scratch),
    ]);
    if (sources.status === 'rejected') throw sources.reason;
    if (libraries.status === 'rejected') throw libraries.reason;
    const result = sources.value;
    const libraryManifests = libraries.value;
    const inputs = [
      ...new Set(
        [
          ...Object.keys(result.metafile.inputs).map((input) => resolve(envmatrixDir, input)),
          ...libraryManifests,
          join(envmatrixDir, 'tsconfig.json'),
          BUILDER,
        ].map((file) => relative(envmatrixDir, file)),
      ),
    ].sort();
    const key = bundleKey(envmatrixDir, inputs);
    const target = join(cacheDir, key);
    try {
      renameSync(scratch, target);
    } catch (error) {
      // Another process built the same key first: its folder is complete (renamed whole) and equal.
      if (!isComplete(target)) {
        // Or the folder lost files (findBundle refused it): set aside, for the sweep to remove once no
        // process can be running from it, and this build takes its place.
        try {
          renameSync(target, join(cacheDir, `.stale-${process.pid}-${Date.now()}`));
        } catch {
          // Another process set it aside first.
        }
        try {
          renameSync(scratch, target);
        } catch {
          if (!isComplete(target)) throw error;
        }
      }
    }
    const manifest = join(cacheDir, `current.json.${process.pid}`);
    writeFileSync(manifest, `${JSON.stringify({ key, inputs })}\n`);
    renameSync(manifest, join(cacheDir, 'current.json'));
    sweep(cacheDir, key);
    return pathToFileURL(join(target, 'main.mjs')).href;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Builds LIBRARY_BUNDLES into `<scratch>/libraries/`; returns the package.json of every package they
 * hold, the libraries' part of the key. A package is keyed by its package.json (its version) rather
 * than its files: the key is checked on every start, and hashing the libraries' ~350 files there would
 * cost much of what bundling them saves; npm replaces a package's files and its package.json together.
 * @param {typeof import('esbuild').build} build
 * @param {string} envmatrixDir
 * @param {string} scratch
 * @returns {Promise<string[]>}
 */
async function buildLibraries(build, envmatrixDir, scratch) {
  /** @type {Set<string>} */
  const manifests = new Set();
  // Settled together, as in buildBundle: a failed one leaves no other still writing.
  const settled = await Promise.allSettled(
    Object.entries(LIBRARY_BUNDLES).map(([name, packages]) =>
      build({
        absWorkingDir: envmatrixDir,
        stdin: {
          contents: `module.exports = { ${Object.entries(packages)
            .map(([as, pkg]) => `${as}: require(${JSON.stringify(pkg)})`)
            .join(', ')} };`,
          resolveDir: envmatrixDir,
          sourcefile: `${name}-libraries.cjs`,
          loader: 'js',
        },
        outfile: libraryFile(scratch, name),
        bundle: true,
        format: 'cjs',
        platform: 'node',
        target: `node${nodeMajorFloor(envmatrixDir)}`,
        // No comments: src/cli/compile-cache.ts leaves a file whose text may call import() to Node, and
        // zod's comments mention it (test/cli/cli-bundle.test.ts checks the built files against it).
        minifyWhitespace: true,
        legalComments: 'none',
        // Read only under --enable-source-maps, as the sources' maps are.
        sourcemap: 'linked',
        sourcesContent: false,
        metafile: true,
        logLevel: 'silent',
      }),
    ),
  );
  const results = settled.map((outcome) =>
    outcome.status === 'fulfilled' ? outcome.value : rethrowFirstError(outcome.reason),
  );
  /** @type {Map<string, string | undefined>} */
  const manifestOfDir = new Map();
  for (const result of results)
    for (const input of Object.keys(result.metafile.inputs)) {
      const manifest = packageManifest(resolve(envmatrixDir, input), manifestOfDir);
      if (manifest) manifests.add(manifest);
    }
  // esbuild reports real paths: through a linked package (pnpm's store, `npm link`) those name the
  // folder the link pointed to when the bundle was built. The package.json as `require` reaches it now,
  // through the link, is keyed too, so pointing the link at another version builds again.
  const require = createRequire(join(envmatrixDir, 'package.json'));
  for (const name of Object.values(LIBRARY_BUNDLES).flatMap((packages) => Object.values(packages))) {
    const paths = require.resolve.paths(name) ?? [];
    const manifest = paths.map((dir) => join(dir, name, 'package.json')).find(existsSync);
    if (manifest) manifests.add(manifest);
  }
  return [...manifests];
}

/**
 * The package.json of the package a file belongs to: the nearest one above it that names a package
 * (some packages hold package.json files in subfolders that only set `type`). Found by walking up
 * rather than by the `node_modules/` in the path, so a package linked from elsewhere (`npm link`, a
 * `file:` dependency), whose real path esbuild reports, is keyed too. `known` keeps each folder's
 * answer: a library's files share a few folders.
 * @param {string} file
 * @param {Map<string, string | undefined>} known
 * @returns {string | undefined}
 */
function packageManifest(file, known) {
  const dir = dirname(file);
  if (known.has(dir)) return known.get(dir);
  const manifest = join(dir, 'package.json');
  const found =
    typeof jsonField(manifest, 'name') === 'string'
      ? manifest
      : dirname(dir) === dir
        ? undefined
        : packageManifest(dir, known);
  known.set(dir, found);
  return found;
}

/**
 * esbuild's error says "Build failed with 1 error:" on its first line; the CLI prints only that line,
 * so name the first error and where it is instead.
 * @param {unknown} error
 * @returns {never}
 */
function rethrowFirstError(error) {
  const first =
    /** @type {{ errors?: { text: string, location?: { file: string, line: number } | null }[] }} */ (error)
      .errors?.[0];
  if (!first) throw error;
  const where = first.location ? `${first.location.file}:${first.location.line}: ` : '';
  throw new Error(`${where}${first.text}`, { cause: error });
}

/**
 * sha256 over the bundle's inputs (path and bytes; a missing file counts as such), the builder's
 * layout, esbuild's version and envmatrix's folder (the bundle holds absolute file URLs).
 * @param {string} envmatrixDir
 * @param {readonly string[]} inputs paths relative to envmatrixDir
 */
export function bundleKey(envmatrixDir, inputs) {
  const hash = createHash('sha256');
  hash.update(`${LAYOUT}\u0000${esbuildVersion(envmatrixDir)}\u0000${resolve(envmatrixDir)}\u0000`);
  for (const input of inputs) {
    hash.update(`${input}\u0000`);
    try {
      const bytes = readFileSync(resolve(envmatrixDir, input));
      hash.update(`${bytes.length}\u0000`).update(bytes);
    } catch {
      hash.update('missing\u0000');
    }
  }
  return hash.digest('hex').slice(0, 32);
}

/** @param {string} envmatrixDir */
function esbuildVersion(envmatrixDir) {
  const version = jsonField(join(envmatrixDir, 'node_modules', 'esbuild', 'package.json'), 'version');
  return typeof version === 'string' ? version : 'unknown';
}

/**
 * The oldest Node major package.json's engines field allows (`>=20.12` → 20): what the bundle may use.
 * @param {string} envmatrixDir
 */
function nodeMajorFloor(envmatrixDir) {
  const range = jsonField(join(envmatrixDir, 'package.json'), 'engines', 'node');
  return /(\d+)/.exec(typeof range === 'string' ? range : '')?.[1] ?? '20';
}

/**
 * A field of a JSON file (`jsonField(file, 'engines', 'node')`); undefined when the file cannot be read
 * or parsed, or has no such field.
 * @param {string} file
 * @param {...string} keys
 * @returns {unknown}
 */
function jsonField(file, ...keys) {
  let value = readJson(file);
  for (const key of keys)
    value =
      typeof value === 'object' && value !== null
        ? Object.getOwnPropertyDescriptor(value, key)?.value
        : undefined;
  return value;
}

/**
 * @param {string} file
 * @returns {unknown}
 */
function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Replaces `import.meta.url` in each of envmatrix's modules with that module's own file URL; refuses any
 * other use of import.meta, whose meaning would change in a bundle.
 * @param {string} envmatrixDir
 * @returns {import('esbuild').Plugin}
 */
function ownUrlPerModule(envmatrixDir) {
  const sources = join(envmatrixDir, 'src');
  return {
    name: 'envmatrix-own-url-per-module',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (relative(sources, args.path).startsWith('..')) return undefined;
        const text = readFileSync(args.path, 'utf8').replaceAll(
          'import.meta.url',
          JSON.stringify(pathToFileURL(args.path).href),
        );
        const other = /\bimport\.meta\b(?!\.url)/.exec(text);
        if (other) {
          return {
            errors: [
              {
                text: `import.meta is only bundled as import.meta.url (${relative(envmatrixDir, args.path)})`,
              },
            ],
          };
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

/**
 * Bundles the package.json files envmatrix imports for library versions (`cdk8s/package.json`): as
 * external imports esbuild would drop their `with { type: 'json' }`, which Node requires. Bundled, they
 * are inputs of the key, so a library update builds again.
 * @param {string} envmatrixDir
 * @returns {import('esbuild').Plugin}
 */
function packageJsonInline(envmatrixDir) {
  const require = createRequire(join(envmatrixDir, 'package.json'));
  return {
    name: 'envmatrix-package-json-inline',
    setup(build) {
      build.onResolve({ filter: /^[^./].*\/package\.json$/ }, (args) => ({
        path: require.resolve(args.path),
      }));
    },
  };
}

/**
 * Deletes other bundles and abandoned build folders that have not been touched for a while.
 * @param {string} cacheDir
 * @param {string} keep
 */
function sweep(cacheDir, keep) {
  const now = Date.now();
  for (const name of readdirSync(cacheDir)) {
    if (name === keep || name === 'current.json') continue;
    const path = join(cacheDir, name);
    try {
      if (now - statSync(path).mtimeMs > SWEEP_AFTER_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to delete: the next build tries again.
    }
  }
}
