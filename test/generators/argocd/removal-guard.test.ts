/**
 * The mass-deletion guard with the real generators: synth the example, drop clusters from an in-memory
 * copy of the matrix, and synth again. Argo CD would delete the dropped Applications and Flux would
 * prune the dropped Kustomizations, so synth must refuse and leave generated/ as it was.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemovalGuardError } from '../../../src/output/errors.ts';
import { checkedMatrix, loadMatrix, type LoadedMatrix } from '../../../src/matrix/load.ts';
import type { ResolvedMatrix } from '../../../src/matrix/types.ts';
import { planSynth, synth } from '../../../src/output/synth.ts';
import { readTree } from '../../../src/output/tree.ts';
import { projectRoot } from '../../support/tools.ts';

const EU_WEST = 'prod/aws/eu-west-1';
const DC1 = 'prod/onprem/dc1';

let loaded: LoadedMatrix;
let outDir: string;

/**
 * The example without the clusters whose `env/cloud/region` is listed. The on-prem site is renamed to
 * dc2 rather than dropped (selectors name `cloud: onprem`, so the matrix stays valid): to Flux, a
 * renamed cluster folder is a removed one.
 */
function without(...dropped: string[]): ResolvedMatrix {
  const { definition, pins } = loaded;
  const clusters = definition.clusters.flatMap((c) => {
    if (!dropped.includes(`${c.env}/${c.cloud}/${c.region}`)) return [c];
    return c.cloud === 'onprem' ? [{ ...c, region: `${c.region}-renamed` }] : [];
  });
  expect(clusters.map((c) => `${c.env}/${c.cloud}/${c.region}`).filter((id) => dropped.includes(id))).toEqual(
    [],
  );
  return checkedMatrix({ ...definition, clusters }, pins).resolved;
}

/** What the guard lists for the dropped clusters: `target/app` of every app placed there, sorted. */
function deploymentsOf(...dropped: string[]): string[] {
  return loaded.resolved.targets
    .filter((t) => dropped.some((d) => t.id.startsWith(`${d}/`)))
    .flatMap((t) => t.apps.map((app) => `${t.id}/${app.name}`))
    .sort();
}

function message(kind: string, dropped: string[], threshold = 30): string {
  const removed = deploymentsOf(...dropped);
  const total = loaded.resolved.targets
    .filter((t) => t.env === 'prod')
    .reduce((n, t) => n + t.apps.length, 0);
  return (
    `Synth would remove more than ${threshold}% of an environment's deployments:\n` +
    `  prod: ${removed.length} ${kind} (${Math.round((removed.length / total) * 100)}%): ${removed.join(', ')}\n` +
    '    fix: check the matrix (a deleted cluster or placement?); if the removal is intended, run synth with --allow-removals.'
  );
}

async function refusal(run: Promise<unknown>): Promise<RemovalGuardError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RemovalGuardError);
  return error as RemovalGuardError;
}

beforeAll(async () => {
  loaded = await loadMatrix({ root: projectRoot });
  outDir = join(await mkdtemp(join(tmpdir(), 'envmatrix-guard-')), 'generated');
  await synth(loaded.resolved, { outDir });
});

afterAll(async () => {
  if (outDir) await rm(join(outDir, '..'), { recursive: true, force: true });
});

describe('removal guard over Argo CD Applications and Flux Kustomizations', () => {
  it('refuses to drop a prod Argo CD region and rename the Flux site, listing them, and writes nothing', async () => {
    const before = await readTree(outDir);
    const error = await refusal(synth(without(EU_WEST, DC1), { outDir }));
    expect(deploymentsOf(EU_WEST, DC1)).toHaveLength(7);
    expect(error.message).toBe(message('Argo CD Applications and Flux Kustomizations', [EU_WEST, DC1]));
    expect(await readTree(outDir)).toEqual(before);
  });

  it('names Applications or Kustomizations alone when only one engine loses them', async () => {
    const argo = await refusal(planSynth(without(EU_WEST), { outDir, removalThreshold: 0.1 }));
    expect(argo.message).toBe(message('Argo CD Applications', [EU_WEST], 10));
    const flux = await refusal(planSynth(without(DC1), { outDir, removalThreshold: 0.1 }));
    expect(flux.message).toBe(message('Flux Kustomizations', [DC1], 10));
  });

  it('lets a removal under the threshold through', async () => {
    const plan = await planSynth(without(DC1), { outDir });
    expect(plan.changes.removed.filter((p) => p.startsWith('flux/'))).toEqual([
      'flux/prod/onprem/dc1/main/apps/api-base.yaml',
      'flux/prod/onprem/dc1/main/apps/api-migrate.yaml',
      'flux/prod/onprem/dc1/main/apps/api.yaml',
      'flux/prod/onprem/dc1/main/apps/kustomization.yaml',
      'flux/prod/onprem/dc1/main/apps/report.yaml',
      'flux/prod/onprem/dc1/main/apps/web.yaml',
    ]);
  });

  it('proceeds with allowRemovals, and the dropped Applications and Kustomizations are gone', async () => {
    const result = await synth(without(EU_WEST, DC1), { outDir, allowRemovals: true });
    expect(result.written).toBe(true);
    const after = await readTree(outDir);
    const left = [...after.keys()].filter(
      (p) =>
        p.startsWith(`k8s/${EU_WEST}/`) || p.startsWith(`flux/${DC1}/`) || p.startsWith(`values/${EU_WEST}/`),
    );
    expect(left).toEqual([]);
    expect(after.get('argocd/prod/applicationset.yaml')).not.toContain('eu-west-1');
    expect(after.get('argocd/prod/project.yaml')).not.toContain('eu-west-1');
  });
});
