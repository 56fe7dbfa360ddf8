import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import { serialize, YAML_HEADER } from '../../src/generators/serialize.ts';

describe('serialize', () => {
  it('quotes strings a YAML 1.1 reader (Kubernetes, kustomize) would read as booleans, dates or numbers', () => {
    const data = {
      FEATURE: 'yes',
      LEGACY: 'off',
      SINCE: '2024-01-01',
      VERSION: '1.30',
      MODE: '0777',
      EMPTY: '',
      N: 'n',
    };
    const text = serialize({
      path: 'x.yaml',
      format: 'yaml',
      data: { apiVersion: 'v1', kind: 'ConfigMap', data },
    });
    expect(text).toBe(
      `${YAML_HEADER}apiVersion: v1\nkind: ConfigMap\ndata:\n  FEATURE: "yes"\n  LEGACY: "off"\n  SINCE: "2024-01-01"\n  VERSION: "1.30"\n  MODE: "0777"\n  EMPTY: ""\n  "N": "n"\n`,
    );
    expect((load(text) as { data: unknown }).data).toEqual(data);
  });

  it('writes several documents with separators, and JSON with sorted keys unless asked to keep order', () => {
    expect(serialize({ path: 'x.yaml', format: 'yaml', data: [{ a: 1 }, { b: [1, 2] }] })).toBe(
      `${YAML_HEADER}a: 1\n---\nb:\n  - 1\n  - 2\n`,
    );
    expect(serialize({ path: 'x.json', format: 'json', data: { b: 1, a: { d: 1, c: 2 } } })).toBe(
      '{\n  "a": {\n    "c": 2,\n    "d": 1\n  },\n  "b": 1\n}\n',
    );
    expect(serialize({ path: 'x.json', format: 'json', data: { b: 1, a: 2 }, keepKeyOrder: true })).toBe(
      '{\n  "b": 1,\n  "a": 2\n}\n',
    );
  });

  it('writes a shared object twice in full instead of as a YAML anchor and alias', () => {
    const shared = { name: 'x' };
    expect(serialize({ path: 'x.yaml', format: 'yaml', data: { a: shared, b: shared } })).toBe(
      `${YAML_HEADER}a:\n  name: x\nb:\n  name: x\n`,
    );
  });
});
