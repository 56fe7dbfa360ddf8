/**
 * `generated/index.json`: every generated file with the generator, unit scope, app and input hash that
 * produced it. Synth prunes by it; `affected` and promotion read it to see what changed.
 */
import { compareStrings } from '../core/compare.ts';
import type { RenderedFile } from '../generators/index.ts';
import { MARKER } from '../generators/serialize.ts';

export const INDEX_PATH = 'index.json';

export interface IndexEntry {
  readonly generator: string;
  readonly scope: string;
  readonly app?: string;
  readonly inputHash: string;
  /** sha256 of the file's bytes. */
  readonly sha256: string;
}

export interface GeneratedIndex {
  readonly version: 1;
  readonly files: Readonly<Record<string, IndexEntry>>;
}

export function indexOf(files: Iterable<RenderedFile>): GeneratedIndex {
  const entries = [...files].sort((a, b) => compareStrings(a.path, b.path));
  return {
    version: 1,
    files: Object.fromEntries(
      entries.map((file) => [
        file.path,
        {
          generator: file.generator,
          scope: file.scope,
          ...(file.app !== undefined && { app: file.app }),
          inputHash: file.inputHash,
          sha256: file.sha256,
        },
      ]),
    ),
  };
}

export function serializeIndex(index: GeneratedIndex): string {
  return `${JSON.stringify({ '//': `${MARKER}: every file in generated/ and the input that produced it.`, ...index }, null, 2)}\n`;
}

/** Parse index.json text; undefined when absent or unreadable (then nothing is pruned by it). */
export function parseIndex(text: string | undefined): GeneratedIndex | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<GeneratedIndex>;
    return parsed.version === 1 && parsed.files ? { version: 1, files: parsed.files } : undefined;
  } catch {
    return undefined;
  }
}
