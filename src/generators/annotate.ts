/**
 * One annotation added to a rendered object, as plain data: how the app folder's composition marks
 * objects for an engine (Flux's substitution opt-out, Argo CD's sync wave) after the contributors built
 * them. Leaves the object's other annotations as they are.
 */

/** A Kubernetes object as plain data (app-folder.ts's KubeObject, which imports the callers). */
export interface AnnotatableObject {
  readonly metadata: { readonly annotations?: unknown; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

export function withAnnotation<T extends AnnotatableObject>(object: T, key: string, value: string): T {
  const annotations = (object.metadata.annotations ?? {}) as Record<string, string>;
  return { ...object, metadata: { ...object.metadata, annotations: { ...annotations, [key]: value } } };
}
