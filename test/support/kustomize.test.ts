import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kubectlAvailable, kustomizeBuild, parseYamlDocuments } from './kustomize.ts';

const kubectl = kubectlAvailable();

describe.skipIf(!kubectl.available)('kustomizeBuild (kubectl kustomize)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function project(files: Record<string, string>): string {
    dir = mkdtempSync(join(tmpdir(), 'envmatrix-kustomize-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }

  const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  LOG_LEVEL: info\n';

  it('builds a directory and applies its transformations', async () => {
    const result = await kustomizeBuild(
      project({
        'kustomization.yaml':
          'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: api\nresources:\n  - configmap.yaml\n',
        'configmap.yaml': configMap,
      }),
    );
    expect(result).toMatchObject({ ok: true, exitCode: 0 });
    expect(parseYamlDocuments(result.stdout)).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'web', namespace: 'api' },
        data: { LOG_LEVEL: 'info' },
      },
    ]);
  });

  it('fails with kustomize’s message when a resource is missing', async () => {
    const result = await kustomizeBuild(
      project({
        'kustomization.yaml': 'resources:\n  - configmap.yaml\n  - missing.yaml\n',
        'configmap.yaml': configMap,
      }),
    );
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("accumulating resources from 'missing.yaml'");
  });

  it('rejects an unknown field in kustomization.yaml', async () => {
    const result = await kustomizeBuild(
      project({
        'kustomization.yaml': 'resources:\n  - configmap.yaml\nnamePrefx: x-\n',
        'configmap.yaml': configMap,
      }),
    );
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain('invalid Kustomization: json: unknown field \\"namePrefx\\"');
  });

  it('fails for a directory without a kustomization', async () => {
    const result = await kustomizeBuild(project({ 'configmap.yaml': configMap }));
    expect(result.ok).toBe(false);
    expect(result.stderr).toContain('unable to find one of');
  });
});

describe('parseYamlDocuments', () => {
  it('skips empty documents and throws on invalid YAML', () => {
    expect(parseYamlDocuments('a: 1\n---\n---\nb: 2\n')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(() => parseYamlDocuments('a: [1\n')).toThrow(/^invalid YAML: /);
  });
});
