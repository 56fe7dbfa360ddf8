/**
 * The labels every rendered object carries: the Kubernetes recommended `app.kubernetes.io/*` labels and
 * envmatrix's own `envmatrix.io/*` coordinates, so `kubectl get -l envmatrix.io/env=prod` and dashboards
 * grouping by app both work on any cluster.
 */
import type { ResolvedTarget } from '../../matrix/types.ts';
import { instanceToken, refuseBuiltTokenNames } from './target-tokens.ts';

export type Labels = Readonly<Record<string, string>>;

/** The coordinates labels are made of. */
type Coordinates = Pick<ResolvedTarget, 'env' | 'cloud' | 'region' | 'cluster'>;

/** `app.kubernetes.io/managed-by`: the tool that owns these objects. */
export const MANAGED_BY = 'envmatrix';

const LABEL_VALUE_MAX = 63;

/**
 * A string made into a valid label value: at most 63 characters of `[A-Za-z0-9_.-]`, starting and
 * ending with a letter or digit (empty when nothing is left). Truncation keeps the start, which holds
 * the app name in every value built here.
 */
export function labelValue(raw: string): string {
  refuseBuiltTokenNames(raw);
  return raw
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, LABEL_VALUE_MAX)
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
}

/** `envmatrix.io/env|cloud|region|cluster`: where an object runs. */
export function targetLabels(target: Coordinates): Labels {
  return {
    'envmatrix.io/cloud': labelValue(target.cloud),
    'envmatrix.io/cluster': labelValue(target.cluster),
    'envmatrix.io/env': labelValue(target.env),
    'envmatrix.io/region': labelValue(target.region),
  };
}

/**
 * `app.kubernetes.io/instance`: the app on this target, e.g. `api-prod-aws-us-east-1-main`. Unique per
 * cluster because app names are, and readable in dashboards that aggregate many clusters.
 */
export function instanceName(target: Coordinates, app: string): string {
  // A shared render's stand-in target (target-tokens.ts): the real value is truncated from the real
  // coordinates when the render is filled in.
  return (
    instanceToken(target, app) ??
    labelValue(`${app}-${target.env}-${target.cloud}-${target.region}-${target.cluster}`)
  );
}

/**
 * The labels that select an app's pods. Only labels that never change for a running app: a Deployment's
 * selector is immutable, so the version label must stay out of it.
 */
export function selectorLabels(target: Coordinates, app: string): Labels {
  return {
    'app.kubernetes.io/instance': instanceName(target, app),
    'app.kubernetes.io/name': app,
  };
}

/** Every label of an app's objects: selector labels, version, part-of, managed-by and the target. */
export function appLabels(
  target: Coordinates,
  app: { readonly name: string; readonly version: string },
  partOf: string,
): Labels {
  return {
    ...selectorLabels(target, app.name),
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/part-of': labelValue(partOf),
    ...(labelValue(app.version) !== '' && { 'app.kubernetes.io/version': labelValue(app.version) }),
    ...targetLabels(target),
  };
}

/**
 * Labels of objects shared by the apps of a namespace (the Namespace and its default-deny policy). They
 * belong to no single app, so they carry no app name, instance or version.
 */
export function sharedLabels(target: Coordinates, partOf: string): Labels {
  return {
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/part-of': labelValue(partOf),
    ...targetLabels(target),
  };
}

/** `platform` for `https://github.com/acme/platform.git`: what every app is part of. */
export function repositoryName(url: string): string {
  const last = url.replace(/\/+$/, '').split(/[/:]/).pop() ?? '';
  return labelValue(last.replace(/\.git$/, '')) || MANAGED_BY;
}
