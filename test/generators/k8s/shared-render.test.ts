/**
 * Shared renders (src/generators/k8s/shared-render.ts) change how fast app folders render, never what
 * they hold: every fleet here renders with sharing and without, and the files must be byte for byte the
 * same. The counts prove sharing happened where it can and stood aside where it cannot.
 */
import { describe, expect, it } from 'vitest';
import { aws, gcp } from '../../../src/matrix/index.ts';
import type { AppFolderContributor, KubeObject } from '../../../src/generators/app-folder.ts';
import { composeLazily } from '../../../src/generators/index.ts';
import { K8S_CONTRIBUTORS } from '../../../src/generators/k8s/contributors.ts';
import { createK8sGenerator } from '../../../src/generators/k8s/index.ts';
import { labelValue } from '../../../src/generators/k8s/labels.ts';
import type { SharingStats } from '../../../src/generators/k8s/shared-render.ts';
import { checkedMatrix, loadMatrix } from '../../../src/matrix/load.ts';
import type { ResolvedMatrix } from '../../../src/matrix/types.ts';
import { syntheticMatrix, syntheticPins } from '../../../bench/synthetic-matrix.ts';
import { projectRoot } from '../../support/tools.ts';
import { threeEnvMatrix, threeEnvPins } from './helpers.ts';

/** path → bytes of the k8s files, rendered with and without sharing, and what sharing did. */
async function bothWays(
  matrix: ResolvedMatrix,
  contributors?: readonly AppFolderContributor[],
): Promise<{ shared: Map<string, string>; alone: Map<string, string>; stats: SharingStats }> {
  const stats: SharingStats = { rendered: 0, shared: 0, filledText: 0, filledObjects: 0 };
  const render = async (shareRenders: boolean) =>
    new Map(
      [
        ...(await composeLazily(matrix, {
          generators: [
            createK8sGenerator({
              shareRenders,
              ...(shareRenders && { sharingStats: stats }),
              ...(contributors && { contributors }),
            }),
          ],
        })),
      ].map(([path, file]) => [path, file.content]),
    );
  return { shared: await render(true), alone: await render(false), stats };
}

const instances = (matrix: ResolvedMatrix) => matrix.targets.reduce((n, target) => n + target.apps.length, 0);

/** A contributor with one ConfigMap per app, whose label `where` (and, optionally, name) `build` makes. */
function probe(
  build: (instance: Parameters<AppFolderContributor['objects']>[0]) => {
    label: string;
    name?: string;
  },
): AppFolderContributor {
  return {
    name: 'probe',
    objects: (instance): KubeObject[] => {
      const { label, name } = build(instance);
      return [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: name ?? `${instance.app.name}-probe`,
            namespace: instance.app.namespace,
            labels: { where: label },
          },
        },
      ];
    },
  };
}

