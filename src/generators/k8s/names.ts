/**
 * Object and file names. Names are chosen here, readable and literal: users type them in `kubectl`, and
 * other generators point at them (the workload is always named after the app). cdk8s would otherwise
 * derive names from hashes of construct paths.
 */
import type { ResolvedApp } from '../../matrix/types.ts';

/** The longest object name that is also a DNS-1123 label (Services, Namespaces, volume names). */
export const MAX_LABEL_NAME = 63;

/** The Deployment or Rollout, the ServiceAccount, the Service, HPA, PDB and NetworkPolicy of an app. */
export function appObjectName(app: ResolvedApp): string {
  return app.name;
}

/** The blue-green preview Service, which Argo Rollouts points at the new ReplicaSet before promotion. */
export function previewServiceName(app: ResolvedApp): string {
  return `${app.name}-preview`;
}

/** The ConfigMap holding an app's config. */
export function configMapName(app: ResolvedApp): string {
  return `${app.name}-config`;
}

/** The namespace-wide NetworkPolicy that denies everything not allowed by an app's own policy. */
export const DEFAULT_DENY_POLICY = 'default-deny';

/** The pod volume that mounts the Secret `secret` (synced by an ExternalSecret). */
export function secretVolumeName(secret: string): string {
  return `secret-${secret}`;
}

/** Where the Secret `secret` is mounted in the app's container. */
export function secretMountPath(secret: string): string {
  return `/var/run/secrets/${secret}`;
}

/** The writable scratch volume: the root filesystem is read-only. */
export const TMP_VOLUME = 'tmp';

/**
 * `deployment-api.yaml`: the file one object is written to. Kinds contain no `-`, so the kind prefix
 * keeps names of different kinds apart and the mapping is one-to-one within an app folder.
 */
export function objectFileName(kind: string, name: string): string {
  return `${kind.toLowerCase()}-${name}.yaml`;
}

export const KUSTOMIZATION_FILE = 'kustomization.yaml';
