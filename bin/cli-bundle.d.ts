// Types of ./cli-bundle.js, which is JavaScript because it runs before any TypeScript loader.
export interface BundleOptions {
  /** envmatrix's folder: holds src/, package.json and node_modules. */
  readonly envmatrixDir: string;
  /** Where the bundles are kept; bundleCacheDir(envmatrixDir) by default. */
  readonly cacheDir?: string;
}

export function bundleCacheDir(envmatrixDir: string): string;
export function bundledCli(options: BundleOptions): Promise<string>;
export function findBundle(options: BundleOptions): string | undefined;
export function buildBundle(options: BundleOptions): Promise<string>;
export function bundleKey(envmatrixDir: string, inputs: readonly string[]): string;
/** The folder of a bundle's pre-bundled libraries (src/core/bundled-library.ts), from its entry's URL. */
export function libraryFolder(entry: string): string;
