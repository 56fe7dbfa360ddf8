/**
 * Secrets never appear in generated output: a fresh synth of the example matrix with every generator,
 * scanned file by file for secret-looking values; the scanner checked against samples first, so a
 * green scan means something.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generators } from '../../../src/generators/index.ts';
import { MatrixError } from '../../../src/matrix/errors.ts';
import { checkedMatrix, loadMatrix } from '../../../src/matrix/load.ts';
import type { SecretRef } from '../../../src/matrix/types.ts';
import { synth } from '../../../src/output/synth.ts';
import { readTree } from '../../../src/output/tree.ts';
import { projectRoot } from '../../support/tools.ts';
import { renderValid, threeEnvMatrix, threeEnvPins, withApp } from './helpers.ts';
import { scanText, SECRET_PATTERNS } from './secret-scan.ts';

describe('the secret scanner', () => {
  const samples: Record<string, string> = {
    'private key': 'key: |\n  -----BEGIN OPENSSH PRIVATE KEY-----\n  b3BlbnNzaC1rZXktdjEAAAAA\n',
    'AWS access key id': 'AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE',
    'AWS secret access key': '"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
    'JSON Web Token':
      'token-ish: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'GitHub token': `GH: ghp_${'a1B2'.repeat(9)}`,
    'Slack token': 'hook: xoxb-123456789012-abcdefghij',
    'URL with a password': 'DATABASE_URL: postgres://app:hunter2@db.internal:5432/app',
    'credential assignment': 'password: hunter2',
    'Kubernetes Secret object': 'apiVersion: v1\nkind: Secret\nstringData:\n  a: b\n',
  };

  it.each(Object.entries(samples))('finds a %s', (what, text) => {
    expect(scanText('sample.yaml', text).map((f) => f.what)).toContain(what);
  });

  it('has a sample for every pattern', () => {
    expect(Object.keys(samples).sort()).toEqual(SECRET_PATTERNS.map((p) => p.what).sort());
  });

  it('reports the line and only a short excerpt', () => {
    expect(scanText('a.yaml', 'x: 1\npassword: hunter2-and-more-secret\n')).toEqual([
      { file: 'a.yaml', line: 2, what: 'credential assignment', excerpt: 'password: hu…' },
    ]);
  });

  it('passes what envmatrix writes about secrets: references, digests, hashes, store keys', () => {
    const files = renderValid(threeEnvMatrix(), threeEnvPins());
    const api = [...files.values()]
      .filter((f) => f.path.includes('/api/'))
      .map((f) => f.content)
      .join('\n');
    expect(api).toContain('property: password');
    expect(api).toContain('sha256:');
    expect(scanText('api', api)).toEqual([]);
  });
});

describe('generated/ of the example', () => {
  let outDir: string;
  let tree: Map<string, string>;

  beforeAll(async () => {
    const { resolved } = await loadMatrix({ root: projectRoot });
    outDir = await mkdtemp(join(tmpdir(), 'envmatrix-secrets-'));
    await synth(resolved, { outDir: join(outDir, 'generated'), generators });
    tree = await readTree(join(outDir, 'generated'));
  });

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('holds no secret-looking value in any file of any generator', () => {
    expect(tree.size).toBeGreaterThan(60);
    expect(
      [...tree].some(([p, content]) => p.startsWith('k8s/') && content.includes('\nkind: ExternalSecret\n')),
    ).toBe(true);
    expect([...tree].flatMap(([path, content]) => scanText(path, content))).toEqual([]);
  });
});

describe('secret values in the matrix', () => {
  it('cannot be written in a secret reference', () => {
    const withValue = { name: 'db', store: 'vault', key: 'api/db', value: 'hunter2' } as SecretRef;
    try {
      checkedMatrix(threeEnvMatrix({ apps: withApp('api', { secrets: [withValue] }) }), threeEnvPins());
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MatrixError);
      expect((error as MatrixError).issues.map((i) => `[${i.path}] ${i.message} | ${i.fix}`)).toEqual([
        '[apps.api.secrets[0]] secret reference has field(s) value | a secret is a reference {name, store, key, property?}; put the value in the secret store, never in the matrix',
      ]);
    }
  });
});
