import { describe, expect, it } from 'vitest';
import { expandApplicationSet } from './expand.ts';
import { renderGoTemplate } from './go-template.ts';

describe('renderGoTemplate', () => {
  it('replaces {{.field}} in values and keys, keeping everything else', () => {
    const template = {
      name: '{{.name}}-x',
      labels: { '{{.key}}': '{{ .wave }}' },
      list: ['a', '{{.name}}'],
      n: 3,
    };
    expect(renderGoTemplate(template, { name: 'api', key: 'tier', wave: 2 })).toEqual({
      name: 'api-x',
      labels: { tier: '2' },
      list: ['a', 'api'],
      n: 3,
    });
  });

  it('fails on a missing key like missingkey=error, naming where', () => {
    expect(() => renderGoTemplate({ spec: { path: 'k8s/{{.path}}' } }, { name: 'api' })).toThrow(
      '.spec.path: map has no entry for key "path" (missingkey=error)',
    );
  });

  it('refuses template actions it does not implement', () => {
    expect(() => renderGoTemplate({ a: '{{ .name | upper }}' }, { name: 'x' })).toThrow(
      '.a: unsupported template action {{ .name | upper }}',
    );
    expect(() => renderGoTemplate({ a: '{{.nested}}' }, { nested: { b: 1 } })).toThrow(
      '.a: {{.nested}} is not a scalar',
    );
  });
});

describe('expandApplicationSet', () => {
  const appSet = (elements: Record<string, unknown>[], options = ['missingkey=error']) => ({
    metadata: { name: 'dev', namespace: 'argocd' },
    spec: {
      goTemplate: true,
      goTemplateOptions: options,
      generators: [{ list: { elements } }],
      template: { metadata: { name: '{{.name}}' }, spec: { project: 'dev' } },
    },
  });

  it('makes one Application per element, in the ApplicationSet namespace', () => {
    expect(expandApplicationSet(appSet([{ name: 'a' }, { name: 'b' }]))).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'a', namespace: 'argocd' },
        spec: { project: 'dev' },
      },
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: 'b', namespace: 'argocd' },
        spec: { project: 'dev' },
      },
    ]);
  });

  it('names the element whose field is missing', () => {
    expect(() => expandApplicationSet(appSet([{ name: 'a' }, { nome: 'b' }]))).toThrow(
      'generators[0].list.elements[1].metadata.name: map has no entry for key "name" (missingkey=error)',
    );
  });

  it('insists on missingkey=error', () => {
    expect(() => expandApplicationSet(appSet([], []))).toThrow(
      'ApplicationSet dev: expected goTemplate with missingkey=error',
    );
  });
});
