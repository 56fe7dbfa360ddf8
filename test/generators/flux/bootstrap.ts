/**
 * A Flux cluster folder as the kustomize-controller sees it after `flux bootstrap --path=<folder>`:
 * envmatrix's apps/, plus the flux-system/ that bootstrap commits (its gotk-sync.yaml: the
 * GitRepository and Kustomization named flux-system; gotk-components.yaml, the controllers
 * themselves, is left out), plus the kustomization.yaml the controller generates for a path without
 * one: every subfolder that has a kustomization.yaml, as a resource.
 */
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface BootstrapOptions {
  /** The cluster folder under generated/ (`flux/prod/onprem/dc1/main`), on disk. */
  readonly clusterDir: string;
  /** `--url` and `--branch` of `flux bootstrap git`. */
  readonly url: string;
  readonly branch: string;
  /** `--path`: the folder as a repository path (`generated/flux/prod/onprem/dc1/main`). */
  readonly path: string;
}

const KUSTOMIZE = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };

/** A temp folder holding the bootstrapped cluster folder; the caller removes it. */
export async function bootstrappedCopy(options: BootstrapOptions): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'envmatrix-flux-bootstrap-'));
  await cp(options.clusterDir, root, { recursive: true });
  await mkdir(join(root, 'flux-system'));
  const sync = [
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec: {
        interval: '1m0s',
        ref: { branch: options.branch },
        secretRef: { name: 'flux-system' },
        url: options.url,
      },
    },
    {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'flux-system', namespace: 'flux-system' },
      spec: {
        interval: '10m0s',
        path: `./${options.path}`,
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'flux-system' },
      },
    },
  ];
  await writeFile(join(root, 'flux-system/gotk-sync.yaml'), sync.map((doc) => stringify(doc)).join('---\n'));
  await writeFile(
    join(root, 'flux-system/kustomization.yaml'),
    stringify({ ...KUSTOMIZE, resources: ['gotk-sync.yaml'] }),
  );
  await writeFile(
    join(root, 'kustomization.yaml'),
    stringify({ ...KUSTOMIZE, resources: ['./apps', './flux-system'] }),
  );
  return root;
}
