#!/usr/bin/env node
// The envmatrix command. envmatrix's own code runs from a bundle compiled from src/ and kept current
// (./cli-bundle.js); the matrix is TypeScript the user edits, imported through tsx's loader, which is
// registered only when a matrix module is about to be imported. No build step between editing
// src/environments and `npm run synth`. `ENVMATRIX_FROM_SOURCE=1` runs src/ through tsx instead.
import { fileURLToPath } from 'node:url';
import { bundledCli, libraryFolder } from './cli-bundle.js';

// Source maps stay off for envmatrix's own modules unless asked for: node would split every module it
// compiles into lines to map stack frames later, frames only a bug report shows. importMatrix turns
// them on for the user's matrix modules, whose lines name where each value was written.
// `NODE_OPTIONS=--enable-source-maps` keeps them on throughout.
const mapsAsked = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes(
  '--enable-source-maps',
);

/** @type {Promise<void> | undefined} */
let registered;
/** Registers tsx's loader, once, keeping source maps as asked. */
function registerTypeScript() {
  registered ??= import('tsx/esm/api').then(({ register }) => {
    register();
    if (!mapsAsked) process.setSourceMapsEnabled(false);
  });
  return registered;
}

/** @type {string | undefined} */
let entry;
if (!process.env.ENVMATRIX_FROM_SOURCE) {
  try {
    entry = await bundledCli({ envmatrixDir: fileURLToPath(new URL('..', import.meta.url)) });
  } catch (error) {
    console.error(
      `envmatrix: running from source, the CLI bundle could not be built (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); set ENVMATRIX_FROM_SOURCE=1 to skip trying`,
    );
  }
}
if (entry) {
  // What src/matrix/load.ts calls before it imports the user's matrix (see prepareMatrixImport there).
  globalThis[Symbol.for('envmatrix.prepareMatrixImport')] = registerTypeScript;
  // Where src/core/bundled-library.ts finds cdk8s and zod pre-bundled.
  globalThis[Symbol.for('envmatrix.bundledLibraries')] = libraryFolder(entry);
  await import(entry);
} else {
  await registerTypeScript();
  await import('../src/cli/main.ts');
}
