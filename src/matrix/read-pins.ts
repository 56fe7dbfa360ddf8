/**
 * Reading the releases folder: its own module, so what needs only the pins (a matrix cache hit that
 * resolves again from the cached definition) does not import validation.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { MatrixIssue } from './errors.ts';
import { parsePins, RELEASES_DIR } from './pins.ts';
import type { PinsByEnvironment } from './types.ts';

/** Every `<env>.json` in the releases folder, parsed; problems are returned, not thrown. */
export async function readPins(root: string): Promise<{ pins: PinsByEnvironment; issues: MatrixIssue[] }> {
  const dir = join(root, RELEASES_DIR);
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
  const pins: Record<string, PinsByEnvironment[string]> = {};
  const issues: MatrixIssue[] = [];
  for (const name of files) {
    const file = relative(root, join(dir, name)).split('\\').join('/');
    const parsed = parsePins(file, await readFile(join(dir, name), 'utf8'));
    pins[basename(name, '.json')] = {
      file,
      apps: parsed.apps,
      ...(parsed.waves && { waves: parsed.waves }),
      ...(parsed.rejected && { rejected: parsed.rejected }),
    };
    issues.push(...parsed.issues);
  }
  return { pins, issues };
}
