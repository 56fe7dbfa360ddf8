/**
 * Vitest setup: load every generator's renderer once, so tests can call compose() and unit.render()
 * synchronously (the CLI loads renderers only when a unit misses the cache).
 */
import { loadRenderers } from '../../src/generators/index.ts';

await loadRenderers();
