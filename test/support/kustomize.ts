/**
 * `kubectl kustomize <dir>`: builds a generated directory exactly as Argo CD and Flux would (kubectl
 * bundles Kustomize v5.5 here). Guard tests with `kubectlAvailable()`.
 */
import { execFile } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { requireTool, which, type ToolCheck } from './tools.ts';

export interface KustomizeResult {
  /** true when kubectl exited 0. */
  readonly ok: boolean;
  /** The rendered multi-document YAML. */
  readonly stdout: string;
  /** kubectl's diagnostics, e.g. `... "command failed" err="accumulating resources: ..."`. */
  readonly stderr: string;
  /** The exit code, or null when kubectl was killed (timeout). */
  readonly exitCode: number | null;
}

/** Whether kubectl is on PATH; throws under CI=true when it is not (see tools.ts). */
export function kubectlAvailable(): ToolCheck {
  return requireTool(
    'kubectl',
    which('kubectl'),
    'install kubectl (it bundles Kustomize v5) and put it on PATH',
  );
}

/** Run `kubectl kustomize <dir>`. Never rejects for a failed build: look at `ok` and `stderr`. */
export function kustomizeBuild(dir: string, options: { timeoutMs?: number } = {}): Promise<KustomizeResult> {
  const kubectl = which('kubectl') ?? 'kubectl';
  return new Promise((resolve, reject) => {
    execFile(
      kubectl,
      ['kustomize', dir],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code === 'string') {
          // ENOENT and the like: kubectl itself could not be run, which is not a build result.
          reject(new Error(`could not run ${kubectl} kustomize ${dir}: ${error.message}`));
          return;
        }
        const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ ok: exitCode === 0, stdout, stderr, exitCode });
      },
    );
  });
}

/** The objects in a multi-document YAML text such as `kustomizeBuild(...).stdout`; throws on bad YAML. */
export function parseYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0)
        throw new Error(`invalid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as unknown;
    })
    .filter((value) => value !== null && value !== undefined);
}
