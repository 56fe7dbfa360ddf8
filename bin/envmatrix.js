#!/usr/bin/env node
// The envmatrix command. The matrix is TypeScript the user edits, so the CLI runs from source through
// tsx's loader (no build step between editing src/environments and `npm run synth`).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
