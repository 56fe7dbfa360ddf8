/**
 * The unit inputs of one target: one AppInput per app, holding what that app's folder depends on and
 * nothing more, so that changing one app re-renders only the folders that show it (its own, and those of
 * the apps whose NetworkPolicies name it). Linear in the target's apps and dependency edges.
 *
 * Free of cdk8s: it runs on every synth, also when every unit comes from the cache.
 */
import { compareStrings } from '../../core/compare.ts';
import type { ResolvedApp, ResolvedTarget } from '../../matrix/types.ts';
import type { AppInput, DependencyApp, K8sPolicy, K8sSettings, PeerApp } from './context.ts';

const byName = (a: PeerApp, b: PeerApp): number => compareStrings(a.name, b.name);

function peerOf(app: ResolvedApp): PeerApp {
  return { name: app.name, namespace: app.namespace };
}

/** The port numbers `app` serves to its dependants: the named ports in `serves` (validation checks the names). */
export function servedPorts(app: ResolvedApp): number[] {
  return (app.values.serves ?? []).flatMap((name) => {
    const port = app.ports[name];
    return port === undefined ? [] : [port];
  });
}

/**
 * Whether the app gets a Service. Not when its only port is the metrics port and nothing else calls it
 * (a queue worker): Prometheus scrapes the pods through a PodMonitor, and a Service would be one more
 * object with no client. Blue-green apps always have theirs, because Argo Rollouts switches traffic
 * through them.
 */
export function hasService(app: ResolvedApp): boolean {
  const { values } = app;
  if (values.strategy.kind === 'blueGreen') return true;
  const names = Object.keys(app.ports);
  if (names.length === 0) return false;
  const metricsOnly = names.every((name) => name === values.metrics?.port);
  return !metricsOnly || (values.serves ?? []).length > 0 || values.expose !== false;
}

function dependencyOf(app: ResolvedApp): DependencyApp {
  return { ...peerOf(app), ports: servedPorts(app) };
}

/**
 * Namespace → the app that owns it: the alphabetically first app of the namespace on the target renders
 * the Namespace and its default-deny policy (apps may share a namespace; see namespace.ts).
 */
function namespaceOwners(apps: readonly ResolvedApp[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const app of apps) {
    const owner = owners.get(app.namespace);
    if (owner === undefined || compareStrings(app.name, owner) < 0) owners.set(app.namespace, app.name);
  }
  return owners;
}

/** App name → the apps of the target that depend on it. */
function dependentsByName(apps: readonly ResolvedApp[]): Map<string, PeerApp[]> {
  const dependents = new Map<string, PeerApp[]>();
  for (const app of apps) {
    for (const dependency of new Set(app.dependsOn)) {
      const list = dependents.get(dependency) ?? [];
      list.push(peerOf(app));
      dependents.set(dependency, list);
    }
  }
  return dependents;
}

/** The input of each app on the target, in the target's app order. */
export function appInputs(target: ResolvedTarget, policy: K8sPolicy, settings: K8sSettings): AppInput[] {
  const coordinates = {
    id: target.id,
    env: target.env,
    cloud: target.cloud,
    region: target.region,
    cluster: target.cluster,
  };
  const k8sPolicy = { minZones: policy.minZones, podDisruptionBudget: policy.podDisruptionBudget };
  const apps = new Map(target.apps.map((app) => [app.name, app]));
  const owners = namespaceOwners(target.apps);
  const dependents = dependentsByName(target.apps);
  return target.apps.map((app) => ({
    target: coordinates,
    app,
    policy: k8sPolicy,
    settings,
    ownsNamespace: owners.get(app.namespace) === app.name,
    // Validation places every dependency with its dependents; one that is missing has no pods to reach.
    dependencies: app.dependsOn
      .flatMap((name) => {
        const dependency = apps.get(name);
        return dependency ? [dependencyOf(dependency)] : [];
      })
      .sort(byName),
    dependents: [...(dependents.get(app.name) ?? [])].sort(byName),
    // Validation rejects a name the target does not define; here it is skipped.
    destinations: (app.values.egress?.external ?? []).flatMap((name) => {
      const destination = target.destinations[name];
      // Not its `source` nor `layer` (provenance, not output): a source names a file relative to the
      // working directory, which differs between the user's checkout and the bot's worktree, and must
      // not change the unit's input hash.
      return destination
        ? [{ name: destination.name, cidrs: destination.cidrs, ports: destination.ports }]
        : [];
    }),
    ...(typeof app.values.expose === 'object' && target.gateway && { gateway: target.gateway }),
    ...(app.values.migrate && { engine: target.engine }),
  }));
}