describe('shared renders', () => {
  it('give the example the same bytes, sharing prod between its two regions', async () => {
    const { resolved } = await loadMatrix({ root: projectRoot });
    const { shared, alone, stats } = await bothWays(resolved);
    expect(shared).toEqual(alone);
    expect(stats.filledText).toBeGreaterThan(0);
    expect(stats.filledText + stats.filledObjects + stats.rendered).toBe(instances(resolved));
    // Fewer renders than app instances: the prod regions share.
    expect(stats.shared).toBeLessThan(instances(resolved));
  });

  it('give a synthetic fleet on four clouds the same bytes with one render per app and environment', async () => {
    const size = { environments: 3, clustersPerEnvironment: 14, apps: 12 };
    const { resolved } = checkedMatrix(syntheticMatrix(size), syntheticPins(size));
    const { shared, alone, stats } = await bothWays(resolved);
    expect(shared).toEqual(alone);
    // 14 clusters per environment on aws, gcp, azure and on-prem, one render for all of them.
    expect(stats).toEqual({ rendered: 0, shared: 3 * 12, filledText: instances(resolved), filledObjects: 0 });
  });

  it('truncate instance labels from the real coordinates', async () => {
    const cluster = 'a-cluster-name-long-enough-to-push-instance-labels-past';
    const matrix = threeEnvMatrix({
      clusters: [
        aws('dev', 'us-east-1'),
        gcp('staging', 'europe-west1'),
        aws('prod', 'eu-west-1', { name: cluster }),
        aws('prod', 'us-east-1', { name: cluster }),
      ],
    });
    const { resolved } = checkedMatrix(matrix, threeEnvPins());
    const { shared, alone, stats } = await bothWays(resolved);
    expect(shared).toEqual(alone);
    expect(stats.filledText).toBe(instances(resolved));
    const manifest = shared.get(`k8s/prod/aws/eu-west-1/${cluster}/api/manifest.yaml`)!;
    const instance = `api-prod-aws-eu-west-1-${cluster}`.slice(0, 63);
    expect(manifest).toContain(`app.kubernetes.io/instance: ${instance}\n`);
  });

  it('write a coordinate that YAML would read as a number quoted, by filling in objects instead of text', async () => {
    const matrix = threeEnvMatrix({
      clusters: [
        aws('dev', 'us-east-1'),
        gcp('staging', 'europe-west1'),
        aws('prod', 'eu-west-1', { name: '1e3' }),
        aws('prod', 'us-east-1', { name: 'blue' }),
      ],
    });
    const { resolved } = checkedMatrix(matrix, threeEnvPins());
    const { shared, alone, stats } = await bothWays(resolved);
    expect(shared).toEqual(alone);
    expect(shared.get('k8s/prod/aws/eu-west-1/1e3/api/manifest.yaml')).toContain(
      'envmatrix.io/cluster: "1e3"\n',
    );
    expect(stats.filledObjects).toBeGreaterThan(0);
  });

  it('render per cloud for a contributor that acts on the cloud', async () => {
    const size = { environments: 1, clustersPerEnvironment: 14, apps: 3 };
    const { resolved } = checkedMatrix(syntheticMatrix(size), syntheticPins(size));
    const contributors = [
      ...K8S_CONTRIBUTORS,
      probe(({ target }) => ({ label: target.cloud === 'aws' ? 'elastic' : 'other' })),
    ];
    const { shared, alone, stats } = await bothWays(resolved, contributors);
    expect(shared).toEqual(alone);
    expect(shared.get('k8s/dev/aws/us-east-1/c0/app-000/manifest.yaml')).toContain('where: elastic\n');
    expect(shared.get('k8s/dev/gcp/us-central1/c0/app-000/manifest.yaml')).toContain('where: other\n');
    // Four clouds, three apps: a render per app and cloud.
    expect(stats).toEqual({ rendered: 0, shared: 4 * 3, filledText: instances(resolved), filledObjects: 0 });
  });

  it('stand aside for a contributor that builds a truncated name from region and cluster', async () => {
    const { resolved } = checkedMatrix(threeEnvMatrix(), threeEnvPins());
    const contributors = [
      ...K8S_CONTRIBUTORS,
      probe(({ app, target }) => ({
        label: labelValue(
          `${app.name}-${target.region}-${target.cluster}-${target.region}-${target.cluster}`,
        ),
      })),
    ];
    const { shared, alone, stats } = await bothWays(resolved, contributors);
    expect(shared).toEqual(alone);
    expect(stats.filledText + stats.filledObjects).toBe(0);
    expect(stats.rendered).toBe(instances(resolved));
  });

  it('stand aside for a contributor that cuts a name short by itself, leaving a token fragment', async () => {
    const { resolved } = checkedMatrix(threeEnvMatrix(), threeEnvPins());
    // Not through labelValue: a plain slice, which leaves 2–5 characters of the cluster's token.
    const contributors = [
      ...K8S_CONTRIBUTORS,
      probe(({ app, target }) => ({ label: `${app.name}-${target.region}-${target.cluster}`.slice(0, 29) })),
    ];
    const { shared, alone, stats } = await bothWays(resolved, contributors);
    expect(shared).toEqual(alone);
    expect(stats.filledText + stats.filledObjects).toBe(0);
  });

  it('stand aside for a contributor that names an object after the region (documents are sorted by name)', async () => {
    const { resolved } = checkedMatrix(threeEnvMatrix(), threeEnvPins());
    const contributors = [
      ...K8S_CONTRIBUTORS,
      probe(({ app, target }) => ({ label: 'here', name: `${app.name}-${target.region}` })),
    ];
    const { shared, alone, stats } = await bothWays(resolved, contributors);
    expect(shared).toEqual(alone);
    expect(stats.filledText + stats.filledObjects).toBe(0);
  });
});
