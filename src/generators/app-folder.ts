/**
 * App folders are composed, not owned: `generated/k8s/<target>/<app>/` holds the objects that every
 * registered contributor renders for that app instance (the k8s generator's workload, Service,
 * autoscaler… and whatever kind comes next) as the documents of one `manifest.yaml`, plus a
 * kustomization.yaml listing it. One file per app, not one per object: writing ~10 small files per app
 * instance was most of a cold synth's time, and every file is one more for the repo-server and
 * source-controller to clone (issue 17); rendered-manifests tools (Kargo, Holos) use one file per component.
 *
 * A contributor is one small function: resolved app instance in, plain Kubernetes objects out. How it
 * builds them is its own business (the k8s generator's contributors use cdk8s; see k8s/chart.ts), so
 * this module imports no construct library. Composition checks what no contributor sees alone: two
 * contributors rendering the same object, an object outside the app's namespace.
 */
import { compareStrings } from '../core/compare.ts';
import { EnvmatrixError } from '../core/errors.ts';
import type {
  Engine,
  ProvenanceStep,
  ResolvedApp,
  ResolvedDestination,
  ResolvedPolicy,
  ResolvedTarget,
} from '../matrix/types.ts';
import { GeneratorError } from './errors.ts';
import { afterMigration, runsAfterMigration, WORKLOAD_FOLDER } from './migration-order.ts';
import { withLiteralDollars } from './flux/substitute-opt-out.ts';
import { MANIFEST_FILE, kustomizationFile } from './k8s/kustomization.ts';
import { k8sAppDir } from './paths.ts';
import type { OutputFile } from './types.ts';

/** Settings of the app folders that are the same for every target. */
export interface K8sSettings {
  /** Namespace of the ingress controller, allowed to reach apps with `expose: true`. */
  readonly ingressNamespace: string;
  /** `app.kubernetes.io/part-of` of every app. */
  readonly partOf: string;
  /** Namespace of Prometheus, allowed to reach the metrics port of apps with `metrics`. */
  readonly monitoringNamespace: string;
  /**
   * Labels on the monitors and rules, that Prometheus selects them by (matrix `monitoring.labels`).
   * Absent when there are none, so that a matrix without them hashes as before.
   */
  readonly monitoringLabels?: Readonly<Record<string, string>>;
}

/** Where the app runs: the target's id (its folder) and the coordinates its labels carry. */
export type TargetCoordinates = Pick<ResolvedTarget, 'id' | 'env' | 'cloud' | 'region' | 'cluster'>;

/** The fields of the environment's policy that manifests depend on (spread constraints, PDBs). */
export type K8sPolicy = Pick<ResolvedPolicy, 'minZones' | 'podDisruptionBudget'>;

/** Another app of the target, as a NetworkPolicy peer: its pods are selected by name and namespace. */
export interface PeerApp {
  readonly name: string;
  readonly namespace: string;
}

/** An app this one depends on: a peer, and the ports it may be reached on. */
export interface DependencyApp extends PeerApp {
  /** The port numbers the dependency `serves`, in the order it lists them. */
  readonly ports: readonly number[];
}

/**
 * Everything one app on one target renders from: the unit input of the k8s generator, hashed into the
 * render cache key. It holds the whole resolved app, so a contributor reading a new model field needs no
 * change here; anything a contributor reads must be in it, or the cache serves stale folders.
 */
export interface AppInput {
  readonly target: TargetCoordinates;
  readonly app: ResolvedApp;
  readonly policy: K8sPolicy;
  readonly settings: K8sSettings;
  /** The app is the first (by name) of its namespace on the target, and renders the Namespace. */
  readonly ownsNamespace: boolean;
  /** Apps of the target this app depends on, sorted by name: its NetworkPolicy may reach them. */
  readonly dependencies: readonly DependencyApp[];
  /** Apps of the target that depend on this app, sorted by name: its NetworkPolicy admits them. */
  readonly dependents: readonly PeerApp[];
  /**
   * The external destinations the app names in `egress.external`, as the target defines them, in the
   * app's order. Only those, so redefining a destination re-renders only the apps that use it.
   */
  readonly destinations: readonly Omit<ResolvedDestination, 'source' | 'layer'>[];
  /** The target's Gateway, for an app exposed by a route (`expose: { paths, port }`); else absent. */
  readonly gateway?: ResolvedTarget['gateway'];
  /**
   * The target's delivery engine, for an app with a migration (an Argo CD hook, or a folder of its own
   * for a Flux Kustomization); else absent, so other apps' inputs do not change with it.
   */
  readonly engine?: Engine;
}

