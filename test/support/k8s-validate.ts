/**
 * Schema validation of generated Kubernetes objects with the kubernetes-models packages, whose
 * `validate()` is generated from the official OpenAPI and CRD schemas, plus (in `validateStrict`) the
 * strict CRD walk from crd-validate.ts.
 *
 * The model validators accept unknown fields: a typo such as `preserveResourceOnDeletion` passes them.
 * For kinds with a CRD in ../shared/crds the CRD walk catches those; for core kinds (Deployment, Service,
 * …) no OpenAPI document is available offline, so unknown fields in core objects are not caught here.
 *
 * Only current API versions are registered (e.g. Flux `kustomize.toolkit.fluxcd.io/v1`, not the
 * v1beta2 model that @kubernetes-models/flux-cd 2.3 still ships), so an object on a retired version gets
 * "no validator" rather than a pass.
 */
import { parseAllDocuments } from 'yaml';
import { childPath, hasCrd, objectLabel, validateAgainstCrd } from './crd-validate.ts';

// kubernetes-models 4.x: core/v1 lives under `kubernetes-models/v1/*`, groups under `<group>/<version>/*`.
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
// @kubernetes-models/argo-cd 2.7 (generated from Argo CD v2.14 CRDs).
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { ApplicationSet } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet';
import { AppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
// @kubernetes-models/flux-cd 2.3 (kustomize-controller v1.2.2, source-controller v1.2.4).
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization';
import { GitRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository';
// @kubernetes-models/argo-rollouts 0.3 (Argo Rollouts v1.5.0 CRDs).
import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';

/** A kubernetes-models class: constructed from plain data, `validate()` throws on invalid data. */
type ModelClass = { readonly apiVersion: string; readonly kind: string } & (new (data: never) => {
  validate(): void;
});

const models: readonly ModelClass[] = [
  ConfigMap,
  LimitRange,
  Namespace,
  PersistentVolumeClaim,
  Pod,
  ResourceQuota,
  Secret,
  Service,
  ServiceAccount,
  DaemonSet,
  Deployment,
  StatefulSet,
  HorizontalPodAutoscaler,
  CronJob,
  Job,
  Ingress,
  NetworkPolicy,
  PodDisruptionBudget,
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
  Application,
  ApplicationSet,
  AppProject,
  Kustomization,
  GitRepository,
  AnalysisTemplate,
  Rollout,
];

const registry = new Map<string, ModelClass>(models.map((m) => [`${m.apiVersion} ${m.kind}`, m]));

/** Every `apiVersion kind` with a model validator, e.g. `apps/v1 Deployment`. */
export function modelKinds(): string[] {
  return [...registry.keys()].sort();
}

/** True when `validateKubernetesObject` has a model for this apiVersion and kind. */
export function hasModel(apiVersion: string, kind: string): boolean {
  return registry.has(`${apiVersion} ${kind}`);
}

/**
 * Validate `obj` with the kubernetes-models class for its apiVersion and kind. Messages read
 * `Deployment default/web: .spec.replicas: must be integer`; an unknown apiVersion/kind yields one
 * message saying there is no validator. Unknown fields are NOT reported (see `validateStrict`).
 */
export function validateKubernetesObject(obj: unknown): string[] {
  const typed = typeMeta(obj);
  if (typeof typed === 'string') return [typed];
  if (!registry.has(typed.key)) return [noValidator(typed)];
  return modelProblems(typed).map((p) => `${typed.label}: ${p.path}: ${p.message}`);
}

/**
 * Model validation plus, when a CRD for the kind is in ../shared/crds, the strict CRD walk (unknown
 * fields, served versions, enums, patterns). Needs the shared CRDs folder (guard tests with
 * `crdsAvailable()`); throws when it is missing rather than silently skipping the CRD walk.
 * Where both report the same path, the CRD walk's message is kept.
 */
export function validateStrict(obj: unknown): string[] {
  const typed = typeMeta(obj);
  if (typeof typed === 'string') return [typed];
  const withModel = registry.has(typed.key);
  const withCrd = hasCrd(typed.apiVersion, typed.kind);
  if (!withModel && !withCrd) return [noValidator(typed)];

  const crdErrors = withCrd ? validateAgainstCrd(obj) : [];
  const crdPaths = new Set(crdErrors.map((e) => pathOf(e, typed.label)));
  const modelErrors = withModel
    ? modelProblems(typed)
        .filter((p) => !crdPaths.has(p.path))
        .map((p) => `${typed.label}: ${p.path}: ${p.message}`)
    : [];
  return [...modelErrors, ...crdErrors];
}

/**
 * `validateStrict` over every document of a (multi-document) YAML text, e.g. the output of
 * `kubectl kustomize`. Empty documents are skipped; YAML errors are reported as problems.
 */
export function validateStrictYaml(text: string, source = '<yaml>'): string[] {
  const errors: string[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) errors.push(`${source} document ${i + 1}: ${e.message}`);
      return;
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    errors.push(...validateStrict(value));
  });
  return errors;
}

