/**
 * Where user content was written, so errors and `explain` can say "src/apps/api.ts:9" instead of
 * "somewhere in the matrix". Read from the stack of the define helper's caller; tsx maps lines back to
 * the TypeScript source.
 */
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const FRAME = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?$/;
const thisFolder = fileURLToPath(new URL('.', import.meta.url));

/** `file:line` of the first caller outside src/matrix, relative to the working directory. */
export function callerSource(): string {
  const stack = new Error().stack?.split('\n').slice(1) ?? [];
  for (const frame of stack) {
    const match = FRAME.exec(frame.trim());
    if (!match?.[1] || !match[2]) continue;
    const file = match[1].startsWith('file://') ? fileURLToPath(match[1]) : match[1];
    if (file.startsWith(thisFolder) || file.startsWith('node:') || file.includes(`${sep}node_modules${sep}`))
      continue;
    return `${relative(process.cwd(), file).split(sep).join('/')}:${match[2]}`;
  }
  return 'unknown source';
}

/** The file part of a `file:line` source. */
export function sourceFile(source: string): string {
  return source.replace(/:\d+$/, '');
}
