/**
 * The kustomize peer: the same fleet the way many teams run the rendered-manifests pattern in CI —
 * one kustomize base per app plus an overlay per cluster, each app instance rendered with
 * `kubectl kustomize <overlay>` into `rendered/<target>/<app>/manifest.yaml`.
 *
 * The base of an app is its objects as envmatrix renders them on the app's first target; the overlay of
 * every other instance sets what differs per cluster the way overlays do: the image (`images:`), the
 * target labels (`labels:`), and a strategic-merge patch per object that is not the base's (replicas,
 * spread, NetworkPolicy edges, …). Writing the bases and overlays is set-up, not timed; the timed part is
 * every `kubectl kustomize` run and writing what it prints, with as many runs at once as there are cores.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { dump } from 'js-yaml';
import pLimit from 'p-limit';
import type { KubeObject } from '../src/generators/app-folder.ts';
import type { OutputFile } from '../src/generators/types.ts';

const run = promisify(execFile);

/** One app instance of the peer: where its overlay is, and where its rendered manifest goes. */
export interface PeerInstance {
  readonly overlay: string;
  readonly output: string;
}

const yaml = (data: unknown) => dump(data, { lineWidth: -1, noRefs: true });

/** `k8s/<env>/<cloud>/<region>/<cluster>/<app>` → the app name and the target id. */
function split(dir: string): { target: string; app: string } {
  const parts = dir.split('/');
  return { target: parts.slice(1, -1).join('/'), app: parts.at(-1)! };
}

/**
 * Writes `bases/<app>/` and `overlays/<target>/<app>/` under `root` from envmatrix's own manifests
 * (the `manifest.yaml` files of the k8s generator), so both render the same fleet.
 */
export async function writePeerTree(files: readonly OutputFile[], root: string): Promise<PeerInstance[]> {
  const manifests = files.filter((file) => file.path.endsWith('/manifest.yaml'));
  const bases = new Map<string, KubeObject[]>();
  const instances: PeerInstance[] = [];
  const key = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
  const writes: (() => Promise<void>)[] = [];
  for (const file of manifests) {
    const dir = file.path.slice(0, -'/manifest.yaml'.length);
    const { target, app } = split(dir);
    const objects = file.data as KubeObject[];
    let base = bases.get(app);
    if (!base) {
      base = objects;
      bases.set(app, base);
      const baseDir = join(root, 'bases', app);
      const resources = base.map((o) => `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`);
      writes.push(async () => {
        await mkdir(baseDir, { recursive: true });
        await Promise.all(base!.map((o, i) => writeFile(join(baseDir, resources[i]!), yaml(o))));
        await writeFile(join(baseDir, 'kustomization.yaml'), yaml({ resources }));
      });
    }
    const baseByKey = new Map(base.map((o) => [key(o), o]));
    const overlayDir = join(root, 'overlays', target, app);
    const patches = objects.filter(
      (o) => baseByKey.has(key(o)) && JSON.stringify(o) !== JSON.stringify(baseByKey.get(key(o))),
    );
    const extra = objects.filter((o) => !baseByKey.has(key(o)));
    const [env, cloud, region, cluster] = target.split('/');
    const kustomization = {
      resources: [
        join('..', '..', '..', '..', '..', '..', 'bases', app),
        ...extra.map((o) => `extra-${key(o).replace('/', '-')}.yaml`),
      ],
      labels: [
        {
          pairs: {
            'envmatrix.io/env': env,
            'envmatrix.io/cloud': cloud,
            'envmatrix.io/region': region,
            'envmatrix.io/cluster': cluster,
          },
        },
      ],
      patches: patches.map((o) => ({ path: `patch-${key(o).replace('/', '-')}.yaml` })),
    };
    writes.push(async () => {
      await mkdir(overlayDir, { recursive: true });
      await Promise.all([
        ...patches.map((o) => writeFile(join(overlayDir, `patch-${key(o).replace('/', '-')}.yaml`), yaml(o))),
        ...extra.map((o) => writeFile(join(overlayDir, `extra-${key(o).replace('/', '-')}.yaml`), yaml(o))),
        writeFile(join(overlayDir, 'kustomization.yaml'), yaml(kustomization)),
      ]);
    });
    instances.push({ overlay: overlayDir, output: join(root, 'rendered', target, app, 'manifest.yaml') });
  }
  const limit = pLimit(32);
  await Promise.all(writes.map((write) => limit(write)));
  return instances;
}

/** `kubectl kustomize` for every instance, `cores` at once, each output written where CI would commit it. */
export async function renderPeer(
  instances: readonly PeerInstance[],
  cores = availableParallelism(),
): Promise<void> {
  const limit = pLimit(cores);
  await Promise.all(
    instances.map((instance) =>
      limit(async () => {
        const { stdout } = await run('kubectl', ['kustomize', instance.overlay], {
          maxBuffer: 64 * 1024 * 1024,
        });
        await mkdir(join(instance.output, '..'), { recursive: true });
        await writeFile(instance.output, stdout);
      }),
    ),
  );
}
