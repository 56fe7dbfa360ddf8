/**
 * `generated/flux/<env>/<cloud>/<region>/<cluster>/`: per Flux cluster, what `flux bootstrap --path`
 * points at. envmatrix writes only `apps/` there (a kustomization.yaml and one Kustomization per app);
 * bootstrap adds `flux-system/`. The folder itself gets no kustomization.yaml, so the kustomize-
 * controller generates one that takes in both subfolders: a kustomization.yaml of ours could not list
 * `flux-system/`, which does not exist until bootstrap, and leaving it out would stop Flux from
 * managing itself. Argo CD clusters never appear here (a cluster has exactly one engine).
 */
import type { ResolvedMatrix } from '../../matrix/types.ts';
import { fluxClusterDir } from '../paths.ts';
import type { Generator, GeneratorUnit, OutputFile } from '../types.ts';
import { fluxTargetInput } from './input.ts';
import { baseKustomizationName, migrationKustomizationName } from '../../matrix/delivery-validation.ts';
import {
  appKustomization,
  appsKustomization,
  baseKustomization,
  migrationKustomization,
} from './kustomization.ts';

export const FLUX_GENERATOR = 'flux';

/** The subfolder of a Flux cluster folder that envmatrix writes. */
export const FLUX_APPS_DIR = 'apps';

export const fluxGenerator: Generator = {
  name: FLUX_GENERATOR,
  version: '2',
  units: (matrix: ResolvedMatrix): GeneratorUnit[] =>
    matrix.targets.flatMap((target) => {
      const env = matrix.environments.find((e) => e.name === target.env);
      if (target.engine !== 'flux' || !env) return [];
      const input = fluxTargetInput(target, env);
      const dir = `${fluxClusterDir(target)}/${FLUX_APPS_DIR}`;
      return [
        {
          scope: target.id,
          input,
          render: (): OutputFile[] => [
            { path: `${dir}/kustomization.yaml`, format: 'yaml', data: appsKustomization(input) },
            ...input.apps.flatMap((app): OutputFile[] => [
              {
                path: `${dir}/${app.name}.yaml`,
                format: 'yaml',
                data: appKustomization(input, app),
                app: app.name,
              },
              ...(app.migration
                ? [
                    [baseKustomizationName(app), baseKustomization(input, app)] as const,
                    [migrationKustomizationName(app), migrationKustomization(input, app)] as const,
                  ].map(([name, data]): OutputFile => ({
                    path: `${dir}/${name}.yaml`,
                    format: 'yaml',
                    data,
                    app: app.name,
                  }))
                : []),
            ]),
          ],
        },
      ];
    }),
};
