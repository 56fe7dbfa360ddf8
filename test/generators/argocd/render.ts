/** Render generators in memory and read their YAML back, as the engines would parse it. */
import { parse } from 'yaml';
import { compose, type RenderedFile } from '../../../src/generators/index.ts';
import type { Generator } from '../../../src/generators/types.ts';
import type { ResolvedMatrix } from '../../../src/matrix/types.ts';

export interface ParsedFile extends RenderedFile {
  /** The parsed YAML (one object per file here); undefined for other formats. */
  readonly data: unknown;
}

export function renderParsed(
  matrix: ResolvedMatrix,
  generators: readonly Generator[],
): Map<string, ParsedFile> {
  const files = compose(matrix, { generators });
  return new Map(
    [...files].map(([path, file]) => [
      path,
      { ...file, data: path.endsWith('.yaml') ? (parse(file.content) as unknown) : undefined },
    ]),
  );
}

/** The parsed data at `path`, as the shape the test reads; throws when the file is missing. */
export function dataAt<T>(files: ReadonlyMap<string, ParsedFile>, path: string): T {
  const file = files.get(path);
  if (!file) throw new Error(`no file ${path}; have: ${[...files.keys()].join(', ')}`);
  return file.data as T;
}

/** The parts of the Argo CD objects the tests read. */
export interface AppProjectDoc {
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  spec: {
    sourceRepos: string[];
    destinations: { name?: string; server?: string; namespace: string }[];
    clusterResourceWhitelist?: { group: string; kind: string }[];
    namespaceResourceWhitelist?: { group: string; kind: string }[];
  };
}

export interface MatchExpression {
  key: string;
  operator: string;
  values: string[];
}

export interface ApplicationSetDoc {
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  spec: {
    goTemplate: boolean;
    goTemplateOptions: string[];
    generators: { list: { elements: Record<string, string>[] } }[];
    strategy?: { type: string; rollingSync: { steps: { matchExpressions: MatchExpression[] }[] } };
    syncPolicy: { applicationsSync: string; preserveResourcesOnDeletion: boolean };
    template: {
      metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
      spec: {
        project: string;
        source: { repoURL: string; targetRevision: string; path: string };
        syncPolicy: { automated?: unknown; syncOptions: string[]; retry: unknown };
      };
    };
  };
}

export interface ApplicationDoc {
  metadata: { name: string; namespace: string };
  spec: {
    project: string;
    source: { repoURL: string; targetRevision: string; path: string };
    destination: { server?: string; name?: string; namespace: string };
    syncPolicy: { automated?: unknown; retry: unknown };
  };
}

export interface KustomizeFileDoc {
  resources: string[];
}

export interface FluxKustomizationDoc {
  metadata: { name: string; namespace: string };
  spec: {
    interval: string;
    timeout: string;
    sourceRef: { kind: string; name: string };
    path: string;
    prune: boolean;
    wait?: boolean;
    dependsOn?: { name: string }[];
    healthChecks: { apiVersion: string; kind: string; name: string; namespace: string }[];
    healthCheckExprs?: { apiVersion: string; kind: string; current: string; failed: string }[];
    postBuild: { substitute: Record<string, string> };
  };
}
