/**
 * The byte format of the render cache's log (render-cache.ts): records that keep each rendered file's
 * content raw, so loading JSON-parses only the small metadata and takes contents as slices.
 *
 * A record is
 *
 *     NUL  metadata-JSON  LF  content-1 … content-n  LF
 *
 * The metadata is one line of JSON ({generator, key, fingerprint, inputHash, quickKey?, files}), each file being a
 * RenderedFile without its content (generator and inputHash only when they differ from the record's)
 * plus `bytes` (the content's UTF-8 length, what framing counts) and `length` (its length in JS string
 * units). The contents follow back to back; the LF after them, then the next record's NUL or the end
 * of the file, is the terminator. The metadata is written with every non-ASCII character escaped, so it
 * is ASCII and holds no NUL (JSON never writes one raw); nor do rendered contents in practice (the YAML
 * and JSON writers escape it). A content that did would still load, as framing counts lengths; it only
 * matters when resyncing after damage, where a false start must also pass the metadata's shape check.
 *
 * Why this shape: the JSON-lines log it replaces JSON-parsed every content (about 6 KB of YAML a file,
 * 22 MB at 1,800 app instances) on every synth. Here the file is read once and turned into one latin1
 * string (outside V8's heap, so the collector never copies it); a content that is ASCII
 * (`bytes === length`, as nearly all rendered files are) is `text.slice(a, b)`, which V8 makes without
 * copying, and only a non-ASCII content is decoded from its bytes, and only for a key's last record.
 *
 * Damage: a record whose framing fails (metadata that is not JSON of the right shape, contents that run
 * past the file, no terminator where the lengths say) is skipped, and reading resumes at the next NUL,
 * the next record's start; everything after it still loads. A non-ASCII content that does not decode
 * to its `length` (a multi-byte character changed) makes its record's files undefined: a miss.
 * Framing counts bytes, so a run killed mid-append, even inside a multi-byte character, leaves a short
 * last record that fails framing, and `intactBytes` says where to cut it off. A byte changed inside an
 * ASCII content, keeping its framing, is not noticed here (the JSON log did not notice such a change
 * either): the cache only saves time, and `synth --check` never reads it.
 */
import type { RenderedFile } from '../generators/index.ts';

/** One unit's render, as the log holds it. */
export interface LogRecord {
  readonly generator: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly inputHash: string;
  /** The input's quickInputKey (generators/index.ts), when the render was recorded with one. */
  readonly quickKey?: string;
  readonly files: readonly RenderedFile[];
}

/**
 * A record whose framing holds. Its files are decoded on request: a log holds replaced records too,
 * and only a key's last record is worth turning into strings.
 */
export interface FramedRecord extends Omit<LogRecord, 'files'> {
  /** The files; undefined when a content is damaged (a non-ASCII one that decodes to another length). */
  readonly files: () => RenderedFile[] | undefined;
  /** Where the record starts in the log (its NUL). */
  readonly at: number;
  /** The record's length in the log, NUL to terminator: what the writer counts as live or dead bytes. */
  readonly bytes: number;
}

/** A record as written: the string to write with UTF-8 encoding, and its length in bytes. */
export interface EncodedRecord {
  readonly text: string;
  readonly bytes: number;
}

export interface DecodedLog {
  /**
   * The log as latin1, one character per byte: a record's bytes are `text.slice(at, at + bytes)`,
   * which a rewrite copies as they are rather than encoding the record again.
   */
  readonly text: string;
  /** The well-framed records, in log order (a key's last record is its current one). */
  readonly records: FramedRecord[];
  /** Records skipped for damaged framing before the last intact record. */
  readonly damaged: number;
  /**
   * Where the last intact record ends. Less than the file's size when the log ends in damage (a torn
   * append): bytes past it hold nothing loadable, and appending after them could splice a record
   * into the damage, so the writer cuts the file here first.
   */
  readonly intactBytes: number;
}

const NUL = 0x00;
const LF = 0x0a;

/** A file's metadata in the log: a RenderedFile without content, and the content's two lengths. */
interface FileMeta {
  readonly path: string;
  readonly generator?: string;
  readonly scope: string;
  readonly app?: string;
  readonly inputHash?: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly length: number;
}

interface Metadata {
  readonly generator: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly inputHash: string;
  readonly quickKey?: string;
  readonly files: readonly FileMeta[];
}

/** JSON with every non-ASCII character escaped: one byte per character, and no raw NUL or LF. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * One record, and its length in bytes: counted as it is built (the metadata is ASCII, and each
 * content's byte length is in the metadata anyway), not by scanning the string again.
 */
