/**
 * A running `envmatrix synth --watch` and its output: what the bench times pin bumps against and
 * test/cli/watch.test.ts drives.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/envmatrix.js', import.meta.url));

export interface WatchProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves once `done` holds of the output; rejects after `timeoutMs` with the output. */
  waitFor(done: (output: string) => boolean, timeoutMs?: number): Promise<void>;
  /** Ctrl-C, and the exit code and signal it ended with (`130 null` for a clean stop). */
  stop(): Promise<string>;
}

/** `envmatrix --root <root> [globalArgs] synth --watch [synthArgs]` in a child process. */
export function startWatch(
  root: string,
  options: {
    readonly globalArgs?: readonly string[];
    readonly synthArgs?: readonly string[];
    readonly env?: NodeJS.ProcessEnv;
    /** @default root */
    readonly cwd?: string;
  } = {},
): WatchProcess {
  const args = [
    BIN,
    '--root',
    root,
    ...(options.globalArgs ?? []),
    'synth',
    '--watch',
    ...(options.synthArgs ?? []),
  ];
  const child = spawn('node', args, { cwd: options.cwd ?? root, env: options.env ?? process.env });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<string>((done) =>
    child.once('exit', (code, signal) => done(`${code} ${signal}`)),
  );
  return {
    child,
    output: () => output,
    waitFor: (done, timeoutMs = 60_000) =>
      new Promise((resolvePromise, reject) => {
        const check = () => {
          if (!done(output)) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolvePromise();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`synth --watch did not report in ${timeoutMs} ms; its output:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}