/**
 * Traffic into the app's pods that a contributor's object needs (a Prometheus scraping the port a
 * ServiceMonitor names, the ingress controller reaching an exposed Service). The network-policy
 * contributor opens each one, so no other contributor needs to know NetworkPolicies exist.
 */
export interface IngressAllowance {
  /** The namespace the traffic comes from. */
  readonly namespace: string;
  /** Only pods with these labels in that namespace. @default every pod of the namespace */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** TCP ports of the app's pods it may reach; an empty list opens nothing. */
  readonly ports: readonly number[];
}

/** What a contributor sees: the unit input, the provenance of the app's values and the ingress asked for. */
export interface AppInstance extends AppInput {
  /**
   * Value path → the layers that set it, lowest first (ResolvedMatrix.provenance). For error messages
   * only: it is not part of the cache key, so output must not depend on it.
   */
  readonly provenance: ReadonlyMap<string, readonly ProvenanceStep[]>;
  /** Every contributor's `ingress`, in contributor order. */
  readonly ingress: readonly IngressAllowance[];
}

/** A Kubernetes object as plain data: what a folder file holds. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/**
 * One concern's share of an app folder. Register it in the k8s generator's list (k8s/contributors.ts);
 * its objects then land in every app instance's folder and kustomization.
 */
export interface AppFolderContributor {
  /** Short, unique among contributors: clash errors name it. */
  readonly name: string;
  /** The objects for this app instance, each in `instance.app.namespace` unless cluster-scoped. */
  readonly objects: (instance: AppInstance) => readonly KubeObject[];
  /** Traffic its objects need into the app's pods. @default none */
  readonly ingress?: (instance: Omit<AppInstance, 'ingress'>) => readonly IngressAllowance[];
  /**
   * A subfolder of the app folder for its objects, with a kustomization.yaml of its own, which the app
   * folder's does not list (a Flux Kustomization applies it separately). @default the app folder itself
   */
  readonly folder?: (instance: Omit<AppInstance, 'ingress'>) => string | undefined;
}

/**
 * Kinds whose objects have no namespace. An app folder may hold these (the Namespace its first app
 * renders); every other object must sit in the app's namespace.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'ClusterRole',
  'ClusterRoleBinding',
  'ClusterSecretStore',
  'CustomResourceDefinition',
  'Namespace',
  'PriorityClass',
  'StorageClass',
]);

const FIX_UNEXPECTED =
  'check the values of this app (definition and overrides); `envmatrix validate` lists every problem the matrix rules know about';

/** One contributor's objects. */
interface Contribution {
  readonly contributor: string;
  readonly objects: readonly KubeObject[];
  /** See AppFolderContributor.folder. */
  readonly folder?: string;
}

/**
 * The app instance's folder: every contributor's objects, checked against each other, as the documents
 * of one manifest.yaml in MANIFEST_KIND_ORDER, and the kustomization.yaml listing it; sorted by path. `generator` names the generator in errors.
 */
export function composeAppFolder(
  generator: string,
  input: Omit<AppInstance, 'ingress'>,
  contributors: readonly AppFolderContributor[],
): OutputFile[] {
  const where = { generator, target: input.target.id, app: input.app.name };
  const ingress = contributors.flatMap((c) => guarded(where, () => c.ingress?.(input) ?? []));
  const instance: AppInstance = { ...input, ingress };
  const contributions = contributors.map((contributor): Contribution => {
    const folder = contributor.folder?.(input);
    return {
      contributor: contributor.name,
      objects: guarded(where, () => contributor.objects(instance)),
      ...(folder !== undefined && { folder }),
    };
  });
  checkContributions(where, input.app.namespace, contributions);
  return folderFiles(input, contributions).sort((a, b) => compareStrings(a.path, b.path));
}

interface Where {
  readonly generator: string;
  readonly target: string;
  readonly app: string;
}

/** Run `build`, turning a library's failure (cdk8s-plus rejecting a value) into a GeneratorError. */
function guarded<T>(where: Where, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof EnvmatrixError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new GeneratorError(where.generator, where.target, where.app, message, FIX_UNEXPECTED);
  }
}

/** `Service api/web-preview`: kind, namespace and name, what the API server keys objects by. */
function identityOf(object: KubeObject): string {
  const { name, namespace } = object.metadata;
  return `${object.kind} ${namespace !== undefined ? `${namespace}/` : ''}${name}`;
}

