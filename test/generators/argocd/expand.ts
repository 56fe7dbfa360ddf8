/**
 * What the ApplicationSet controller makes of a list-generator ApplicationSet: one Application per
 * element, the template rendered with the element (goTemplate, missingkey=error), in the
 * ApplicationSet's namespace.
 */
import { renderGoTemplate } from './go-template.ts';

interface ApplicationSetLike {
  metadata: { name: string; namespace: string };
  spec: {
    goTemplate?: boolean;
    goTemplateOptions?: string[];
    generators: { list?: { elements: Record<string, unknown>[] } }[];
    template: { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  };
}

export interface ExpandedApplication {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Application';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  spec: {
    project: string;
    source: { repoURL: string; targetRevision: string; path: string };
    destination: { name?: string; server?: string; namespace: string };
    syncPolicy?: Record<string, unknown>;
  };
}

export function expandApplicationSet(appSet: unknown): ExpandedApplication[] {
  const set = appSet as ApplicationSetLike;
  if (set.spec.goTemplate !== true || !set.spec.goTemplateOptions?.includes('missingkey=error'))
    throw new Error(`ApplicationSet ${set.metadata.name}: expected goTemplate with missingkey=error`);
  return set.spec.generators.flatMap((generator, g) => {
    if (!generator.list)
      throw new Error(`ApplicationSet ${set.metadata.name}: generators[${g}] is not a list`);
    return generator.list.elements.map((element, e) => {
      const rendered = renderGoTemplate(set.spec.template, element, `generators[${g}].list.elements[${e}]`);
      return {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { ...rendered.metadata, namespace: set.metadata.namespace },
        spec: rendered.spec,
      } as ExpandedApplication;
    });
  });
}
