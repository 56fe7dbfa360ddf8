/**
 * The k8s generator: for each target and each app placed there, `generated/k8s/<env>/<cloud>/<region>/
 * <cluster>/<app>/` with one file per Kubernetes object and a kustomization.yaml listing them, composed
 * from the objects of every app-folder contributor (contributors.ts, written with cdk8s-plus-28). One
 * unit per app on a target (scope: the target, key: the app's folder), whose input is what that folder
 * depends on (see AppInput), so a change to one app re-renders its folders and those of the apps whose
 * NetworkPolicies name it, not the whole target.
 */
import { GeneratorError } from '../errors.ts';
import type { ResolvedMatrix } from '../../matrix/types.ts';
import { k8sAppDir } from '../paths.ts';
import type { Generator, GeneratorUnit, OutputFile } from '../types.ts';
import { appInputs } from './app-input.ts';
import { checkSharedNamespaces } from './checks.ts';
import type { AppFolderContributor } from '../app-folder.ts';
import type { K8sSettings } from './context.ts';
// Type-only, so erased: render.ts stays out of start-up imports.
import type * as Renderer from './render.ts';
import { repositoryName } from './labels.ts';
import { GENERATOR_NAME } from './generator-name.ts';
import { createFolderSharing, type SharingStats } from './shared-render.ts';

/** render.ts pulls in cdk8s and cdk8s-plus-28; loaded on the first render (see Generator.load). */
let renderer: typeof Renderer | undefined;

async function loadRenderer(): Promise<void> {
  renderer ??= await import('./render.ts');
}

function loadedRenderer(): typeof Renderer {
  if (!renderer)
    throw new Error('the k8s renderer is not loaded: await loadRenderers() (or use composeLazily) first');
  return renderer;
}

import cdk8sPackage from 'cdk8s/package.json' with { type: 'json' };
import cdk8sPlusPackage from 'cdk8s-plus-28/package.json' with { type: 'json' };

/** The ingress controller's namespace when none is configured. */
export const DEFAULT_INGRESS_NAMESPACE = 'ingress-nginx';
/** Where kube-prometheus-stack installs Prometheus by convention. */
export const DEFAULT_MONITORING_NAMESPACE = 'monitoring';

/**
 * Bump the leading number when the output for the same input changes. The cdk8s and cdk8s-plus-28
 * versions are part of it: a new cdk8s-plus may render the same constructs differently. 3: an app whose
 * only port is its metrics port lost its Service and got a PodMonitor, with the same values. 4: objects
 * holding `${` or `$$` carry Flux's `substitute: disabled` annotation. 5: an app with a migration rolls
 * out its workload after it (migration-order.ts): a later Argo CD sync wave, a Flux folder of its own.
 */
export const K8S_GENERATOR_VERSION = `5+cdk8s.${cdk8sPackage.version}+cdk8s-plus-28.${cdk8sPlusPackage.version}`;

export interface K8sGeneratorOptions {
  /** Namespace of the ingress controller, whose pods may reach apps with `expose: true`. @default the matrix's `ingress.namespace`, else 'ingress-nginx' */
  readonly ingressNamespace?: string;
  /** `app.kubernetes.io/part-of` of every app. @default the repository name of `matrix.repo.url` */
  readonly partOf?: string;
  /** Namespace of Prometheus, whose pods may scrape apps with `metrics`. @default the matrix's `monitoring.namespace`, else 'monitoring' */
  readonly monitoringNamespace?: string;
  /**
   * The contributors of every app folder. Their names are folded into the generator version, so the
   * render cache never serves a folder composed by another list.
   * @default K8S_CONTRIBUTORS (contributors.ts), loaded with the renderer
   */
  readonly contributors?: readonly AppFolderContributor[];
  /**
   * Render an app once for every target where its input is the same but for the target, and fill in
   * each target (shared-render.ts; the output is the same either way). @default true
   */
  readonly shareRenders?: boolean;
  /** Counts of shared and real renders, for the benchmark. @default not counted */
  readonly sharingStats?: SharingStats;
}

export function createK8sGenerator(options: K8sGeneratorOptions = {}): Generator {
  const { contributors } = options;
  return {
    name: GENERATOR_NAME,
    version:
      contributors === undefined
        ? K8S_GENERATOR_VERSION
        : `${K8S_GENERATOR_VERSION}+contributors.${contributors.map((c) => c.name).join('.')}`,
    load: loadRenderer,
    units: (matrix: ResolvedMatrix): GeneratorUnit[] => {
      const settings: K8sSettings = {
        ingressNamespace: options.ingressNamespace ?? matrix.ingress?.namespace ?? DEFAULT_INGRESS_NAMESPACE,
        partOf: options.partOf ?? repositoryName(matrix.repo.url),
        monitoringNamespace:
          options.monitoringNamespace ?? matrix.monitoring?.namespace ?? DEFAULT_MONITORING_NAMESPACE,
        ...(matrix.monitoring?.labels &&
          Object.keys(matrix.monitoring.labels).length > 0 && { monitoringLabels: matrix.monitoring.labels }),
      };
      // One per call: the units of one synth share renders with each other, never with another matrix.
      const sharing = options.shareRenders === false ? undefined : createFolderSharing(options.sharingStats);
      return matrix.targets.flatMap((target) => {
        const environment = matrix.environments.find((env) => env.name === target.env);
        if (!environment) {
          throw new GeneratorError(
            GENERATOR_NAME,
            target.id,
            undefined,
            `environment "${target.env}" is not in the resolved matrix`,
            'load the matrix with loadMatrix or checkedMatrix, which resolve every environment a cluster names',
          );
        }
        const provenance = matrix.provenance.get(target.id);
        return appInputs(target, environment.policy, settings).map((input) => ({
          scope: target.id,
          key: k8sAppDir(target, input.app.name),
          input,
          render: (): OutputFile[] => {
            const render = (of: typeof input) =>
              loadedRenderer().renderApp(of, provenance?.get(input.app.name), contributors);
            return sharing ? sharing(input, render) : render(input);
          },
        }));
      });
    },
    checkFiles: checkSharedNamespaces,
  };
}

/** The k8s generator with default settings, as registered in src/generators/index.ts. */
export const k8sGenerator: Generator = createK8sGenerator();