/** Throws on an object outside the app's namespace, and on two objects that are one Kubernetes object. */
function checkContributions(where: Where, namespace: string, contributions: readonly Contribution[]): void {
  const fail = (problem: string, fix: string): never => {
    throw new GeneratorError(where.generator, where.target, where.app, problem, fix);
  };
  const owners = new Map<string, string>();
  for (const { contributor, objects } of contributions) {
    for (const object of objects) {
      const identity = identityOf(object);
      const actual = object.metadata.namespace;
      if (actual === undefined && !CLUSTER_SCOPED_KINDS.has(object.kind)) {
        fail(
          `${identity} from contributor "${contributor}" has no metadata.namespace`,
          `set metadata.namespace to "${namespace}" (instance.app.namespace); only cluster-scoped kinds (${[...CLUSTER_SCOPED_KINDS].join(', ')}) go without one`,
        );
      }
      if (actual !== undefined && actual !== namespace) {
        fail(
          `${identity} from contributor "${contributor}" is outside the app's namespace "${namespace}"`,
          `render it in metadata.namespace "${namespace}" (instance.app.namespace): an app folder holds the objects of one namespace`,
        );
      }
      const owner = owners.get(identity);
      if (owner === undefined) {
        owners.set(identity, contributor);
      } else if (owner === contributor) {
        fail(
          `${identity} is not unique: contributor "${contributor}" renders it twice`,
          'give each object a name of its own (e.g. rename the secret)',
        );
      } else {
        fail(
          `${identity} is not unique: contributors "${owner}" and "${contributor}" both render it`,
          `rename the app or the value that names one of them, so "${owner}" and "${contributor}" render different names`,
        );
      }
    }
  }
}

/**
 * The order of kinds in manifest.yaml: what an object needs comes before it (the Namespace, then the
 * ServiceAccount, ConfigMap and Secrets a pod mounts, the Service in front of it, the workload, then
 * what acts on the workload), so a reader meets objects in the order `kubectl apply` would want them.
 * Kinds not listed follow, alphabetically; within a kind, objects go by name. The order is the same
 * whichever contributor renders an object, so adding a contributor never reorders the others.
 */
export const MANIFEST_KIND_ORDER: readonly (readonly string[])[] = [
  ['Namespace'],
  ['ServiceAccount'],
  ['ConfigMap'],
  ['Secret', 'SealedSecret'],
  ['Service'],
  ['Deployment', 'Rollout', 'CronJob', 'Job'],
  ['HorizontalPodAutoscaler', 'ScaledObject'],
  ['PodDisruptionBudget'],
  ['NetworkPolicy'],
  ['ExternalSecret'],
];

const KIND_RANK = new Map(MANIFEST_KIND_ORDER.flatMap((kinds, rank) => kinds.map((kind) => [kind, rank])));

/** Sort order of two objects in manifest.yaml (see MANIFEST_KIND_ORDER). */
export function compareManifestObjects(a: KubeObject, b: KubeObject): number {
  const unlisted = MANIFEST_KIND_ORDER.length;
  return (
    (KIND_RANK.get(a.kind) ?? unlisted) - (KIND_RANK.get(b.kind) ?? unlisted) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.metadata.name, b.metadata.name) ||
    compareStrings(a.metadata.namespace ?? '', b.metadata.namespace ?? '')
  );
}

/**
 * manifest.yaml (every object, one document each, the marker header once) and the kustomization, for
 * the app folder and each subfolder a contributor asked for that has objects.
 */
function folderFiles(input: AppInput, contributions: readonly Contribution[]): OutputFile[] {
  const app = input.app.name;
  const root = k8sAppDir(input.target, app);
  // The workload is applied only after its migration (migration-order.ts): on Argo CD in a later sync
  // wave, on Flux from a folder of its own that a later Kustomization applies.
  const migrates = input.app.values.migrate !== undefined;
  const ordered = migrates && input.engine === 'argocd';
  const split = migrates && input.engine === 'flux';
  const folders = new Map<string, KubeObject[]>([[root, []]]);
  for (const { objects, folder } of contributions) {
    for (const object of objects) {
      const dir =
        folder !== undefined
          ? `${root}/${folder}`
          : split && runsAfterMigration(object)
            ? `${root}/${WORKLOAD_FOLDER}`
            : root;
      const list = folders.get(dir);
      if (list) list.push(object);
      else folders.set(dir, [object]);
    }
  }
  return [...folders].flatMap(([dir, objects]): OutputFile[] =>
    dir !== root && objects.length === 0
      ? []
      : [
          {
            path: `${dir}/${MANIFEST_FILE}`,
            format: 'yaml',
            // Every engine applies a value as written, `${…}` and `$$` included (flux/substitute-opt-out.ts).
            data: objects
              .map(withLiteralDollars)
              .map((object) => (ordered ? afterMigration(object) : object))
              .sort(compareManifestObjects),
            app,
          },
          { ...kustomizationFile(dir, [MANIFEST_FILE]), app },
        ],
  );
}
