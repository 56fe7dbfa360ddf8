/**
 * `generated/argocd/<env>/`: per environment with Argo CD clusters, the AppProjects, the ApplicationSet
 * that makes one Application per (cluster, app), the bootstrap Application and a kustomization.yaml.
 * Flux clusters never appear here (a cluster has exactly one engine).
 *
 * The files carry no `app`: the Applications they describe are counted by the removal guard through
 * the per-app files under `k8s/<target>/<app>/`, one per Application.
 */
import type { ResolvedMatrix } from '../../matrix/types.ts';
import { argocdEnvDir } from '../paths.ts';
import type { Generator, GeneratorUnit, OutputFile } from '../types.ts';
import { applicationSet } from './application-set.ts';
import { bootstrapApplication, ENV_FILES, envKustomization } from './bootstrap.ts';
import { argoEnvironmentInput } from './input.ts';
import { appsProject, bootstrapProject } from './projects.ts';

export const ARGOCD_GENERATOR = 'argocd';

export const argocdGenerator: Generator = {
  name: ARGOCD_GENERATOR,
  version: '1',
  units: (matrix: ResolvedMatrix): GeneratorUnit[] =>
    matrix.environments.flatMap((env) => {
      const input = argoEnvironmentInput(matrix, env);
      if (!input) return [];
      const dir = argocdEnvDir(env.name);
      return [
        {
          scope: env.name,
          input,
          render: (): OutputFile[] => [
            { path: `${dir}/kustomization.yaml`, format: 'yaml', data: envKustomization() },
            { path: `${dir}/${ENV_FILES.bootstrapProject}`, format: 'yaml', data: bootstrapProject(input) },
            { path: `${dir}/${ENV_FILES.appsProject}`, format: 'yaml', data: appsProject(input) },
            { path: `${dir}/${ENV_FILES.applicationSet}`, format: 'yaml', data: applicationSet(input) },
            { path: `${dir}/${ENV_FILES.bootstrap}`, format: 'yaml', data: bootstrapApplication(input) },
          ],
        },
      ];
    }),
};
