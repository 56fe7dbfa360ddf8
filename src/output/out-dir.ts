/** Where generated/ lives: a module of its own, so the CLI can name it without importing synth. */
import { join } from 'node:path';

export function defaultOutDir(root: string): string {
  return join(root, 'generated');
}
