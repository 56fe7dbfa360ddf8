/**
 * zod, loaded with require. Its ESM build is about 95 modules, and under the CLI every ESM import
 * passes through tsx's loader hooks (another thread): 0.15–0.25 s per process that validates, against
 * 0.05 s for the CommonJS build that require loads without them. Same package and version. Every
 * module takes zod's values from here, so a process holds one copy (schemas and errors from two copies
 * would not mix); types come from `import type { z } from 'zod'`, which loads nothing.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { requireBundled } from '../core/bundled-library.ts';

const require = createRequire(import.meta.url);

const bundled = requireBundled(require, 'zod') as { zod: typeof Zod } | undefined;

/** Under the CLI bundle, from its pre-bundled copy (src/core/bundled-library.ts). */
export const z: typeof Zod.z = (bundled?.zod ?? (require('zod') as typeof Zod)).z;
