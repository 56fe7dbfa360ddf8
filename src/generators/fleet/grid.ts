/**
 * The fleet at a glance, as plain data: which version of each app runs on which cluster, and what each
 * environment of the promotion order runs. Pure over the resolved matrix, so FLEET.md (synth) and the
 * static report page (src/fleet) show the same facts.
 */
import { compareStrings } from '../../core/compare.ts';
import type { Engine, ResolvedApp, ResolvedMatrix, ResolvedTarget } from '../../matrix/types.ts';

/** One app on one target: what a grid cell shows. */
export interface FleetCell {
  readonly app: string;
  readonly tag: string;
  readonly digest?: string;
  /** `rolling`, `canary` or `blueGreen`. */
  readonly strategy: string;
  /** `3` for fixed replicas, `6–30` when autoscaled. */
  readonly replicas: string;
}

export interface FleetRow {
  readonly target: string;
  readonly env: string;
  readonly cloud: string;
  readonly region: string;
  readonly cluster: string;
  readonly engine: Engine;
  readonly wave: number;
  /** Apps placed on the target, by name. */
  readonly cells: readonly FleetCell[];
}

/** The tags an app runs in one environment; several while a rollout moves through its waves. */
export interface StageVersion {
  readonly app: string;
  /** Distinct tags, newest first, each with the waves that run it. */
  readonly tags: readonly { readonly tag: string; readonly waves: readonly number[] }[];
}

export interface FleetStage {
  readonly env: string;
  readonly promotesTo?: string;
  readonly versions: readonly StageVersion[];
  /** Apps whose newest tag here is not yet anywhere in the next environment. */
  readonly ahead: readonly { readonly app: string; readonly tag: string; readonly next: string }[];
}

export interface FleetGrid {
  readonly apps: readonly string[];
  readonly rows: readonly FleetRow[];
  readonly stages: readonly FleetStage[];
}

export function replicasOf(app: ResolvedApp): string {
  const scaling = app.values.scaling;
  return scaling ? `${scaling.min}–${scaling.max}` : String(app.values.replicas);
}

export function cellOf(app: ResolvedApp): FleetCell {
  const image = app.values.image;
  return {
    app: app.name,
    tag: image.tag,
    ...(image.digest !== undefined && { digest: image.digest }),
    strategy: app.values.strategy.kind,
    replicas: replicasOf(app),
  };
}

function rowOf(target: ResolvedTarget): FleetRow {
  return {
    target: target.id,
    env: target.env,
    cloud: target.cloud,
    region: target.region,
    cluster: target.cluster,
    engine: target.engine,
    wave: target.wave,
    cells: target.apps.map(cellOf),
  };
}

const VERSION = /^v?(\d+)\.(\d+)\.(\d+)/;

/**
 * Newest first: semantic versions by number, then anything else in code-unit order (deterministic on
 * every machine). A tag that is not a version sorts after every version.
 */
export function compareTagsNewestFirst(a: string, b: string): number {
  const va = VERSION.exec(a);
  const vb = VERSION.exec(b);
  if (va && vb) {
    for (let i = 1; i <= 3; i++) {
      const diff = Number(vb[i]) - Number(va[i]);
      if (diff !== 0) return diff;
    }
    return compareStrings(a, b);
  }
  if (va) return -1;
  if (vb) return 1;
  return compareStrings(a, b);
}

function stageVersions(targets: readonly ResolvedTarget[], apps: readonly string[]): StageVersion[] {
  return apps.flatMap((app) => {
    const waves = new Map<string, Set<number>>();
    for (const target of targets) {
      const resolved = target.apps.find((a) => a.name === app);
      if (!resolved) continue;
      const set = waves.get(resolved.values.image.tag) ?? new Set<number>();
      set.add(target.wave);
      waves.set(resolved.values.image.tag, set);
    }
    if (waves.size === 0) return [];
    const tags = [...waves]
      .map(([tag, set]) => ({ tag, waves: [...set].sort((x, y) => x - y) }))
      .sort((x, y) => compareTagsNewestFirst(x.tag, y.tag));
    return [{ app, tags }];
  });
}

export function fleetGrid(matrix: ResolvedMatrix): FleetGrid {
  const apps = [...new Set(matrix.targets.flatMap((t) => t.apps.map((a) => a.name)))].sort(compareStrings);
  const versions = new Map(
    matrix.environments.map((env) => [
      env.name,
      stageVersions(
        matrix.targets.filter((t) => t.env === env.name),
        apps,
      ),
    ]),
  );
  const stages = matrix.environments.map((env): FleetStage => {
    const here = versions.get(env.name) ?? [];
    const next = env.promotesTo === undefined ? undefined : versions.get(env.promotesTo);
    const ahead = next
      ? here.flatMap((version) => {
          const newest = version.tags[0]!.tag;
          const there = next.find((v) => v.app === version.app);
          // An app the next environment does not run is not waiting to be promoted there; one the next
          // environment runs at the same or a newer version is not behind.
          if (!there || compareTagsNewestFirst(newest, there.tags[0]!.tag) >= 0) return [];
          return [{ app: version.app, tag: newest, next: env.promotesTo! }];
        })
      : [];
    return {
      env: env.name,
      ...(env.promotesTo !== undefined && { promotesTo: env.promotesTo }),
      versions: here,
      ahead,
    };
  });
  return { apps, rows: matrix.targets.map(rowOf), stages };
}
