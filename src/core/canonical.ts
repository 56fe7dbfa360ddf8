import { createHash } from 'node:crypto';
import { compareStrings } from './compare.ts';

/**
 * A copy of `value` with object keys sorted (code-unit order) and undefined members dropped, so equal
 * data serializes to equal bytes. Loops rather than Object.fromEntries/filter/map chains: every synth
 * hashes each render unit's input through here (thousands of units), and the chains' intermediate
 * arrays were most of that time. Keys that arrive sorted (most, as the matrix is built) skip the sort.
 */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = sortKeys(value[i]);
    return copy;
  }
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i++)
    if (keys[i - 1]! > keys[i]!) {
      keys.sort(compareStrings);
      break;
    }
  const copy: Record<string, unknown> = {};
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    // An own "__proto__" member stays a member (assignment would set the copy's prototype instead).
    if (key === '__proto__')
      Object.defineProperty(copy, key, {
        value: sortKeys(member),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[key] = sortKeys(member);
  }
  return copy;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
