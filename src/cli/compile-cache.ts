/**
 * A V8 code cache for the CommonJS dependencies the CLI requires (cdk8s, cdk8s-plus-28, constructs,
 * zod, …): a synth compiles about 5 MB of their JavaScript from node_modules (1.8 MB as the CLI
 * bundle's pre-bundled libraries, src/core/bundled-library.ts), which V8 otherwise parses again in every
 * process. Kept in `node_modules/.cache/envmatrix/compile/`, outside generated/; safe to delete (the
 * next run compiles from source and writes it again). `NODE_DISABLE_COMPILE_CACHE=1` turns it off.
 *
 * - Node ≥ 22.1 has this built in: `module.enableCompileCache(dir)`
 *   (https://nodejs.org/api/module.html#moduleenablecompilecachecachedir).
 * - Node 20 does not, so `Module.prototype._compile` is replaced for files under node_modules, the way
 *   v8-compile-cache(-lib) does it, with `vm.compileFunction` and its cachedData. Unlike that library:
 *   a file that may call `import()` is left to Node (the library breaks it), columns in stack traces
 *   are the file's own (no wrapper text before line 1), an entry is used only for the exact bytes it
 *   was made from (V8 itself checks only the source's length), and anything unusual goes to Node.
 *
 * Node's own _compile also reads a dependency's inline source map when source maps are on (tsx turns
 * them on for the TypeScript sources): cdk8s, cdk8s-plus-28 and constructs carry megabytes of them.
 * Stack frames inside those packages then name the package's .js file and line instead of its
 * unshipped .ts source; frames in envmatrix's and the matrix's TypeScript keep their mapping.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join, sep } from 'node:path';
import vm from 'node:vm';

/** What Node's CommonJS loader passes a module's code (lib/internal/modules/cjs/loader.js, wrapSafe). */
const PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];
const HASH_BYTES = 20;
/**
 * `import(`, also with spaces or a comment before the parenthesis (how JavaScript allows it). Exported
 * for test/cli/cli-bundle.test.ts, which checks that the pre-bundled libraries do not match it.
 */
export const DYNAMIC_IMPORT = /\bimport\s*(?:\(|\/[/*])/;

type Compile = (this: Module, content: string, filename: string, format?: string) => unknown;
interface ModuleInternals {
  _compile: Compile;
}
interface ModuleStatics {
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: unknown): string;
  _resolveLookupPaths(request: string, parent: Module): string[] | null;
  _extensions: unknown;
  _cache: unknown;
  enableCompileCache?: (dir: string) => unknown;
}

let enabled = false;

/** The folder this Node's compiled code is kept in under `cacheDir`, on Node 20 (see installNode20Cache). */
export function compileCacheFolder(cacheDir: string): string {
  return join(cacheDir, 'compile', `${process.version}-${process.arch}`);
}

/**
 * Turns the cache on for this process, stored under `cacheDir` (defaultCacheDir of the project:
 * `<root>/node_modules/.cache/envmatrix`). Not when that node_modules folder is missing: a mistyped
 * `--root` must not leave folders behind.
 */
export function enableCompileCache(cacheDir: string): void {
  if (enabled || process.env.NODE_DISABLE_COMPILE_CACHE || !existsSync(join(cacheDir, '..', '..'))) return;
  enabled = true;
  const dir = join(cacheDir, 'compile');
  const statics = Module as unknown as ModuleStatics;
  if (typeof statics.enableCompileCache === 'function') {
    statics.enableCompileCache(dir);
    return;
  }
  if (process.versions.node.split('.')[0] !== '20') return;
  // V8 rejects another version's data anyway; a folder per version keeps two Node installs sharing a
  // project from overwriting each other's entries.
  installNode20Cache(compileCacheFolder(cacheDir), statics);
}

function installNode20Cache(dir: string, statics: ModuleStatics): void {
  const prototype = Module.prototype as unknown as ModuleInternals;
  const original = prototype._compile;
  const unsaved: { entry: string; hash: Buffer; data?: Buffer }[] = [];
  const inNodeModules = `${sep}node_modules${sep}`;

  prototype._compile = function (content, filename, format) {
    if (
      (format !== undefined && format !== 'commonjs') ||
      !filename.includes(inNodeModules) ||
      // Node 20 loses a function's dynamic import() callback when it is compiled from cachedData
      // (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING); vm.Script keeps it, but only through an experimental
      // option that prints a warning. So a file that may call import() is Node's to compile: 2 of the
      // 250 files a synth requires, both small.
      DYNAMIC_IMPORT.test(content)
    )
      return Reflect.apply(original, this, [content, filename, format]);
    const hash = createHash('sha1').update(content).digest();
    // Named by the bytes, not the path: the CLI bundle's libraries are the same bytes under a new folder
    // after each edit to envmatrix's sources (bin/cli-bundle.js), and keep their entry (~2 MB each).
    const entry = join(dir, hash.toString('hex'));
    const cached = readEntry(entry, hash);
    let compiled: ReturnType<typeof vm.compileFunction>;
    try {
      compiled = vm.compileFunction(stripShebang(content), PARAMETERS, {
        filename,
        ...(cached && { cachedData: cached }),
        produceCachedData: !cached,
      });
    } catch {
      // Not plain CommonJS (ES module syntax Node may load another way, a syntax error): Node decides
      // and reports as it always does.
      return Reflect.apply(original, this, [content, filename, format]);
    }
    // A rejected entry (another V8 build or flags) is removed, so the next run makes a new one.
    if (!cached || compiled.cachedDataRejected)
      unsaved.push({ entry, hash, ...(compiled.cachedData && { data: compiled.cachedData }) });
    return Reflect.apply(compiled, this.exports, [
      this.exports,
      requireFunction(this, statics),
      this,
      filename,
      dirname(filename),
    ]);
  };

  process.once('exit', () => {
    if (unsaved.length > 0) save(dir, unsaved);
  });
}

/** Node's makeRequireFunction (lib/internal/modules/helpers.js): the `require` a module's code gets. */
function requireFunction(module: Module, statics: ModuleStatics) {
  return Object.assign((id: string): unknown => module.require(id), {
    resolve: Object.assign(
      (request: string, options?: unknown) => statics._resolveFilename(request, module, false, options),
      { paths: (request: string) => statics._resolveLookupPaths(request, module) },
    ),
    main: process.mainModule,
    extensions: statics._extensions,
    cache: statics._cache,
  });
}

/** The cached data of an entry made from exactly these bytes, else undefined. */
function readEntry(entry: string, hash: Buffer): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(entry);
  } catch {
    return undefined;
  }
  return bytes.length > HASH_BYTES && bytes.subarray(0, HASH_BYTES).equals(hash)
    ? bytes.subarray(HASH_BYTES)
    : undefined;
}

/** Each entry written to a temporary name and renamed: a reader sees a whole entry or none. */
function save(dir: string, entries: readonly { entry: string; hash: Buffer; data?: Buffer }[]): void {
  try {
    mkdirSync(dir, { recursive: true });
    for (const { entry, hash, data } of entries) {
      if (!data) {
        rmSync(entry, { force: true });
        continue;
      }
      const temporary = `${entry}.${process.pid}.tmp`;
      writeFileSync(temporary, Buffer.concat([hash, data]));
      renameSync(temporary, entry);
    }
  } catch {
    // A read-only or vanished node_modules: the cache is an optimisation, the run has succeeded.
  }
}

/** Node's loader accepts a `#!` line in CommonJS files; compileFunction does not. Keeps the newline. */
function stripShebang(content: string): string {
  return content.startsWith('#!') ? content.replace(/^#![^\r\n]*/, '') : content;
}
