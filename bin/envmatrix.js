#!/usr/bin/env node
// The envmatrix command. The matrix is TypeScript the user edits, so the CLI runs from source through
// tsx's loader (no build step between editing src/environments and `npm run synth`).
import { register } from 'tsx/esm/api';

register();
// tsx turns on node's source maps, and node then splits every module it compiles into lines to map
// stack frames later: about 90 ms of a synth that renders, for envmatrix's own ~175 modules, whose
// frames only a bug report shows. importMatrix turns them back on for the user's matrix modules, whose
// lines name where each value was written. `NODE_OPTIONS=--enable-source-maps` keeps them on throughout.
const asked = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes(
  '--enable-source-maps',
);
if (!asked) process.setSourceMapsEnabled(false);
await import('../src/cli/main.ts');
