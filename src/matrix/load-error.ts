/**
 * Why a matrix file could not be loaded, told like a compiler would: `file:line:column`, the offending
 * lines with a caret, and a fix. Two causes: the file does not parse (esbuild, run by tsx, reports
 * `file:line:column: ERROR: text`), or its code throws while it runs (the first stack frame in the
 * user's own files says where). The raw stack is kept as the cause, for `--verbose`.
 */
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatrixLoadError, type LoadLocation } from './errors.ts';

const ESBUILD_ERROR = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m;
const FRAME = /\(?((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?$/;

/** The MatrixLoadError for whatever importing `matrixFile` threw. */
export function matrixLoadError(root: string, matrixFile: string, error: unknown): MatrixLoadError {
  const message = error instanceof Error ? error.message : String(error);
  const syntax = ESBUILD_ERROR.exec(message);
  if (syntax?.[1] && syntax[4]) {
    // esbuild counts columns from 0, V8 stack frames from 1; messages use 1 like editors do.
    const location = locate(root, syntax[1], Number(syntax[2]), Number(syntax[3]) + 1);
    return new MatrixLoadError(
      `${location.file}:${location.line}:${location.column}: syntax error: ${syntax[4]}`,
      location,
      codeFrame(location),
      `correct the syntax at ${location.file}:${location.line}:${location.column}, then run the command again (\`npx tsc --noEmit\` lists every syntax and type error)`,
      error,
    );
  }
  const location = userFrame(root, error);
  const name = error instanceof Error ? error.name : 'Error';
  if (!location) {
    return new MatrixLoadError(
      `${matrixFile}: the matrix could not be loaded: ${name}: ${message}`,
      undefined,
      '',
      `fix what ${matrixFile} imports or runs; \`--verbose\` prints the stack`,
      error,
    );
  }
  return new MatrixLoadError(
    `${location.file}:${location.line}:${location.column}: the matrix threw while loading: ${name}: ${message}`,
    location,
    codeFrame(location),
    `fix the code at ${location.file}:${location.line}:${location.column} (or what it reads) so it does not throw; \`--verbose\` prints the stack`,
    error,
  );
}

function locate(root: string, file: string, line: number, column: number): LoadLocation {
  const absolute = file.startsWith('file://') ? fileURLToPath(file) : file;
  return { absolute, file: relative(root, absolute).split(sep).join('/'), line, column };
}

/** The first stack frame in the user's project (not envmatrix's loader, not node_modules, not node). */
function userFrame(root: string, error: unknown): LoadLocation | undefined {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const frame of stack.split('\n').slice(1)) {
    const match = FRAME.exec(frame.trim());
    if (!match?.[1]) continue;
    const file = match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1];
    if (file.startsWith('node:') || file.includes(`${sep}node_modules${sep}`)) continue;
    if (!file.startsWith(root) || relative(root, file).startsWith('..')) continue;
    return locate(root, file, Number(match[2]), Number(match[3]));
  }
  return undefined;
}

/** Two lines either side of the location, numbered, with a caret under the column. */
export function codeFrame(location: LoadLocation): string {
  let lines: string[];
  try {
    lines = readFileSync(location.absolute, 'utf8').split('\n');
  } catch {
    return '';
  }
  const first = Math.max(1, location.line - 2);
  const last = Math.min(lines.length, location.line + 2);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const marker = n === location.line ? '>' : ' ';
    out.push(`${marker} ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`.trimEnd());
    if (n === location.line)
      out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, location.column - 1))}^`);
  }
  return out.join('\n');
}
