/**
 * sortKeys is written as loops for speed (every synth hashes each unit's input through it): it must give
 * exactly the bytes of the Object.fromEntries version every input hash and render cache entry was built on.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, sortKeys } from '../../src/core/canonical.ts';
import { compareStrings } from '../../src/core/compare.ts';

/** The earlier implementation, kept as the reference. */
function referenceSortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(referenceSortKeys);
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort(compareStrings)
        .filter((key) => record[key] !== undefined)
        .map((key) => [key, referenceSortKeys(record[key])]),
    );
  }
  return value;
}

const reference = (value: unknown) => JSON.stringify(referenceSortKeys(value));

describe('canonicalJson and sortKeys', () => {
  it.each([
    [
      'plain data, integer-like keys included',
      { b: 1, '4294967295': 0, '01': 3, a: [true, null, 'x', { d: 2.5, c: -0 }], é: 'ü', '10': 1, '9': 2 },
    ],
    ['undefined and functions', { a: undefined, b: () => 1, c: [undefined, () => 1, Symbol('s')], d: 1 }],
    ['special numbers and escapes', { n: [NaN, Infinity, -Infinity, 1e21], s: '"\\\n\u2028\u0000' }],
    ['Maps and Sets', { m: new Map([[1, 2]]), s: new Set([1]) }],
    ['an own toJSON member', { outer: { toJSON: () => 'called', b: 1 } }],
    ['an own __proto__ member', JSON.parse('{"z":1,"__proto__":{"b":2,"a":1}}') as unknown],
    // eslint-disable-next-line no-sparse-arrays
    ['a sparse array', [1, , 3]],
    ['top-level primitives', 'text'],
    ['nested empty objects and arrays', { a: {}, b: [], c: [[], [{}]] }],
  ])('%s: the same bytes as before', (_, value) => {
    expect(canonicalJson(value)).toBe(reference(value));
    expect(JSON.stringify(sortKeys(value), null, 2)).toBe(JSON.stringify(referenceSortKeys(value), null, 2));
  });

  it('serializes what toJSON returns, as JSON.stringify does: two Dates differ', () => {
    // The earlier implementation copied own keys only, so every Date was {} and hashed alike.
    expect(canonicalJson({ at: new Date(0) })).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(canonicalJson({ at: new Date(0) })).not.toBe(canonicalJson({ at: new Date(1) }));
    const value = {
      list: [
        new URL('https://example.com/b'),
        { toJSON: (key: string) => ({ z: key, a: { toJSON: () => 'inner' } }) },
      ],
      member: { toJSON: (key: string) => `called for ${key}` },
    };
    // The key of the member or index, once; what it returns is sorted but not asked for toJSON again.
    expect(canonicalJson(value)).toBe(
      JSON.stringify({
        list: ['https://example.com/b', { a: 'inner', z: '1' }],
        member: 'called for member',
      }),
    );
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('sorts keys in code-unit order, not by locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, _: 4 })).toBe('{"B":2,"_":4,"a":3,"b":1}');
  });

  it('leaves its input as it was', () => {
    const input = { b: { d: 1, c: 2 }, a: [3] };
    sortKeys(input);
    expect(Object.keys(input)).toEqual(['b', 'a']);
    expect(Object.keys(input.b)).toEqual(['d', 'c']);
  });
});