// ---------------------------------------------------------------------------------------------------

interface TypeMeta {
  readonly obj: Record<string, unknown>;
  readonly apiVersion: string;
  readonly kind: string;
  readonly key: string;
  readonly label: string;
}

interface Problem {
  readonly path: string;
  readonly message: string;
}

function typeMeta(obj: unknown): TypeMeta | string {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return `<object>: not an object (got ${obj === null ? 'null' : Array.isArray(obj) ? 'array' : typeof obj})`;
  }
  const record = obj as Record<string, unknown>;
  const label = objectLabel(record);
  const { apiVersion, kind } = record;
  if (typeof apiVersion !== 'string' || apiVersion === '')
    return `${label}: .apiVersion: required field missing`;
  if (typeof kind !== 'string' || kind === '') return `${label}: .kind: required field missing`;
  return { obj: record, apiVersion, kind, key: `${apiVersion} ${kind}`, label };
}

function noValidator(t: TypeMeta): string {
  const sameKind = modelKinds().filter((k) => k.endsWith(` ${t.kind}`));
  const hint = sameKind.length > 0 ? ` (registered for this kind: ${sameKind.join(', ')})` : '';
  return `${t.label}: no validator for ${t.apiVersion} ${t.kind}${hint}`;
}

interface AjvLikeError {
  readonly instancePath?: string;
  readonly dataPath?: string;
  readonly keyword?: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

function modelProblems(t: TypeMeta): Problem[] {
  const Model = registry.get(t.key);
  if (!Model) throw new Error(`modelProblems called without a model for ${t.key}`);
  try {
    new Model(t.obj as never).validate();
    return [];
  } catch (error) {
    const ajvErrors = (error as { errors?: unknown }).errors;
    if (!Array.isArray(ajvErrors)) return [{ path: '', message: String((error as Error).message ?? error) }];
    const seen = new Set<string>();
    const problems: Problem[] = [];
    for (const e of ajvErrors as AjvLikeError[]) {
      const problem = fromAjv(e);
      const key = `${problem.path}\0${problem.message}`;
      if (!seen.has(key)) problems.push(problem);
      seen.add(key);
    }
    return problems;
  }
}

function fromAjv(e: AjvLikeError): Problem {
  const base = pointerToPath(e.instancePath ?? e.dataPath ?? '');
  const params = e.params ?? {};
  if (e.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { path: childPath(base, params.missingProperty), message: 'required field missing' };
  }
  if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    const supported = params.allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return { path: base, message: `must be one of ${supported}` };
  }
  return { path: base, message: e.message ?? e.keyword ?? 'invalid' };
}

/** `/spec/template/spec/containers/0/image` → `.spec.template.spec.containers[0].image`. */
function pointerToPath(pointer: string): string {
  if (pointer === '') return '.';
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : childPath(path, segment)),
      '',
    );
}

function pathOf(message: string, label: string): string {
  const rest = message.slice(label.length + 2);
  const end = rest.indexOf(': ');
  return end < 0 ? rest : rest.slice(0, end);
}
