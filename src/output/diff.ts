/**
 * `envmatrix diff`: what a synth would change, as unified diffs grouped by environment, target and app.
 * An app folder keeps all its objects in one multi-document manifest.yaml, so a change to it is
 * reported per object (one diff per document that changed), as it was when each object had a file.
 */
import { createTwoFilesPatch } from 'diff';
import { loadAll } from 'js-yaml';
import { compareStrings } from '../core/compare.ts';
import { INDEX_PATH, type GeneratedIndex } from './index-file.ts';
import type { SynthPlan } from './synth.ts';

export interface FileDiff {
  readonly path: string;
  /** Of the object when `object` is set, else of the file. */
  readonly kind: 'added' | 'changed' | 'removed';
  /** `Deployment prod-ns/api`: the object of a multi-document YAML file this diff is about. */
  readonly object?: string;
  /** Group heading: `prod › prod/aws/us-east-1/main › api`. */
  readonly group: string;
  readonly patch: string;
  readonly additions: number;
  readonly deletions: number;
}

function groupOf(path: string, index: GeneratedIndex, previous: GeneratedIndex | undefined): string {
  const entry = index.files[path] ?? previous?.files[path];
  if (!entry || entry.scope === '*') return 'matrix';
  const env = entry.scope.split('/')[0]!;
  return [env, entry.scope === env ? undefined : entry.scope, entry.app].filter(Boolean).join(' › ');
}

/** Added and removed lines of a unified diff, its `+++`/`---` headers not counted. */
export function countLines(patch: string): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) additions++;
    else if (line.startsWith('-') && !line.startsWith('---')) deletions++;
  }
  return { additions, deletions };
}

/** One document of a YAML file: what it holds (`Kind namespace/name`) and its text. */
export interface YamlDocument {
  readonly identity: string;
  readonly text: string;
}

/** A line holding only `---` starts a document (js-yaml writes nothing else there). */
const DOCUMENT_SEPARATOR = /^---\n/m;

function identityOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { kind, metadata } = value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (typeof kind !== 'string' || typeof metadata?.name !== 'string') return undefined;
  const namespace = typeof metadata.namespace === 'string' ? `${metadata.namespace}/` : '';
  return `${kind} ${namespace}${metadata.name}`;
}

/**
 * The Kubernetes objects of a YAML file, each with its text, or undefined when the file is not made
 * of them (not YAML, a document that is no object, two documents of one identity).
 */
export function yamlObjects(path: string, text: string): YamlDocument[] | undefined {
  if (!path.endsWith('.yaml')) return undefined;
  const documents: YamlDocument[] = [];
  for (const part of text.split(DOCUMENT_SEPARATOR)) {
    let values: unknown[];
    try {
      values = loadAll(part).filter((value) => value !== null && value !== undefined);
    } catch {
      return undefined;
    }
    if (values.length === 0) continue;
    const identity = values.length === 1 ? identityOf(values[0]) : undefined;
    if (identity === undefined) return undefined;
    // The marker header sits above the first document; it is the file's, not the object's.
    documents.push({ identity, text: part.replace(/^(?:#.*\n)+/, '') });
  }
  const identities = new Set(documents.map((doc) => doc.identity));
  return identities.size === documents.length ? documents : undefined;
}

/** An added, changed or removed file, split into its objects when it is a multi-document manifest. */
interface Entry {
  readonly kind: FileDiff['kind'];
  readonly before: string;
  readonly after: string;
  readonly object?: string;
}

function objectEntries(path: string, kind: FileDiff['kind'], before: string, after: string): Entry[] {
  const old = kind === 'added' ? [] : yamlObjects(path, before);
  const now = kind === 'removed' ? [] : yamlObjects(path, after);
  // A file of one object reads best whole; a manifest that holds two or more objects on either side
  // is split, so one that drops to (or grows from) a single object still shows which one came or went.
  if (old === undefined || now === undefined || Math.max(old.length, now.length) < 2)
    return [{ kind, before, after }];
  const oldBy = new Map(old.map((doc) => [doc.identity, doc.text]));
  const nowBy = new Map(now.map((doc) => [doc.identity, doc.text]));
  const entries: Entry[] = [];
  for (const identity of new Set([...oldBy.keys(), ...nowBy.keys()])) {
    const was = oldBy.get(identity);
    const is = nowBy.get(identity);
    if (was === is) continue;
    entries.push({
      kind: was === undefined ? 'added' : is === undefined ? 'removed' : 'changed',
      before: was ?? '',
      after: is ?? '',
      object: identity,
    });
  }
  // A file whose objects are all unchanged differs only outside them (the header): show that.
  return entries.length > 0 ? entries : [{ kind, before, after }];
}

/** One diff of a changed file: the whole file's, or one object's when `object` is set. */
export type ObjectDiff = Omit<FileDiff, 'path' | 'group'>;

/**
 * The unified diffs of one added, changed or removed file under generated/ (`before`/`after` empty
 * when absent): one per changed object of a multi-document manifest, its header naming the object and
 * its line numbers counting within the object's document; else one of the whole file. `envmatrix
 * diff`, the promotion PR and the PR preview all read a change through this.
 */
export function diffFile(path: string, kind: FileDiff['kind'], before: string, after: string): ObjectDiff[] {
  return objectEntries(path, kind, before, after).map((entry) => {
    const patch = createTwoFilesPatch(
      entry.kind === 'added' ? '/dev/null' : `a/generated/${path}`,
      entry.kind === 'removed' ? '/dev/null' : `b/generated/${path}`,
      entry.before,
      entry.after,
      entry.object,
      entry.object,
      { context: 3 },
    );
    return {
      kind: entry.kind,
      ...(entry.object !== undefined && { object: entry.object }),
      patch,
      ...countLines(patch),
    };
  });
}

/**
 * Every changed file of a plan (index.json aside) with its unified diff, sorted by group, path and
 * object. A multi-document manifest gives one diff per changed object, its header naming the object
 * and its line numbers counting within the object's document.
 */
export function diffPlan(plan: SynthPlan, previous: GeneratedIndex | undefined): FileDiff[] {
  return [
    ...plan.changes.added.map((path) => ({ path, kind: 'added' as const })),
    ...plan.changes.changed.map((path) => ({ path, kind: 'changed' as const })),
    ...plan.changes.removed.map((path) => ({ path, kind: 'removed' as const })),
  ]
    .filter(({ path }) => path !== INDEX_PATH)
    .flatMap(({ path, kind }) => {
      const group = groupOf(path, plan.index, previous);
      const diffs = diffFile(path, kind, plan.current.get(path) ?? '', plan.files.get(path) ?? '');
      return diffs.map((diff) => ({ path, group, ...diff }));
    })
    .sort(
      (a, b) =>
        compareStrings(a.group, b.group) ||
        compareStrings(a.path, b.path) ||
        compareStrings(a.object ?? '', b.object ?? ''),
    );
}
