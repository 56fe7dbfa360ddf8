/**
 * `generated/values/<env>/<cloud>/<region>/<cluster>.json`: the resolved values of every app on a
 * target. The shared input of the other generators, and what a reviewer reads to see what a cluster
 * really gets.
 */
import type { ResolvedMatrix, ResolvedTarget } from '../matrix/types.ts';
import type { Generator, OutputFile } from './types.ts';

export function targetValues(target: ResolvedTarget): unknown {
  return {
    target: {
      id: target.id,
      env: target.env,
      cloud: target.cloud,
      region: target.region,
      cluster: target.cluster,
      zones: target.zones,
      kubernetesVersion: target.kubernetesVersion,
      engine: target.engine,
      wave: target.wave,
      jurisdiction: target.jurisdiction,
      labels: target.labels,
    },
    apps: Object.fromEntries(
      target.apps.map((app) => [
        app.name,
        {
          namespace: app.namespace,
          ports: app.ports,
          dependsOn: app.dependsOn,
          secrets: app.secrets,
          ...app.values,
          image: { ...app.values.image, reference: app.imageRef },
          // The image the migration Job runs, when it is one of the app's own (tag, and digest from the pin).
          ...(app.values.migrate &&
            app.migrateImageRef !== undefined && {
              migrate: { ...app.values.migrate, reference: app.migrateImageRef },
            }),
        },
      ]),
    ),
  };
}

export const valuesGenerator: Generator = {
  name: 'values',
  version: '1',
  units: (matrix: ResolvedMatrix) =>
    matrix.targets.map((target) => {
      const data = targetValues(target);
      return {
        scope: target.id,
        input: data,
        render: (): OutputFile[] => [{ path: `values/${target.id}.json`, format: 'json', data }],
      };
    }),
};
