/**
 * `envmatrix diff` over app folders that keep every object in one manifest.yaml: a change is reported
 * per object (one diff per changed document), not as one diff of the whole manifest.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { k8sGenerator } from '../../src/generators/k8s/index.ts';
import { checkedMatrix } from '../../src/matrix/load.ts';
import { diffFile, diffPlan } from '../../src/output/diff.ts';
import { parseIndex } from '../../src/output/index-file.ts';
import { planSynth, synth } from '../../src/output/synth.ts';
import { threeEnvMatrix, threeEnvPins, withApp } from '../generators/k8s/helpers.ts';

const generators = [k8sGenerator];
const DEV_WORKER = 'k8s/dev/aws/us-east-1/main/worker/manifest.yaml';

describe('diff of a multi-document manifest', () => {
  let outDir: string;

  beforeAll(async () => {
    outDir = join(await mkdtemp(join(tmpdir(), 'envmatrix-diff-')), 'generated');
    await synth(checkedMatrix(threeEnvMatrix(), threeEnvPins()).resolved, { outDir, generators });
  });

  afterAll(async () => {
    await rm(join(outDir, '..'), { recursive: true, force: true });
  });

  async function diffsFor(matrix = threeEnvMatrix(), pins = threeEnvPins()) {
    const plan = await planSynth(checkedMatrix(matrix, pins).resolved, { outDir, generators });
    return diffPlan(plan, parseIndex(plan.current.get('index.json')));
  }

  it('reports a pin bump per changed object, each diff naming its object', async () => {
    const diffs = await diffsFor(
      threeEnvMatrix(),
      threeEnvPins({ dev: { api: { tag: '1.6.0' }, web: { tag: '2.2.0' }, worker: { tag: '0.9.1' } } }),
    );
    const worker = diffs.filter((d) => d.path === DEV_WORKER);
    // The version label is on every object of the app; the image only on the Deployment.
    expect(worker.map((d) => [d.object, d.kind])).toEqual([
      ['ConfigMap worker/worker-config', 'changed'],
      ['Deployment worker/worker', 'changed'],
      ['NetworkPolicy worker/worker', 'changed'],
      ['Service worker/worker', 'changed'],
      ['ServiceAccount worker/worker', 'changed'],
    ]);
    const deployment = worker.find((d) => d.object === 'Deployment worker/worker')!;
    expect(deployment.patch).toContain(`--- a/generated/${DEV_WORKER}\tDeployment worker/worker\n`);
    expect(deployment.patch).toContain('-          image: ghcr.io/acme/worker:0.9.0\n');
    expect(deployment.patch).toContain('+          image: ghcr.io/acme/worker:0.9.1\n');
    expect(deployment.patch).not.toContain('kind: Service\n');
    expect(worker.find((d) => d.object === 'ConfigMap worker/worker-config')!.additions).toBe(1);
  });

  it('reports an object that appears as added, the rest of its manifest untouched', async () => {
    const apps = withApp('worker', {
      secrets: [{ name: 'worker-db', store: 'vault', key: 'worker/db' }],
    });
    const diffs = await diffsFor(threeEnvMatrix({ apps }), threeEnvPins());
    const added = diffs.filter((d) => d.path === DEV_WORKER && d.kind === 'added');
    expect(added.map((d) => d.object)).toEqual(['ExternalSecret worker/worker-db']);
    expect(added[0]!.patch).toContain('--- /dev/null\tExternalSecret worker/worker-db\n');
    expect(added[0]!.deletions).toBe(0);
  });

  it('splits a manifest that drops to one object, and keeps a single-object file whole', () => {
    const doc = (kind: string) => `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: api\n  namespace: api\n`;
    const path = 'k8s/prod/aws/us-east-1/main/api/manifest.yaml';
    const dropped = diffFile(
      path,
      'changed',
      `# header\n${doc('ServiceAccount')}---\n${doc('Service')}`,
      `# header\n${doc('ServiceAccount')}`,
    );
    expect(dropped.map((d) => [d.object, d.kind, d.additions, d.deletions])).toEqual([
      ['Service api/api', 'removed', 0, 5],
    ]);
    const single = diffFile(
      path,
      'changed',
      `# header\n${doc('Service')}`,
      `# new header\n${doc('Service')}`,
    );
    expect(single.map((d) => [d.object, d.kind, d.additions, d.deletions])).toEqual([
      [undefined, 'changed', 1, 1],
    ]);
  });
});
