/**
 * Finding the real tools the tests drive (kubectl, terraform, moto_server, git, the shared CRDs).
 * A test that needs a missing tool skips with a visible notice on a developer machine and fails loudly
 * under CI=true, so CI can never go green by skipping.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const inCI = process.env.CI === 'true' || process.env.CI === '1';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Absolute path of `name` on PATH, or undefined. */
export function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface ToolCheck {
  /** true when the tool is present and the tests may run. */
  readonly available: boolean;
  /** Why it is missing, for the skip notice. */
  readonly reason: string;
}

/**
 * Decide whether tests needing a tool run. Under CI a missing tool throws at collection time, so the
 * suite fails with the reason instead of skipping.
 */
export function requireTool(what: string, found: string | undefined, fix: string): ToolCheck {
  if (found) return { available: true, reason: '' };
  const reason = `${what} is not available: ${fix}`;
  if (inCI) throw new Error(`${reason} (CI=true: tests that need it must not be skipped)`);
  console.warn(`SKIPPING tests that need ${what}: ${reason}`);
  return { available: false, reason };
}

/** The shared CRDs folder (../shared/crds beside the project), or undefined. */
export function sharedCrdsDir(): string | undefined {
  const candidates = [process.env.ENVMATRIX_CRDS_DIR, resolve(projectRoot, '../shared/crds')];
  return candidates.find((dir): dir is string => !!dir && existsSync(dir));
}
