/**
 * The CommonJS libraries the CLI bundle carries pre-bundled (bin/cli-bundle.js): cdk8s with
 * cdk8s-plus-28 and constructs as one file, zod as another. Required from node_modules, cdk8s-plus-28
 * and its dependencies are about 250 files and zod about 100, and Node resolves, reads, hashes (for the
 * compile cache) and wraps each; one file each is about 80 ms less CPU per run that renders a manifest
 * or validates a matrix (1,800 app instances, 2 cores, side by side). Same packages, same versions.
 *
 * bin/envmatrix.js names the folder when it runs the bundle; running from source (tsx, the tests,
 * `ENVMATRIX_FROM_SOURCE=1`) names none, and the callers require the packages themselves.
 */
import { join } from 'node:path';

/** What bin/envmatrix.js sets to the bundle's library folder. */
const LIBRARY_FOLDER = Symbol.for('envmatrix.bundledLibraries');

/** The name of each pre-bundled file (bin/cli-bundle.js LIBRARY_BUNDLES). */
export type BundledLibrary = 'cdk8s' | 'zod';

/** The exports of the pre-bundled `name`, or undefined when this process does not run the bundle. */
export function requireBundled(require: NodeJS.Require, name: BundledLibrary): unknown {
  const folder = (globalThis as Record<symbol, unknown>)[LIBRARY_FOLDER];
  return typeof folder === 'string' ? require(join(folder, `${name}.cjs`)) : undefined;
}