export function encodeRecord(record: LogRecord): EncodedRecord {
  const metadata: Metadata = {
    generator: record.generator,
    key: record.key,
    fingerprint: record.fingerprint,
    inputHash: record.inputHash,
    ...(record.quickKey !== undefined && { quickKey: record.quickKey }),
    files: record.files.map((file) => ({
      path: file.path,
      ...(file.generator !== record.generator && { generator: file.generator }),
      scope: file.scope,
      ...(file.app !== undefined && { app: file.app }),
      ...(file.inputHash !== record.inputHash && { inputHash: file.inputHash }),
      sha256: file.sha256,
      bytes: Buffer.byteLength(file.content),
      length: file.content.length,
    })),
  };
  const json = asciiJson(metadata);
  const text = `\u0000${json}\n${record.files.map((file) => file.content).join('')}\n`;
  // NUL, the metadata, LF, the contents, LF.
  const bytes = metadata.files.reduce((sum, file) => sum + file.bytes, json.length + 3);
  return { text, bytes };
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isLength = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

function isFileMeta(value: unknown): value is FileMeta {
  if (typeof value !== 'object' || value === null) return false;
  const file = value as Record<string, unknown>;
  return (
    isString(file.path) &&
    isString(file.scope) &&
    isString(file.sha256) &&
    (file.generator === undefined || isString(file.generator)) &&
    (file.app === undefined || isString(file.app)) &&
    (file.inputHash === undefined || isString(file.inputHash)) &&
    isLength(file.bytes) &&
    isLength(file.length)
  );
}

function isMetadata(value: unknown): value is Metadata {
  if (typeof value !== 'object' || value === null) return false;
  const meta = value as Record<string, unknown>;
  return (
    isString(meta.generator) &&
    isString(meta.key) &&
    isString(meta.fingerprint) &&
    isString(meta.inputHash) &&
    (meta.quickKey === undefined || isString(meta.quickKey)) &&
    Array.isArray(meta.files) &&
    meta.files.every(isFileMeta)
  );
}

/** The files of a well-framed record; undefined when a non-ASCII content does not decode to its length. */
function filesOf(
  bytes: Buffer,
  text: string,
  metadata: Metadata,
  contentStart: number,
): RenderedFile[] | undefined {
  const files: RenderedFile[] = [];
  let at = contentStart;
  for (const file of metadata.files) {
    const from = at;
    at += file.bytes;
    // ASCII bytes are the same characters in latin1 and UTF-8: a slice of the one string, not a copy.
    const content = file.bytes === file.length ? text.slice(from, at) : bytes.toString('utf8', from, at);
    // A multi-byte character changed decodes to replacement characters: another length.
    if (content.length !== file.length) return undefined;
    const generator = file.generator ?? metadata.generator;
    const inputHash = file.inputHash ?? metadata.inputHash;
    const { path, scope, app, sha256 } = file;
    // Two literals rather than a spread of `app`: thousands of files, and a spread is a slow path.
    files.push(
      app === undefined
        ? { path, content, generator, scope, inputHash, sha256 }
        : { path, content, generator, scope, app, inputHash, sha256 },
    );
  }
  return files;
}

/**
 * The record starting at `start` (a NUL), and the offset just past it; undefined when its framing
 * fails. `text` is `bytes` as latin1, one character per byte.
 */
function decodeRecord(
  bytes: Buffer,
  text: string,
  start: number,
): { record: FramedRecord; end: number } | undefined {
  const lineEnd = bytes.indexOf(LF, start + 1);
  if (lineEnd === -1) return undefined;
  let metadata: unknown;
  try {
    metadata = JSON.parse(text.slice(start + 1, lineEnd));
  } catch {
    return undefined;
  }
  if (!isMetadata(metadata)) return undefined;
  let end = lineEnd + 1;
  for (const file of metadata.files) end += file.bytes;
  // The terminator: LF, then the next record's NUL or the end of the file.
  if (end >= bytes.length || bytes[end] !== LF) return undefined;
  if (end + 1 < bytes.length && bytes[end + 1] !== NUL) return undefined;
  const { generator, key, fingerprint, inputHash, quickKey } = metadata;
  const files = () => filesOf(bytes, text, metadata, lineEnd + 1);
  const record = {
    generator,
    key,
    fingerprint,
    inputHash,
    quickKey,
    files,
    at: start,
    bytes: end + 1 - start,
  };
  return { record, end: end + 1 };
}

/** Every well-framed record of a log's bytes; see the module comment for what damage costs. */
export function decodeLog(bytes: Buffer): DecodedLog {
  // One copy of the whole log as a one-byte string: contents are slices of it (see filesOf).
  const text = bytes.toString('latin1');
  const records: FramedRecord[] = [];
  let damaged = 0;
  let skipped = 0;
  let intactBytes = 0;
  let start = bytes.length > 0 && bytes[0] !== NUL ? bytes.indexOf(NUL) : 0;
  if (start !== 0) skipped++;
  while (start !== -1 && start < bytes.length) {
    const decoded = decodeRecord(bytes, text, start);
    if (decoded) {
      records.push(decoded.record);
      damaged += skipped;
      skipped = 0;
      intactBytes = decoded.end;
      start = decoded.end;
    } else {
      skipped++;
      start = bytes.indexOf(NUL, start + 1);
    }
  }
  return { text, records, damaged, intactBytes };
}
