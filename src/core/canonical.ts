import { createHash } from 'node:crypto';
import { compareStrings } from './compare.ts';

/**
 * A copy of `value` with object keys sorted (code-unit order) and undefined members dropped, so equal
 * data serializes to equal bytes. Loops rather than Object.fromEntries/filter/map chains: every synth
 * hashes each render unit's input through here (thousands of units), and the chains' intermediate
 * arrays were most of that time. Keys that arrive sorted skip the sort (most objects of a unit input do not:
 * the resolver builds them in reading order). Even so, the sorted copy costs two to three times what
 * JSON.stringify of the input as built does, so the render cache finds a unit by that first
 * (quickInputKey, generators/index.ts) and sorts only the inputs it does not find.
 * An object with a toJSON method (a Date, a URL) is what that returns, as in JSON.stringify: copying its
 * own keys instead gave every Date `{}`, so two inputs that differ only in a Date hashed the same.
 */
export function sortKeys(value: unknown, key: string | number = ''): unknown {
  if (value === null || typeof value !== 'object') return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  // Called once, with the member's key, and its result not asked again: JSON.stringify's rules.
  return typeof toJSON === 'function'
    ? sortedCopy((toJSON as (key: string) => unknown).call(value, String(key)))
    : sortedCopy(value);
}

function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = sortKeys(value[i], i);
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
  for (const name of keys) {
    const member = record[name];
    if (member === undefined) continue;
    // An own "__proto__" member stays a member (assignment would set the copy's prototype instead).
    if (name === '__proto__')
      Object.defineProperty(copy, name, {
        value: sortKeys(member, name),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else copy[name] = sortKeys(member, name);
  }
  return copy;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}
