/**
 * A problem only the k8s generator can see across app folders: two apps of one namespace rendering an
 * object of the same kind and name (an app `web-preview` next to a blue-green `web`, two apps both
 * syncing a Secret `db`). Within one folder, composition checks the contributors against each other
 * (src/generators/app-folder.ts); rules on the matrix itself live in src/matrix.
 */
import { load } from 'js-yaml';
import { GeneratorError } from '../errors.ts';
import type { ResolvedMatrix } from '../../matrix/types.ts';
import type { RenderedFile } from '../types.ts';
import { MANIFEST_FILE } from './kustomization.ts';

const GENERATOR = 'k8s';

/** One rendered object and the app whose folder it goes to. */
export interface RenderedObject {
  readonly app: string;
  readonly object: Record<string, unknown>;
}

/** `Service api/web-preview`: kind, namespace and name, what the API server keys objects by. */
function identityOf(object: Record<string, unknown>): string {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  const where = metadata.namespace !== undefined ? `${metadata.namespace}/` : '';
  return `${String(object.kind)} ${where}${metadata.name ?? ''}`;
}

/** Throws when two objects of the target are the same Kubernetes object. */
export function checkObjectIdentities(targetId: string, objects: readonly RenderedObject[]): void {
  const owners = new Map<string, string>();
  for (const { app, object } of objects) {
    const identity = identityOf(object);
    const owner = owners.get(identity);
    if (owner === undefined) {
      owners.set(identity, app);
      continue;
    }
    const who =
      owner === app ? `app "${app}" renders it twice` : `apps "${owner}" and "${app}" both render it`;
    throw new GeneratorError(
      GENERATOR,
      targetId,
      app,
      `${identity} is not unique: ${who}`,
      owner === app
        ? 'give the object a name of its own (e.g. rename the secret)'
        : `rename one of them, or move "${app}" to a namespace of its own with namespace: "…"`,
    );
  }
}

/** js-yaml's document separator, and the top-level `kind:` and `metadata.name` lines of a document. */
const DOCUMENT_SEPARATOR = /^---$/m;
const KIND_LINE = /^kind: (.*)$/m;
const METADATA_BLOCK = /^metadata:\n((?: {2}.*\n?)*)/m;
const NAME_LINE = /^ {2}name: (.*)$/m;

/**
 * The `kind name` of each document of a manifest, read from its lines rather than parsed: this runs
 * on every synth, over every app's manifest. Names are compared as js-yaml wrote them, which is the
 * same text for the same name; a clash found here is confirmed by parsing (checkObjectIdentities).
 */
export function documentKeys(content: string): string[] {
  const keys: string[] = [];
  for (const document of content.split(DOCUMENT_SEPARATOR)) {
    const kind = KIND_LINE.exec(document)?.[1];
    const name = NAME_LINE.exec(METADATA_BLOCK.exec(document)?.[1] ?? '')?.[1];
    if (kind !== undefined && name !== undefined) keys.push(`${kind} ${name}`);
  }
  return keys;
}

/** The document of `content` whose `kind name` is `key`, parsed. */
function documentOf(content: string, key: string): Record<string, unknown> {
  const found = content.split(DOCUMENT_SEPARATOR).find((document) => documentKeys(document)[0] === key);
  return load(found ?? '') as Record<string, unknown>;
}

/**
 * Throws when two apps of one namespace on a target render the same object. Each app renders in a unit
 * of its own, so this runs over the files of all of them, rendered or from the cache, and reads only the
 * `kind:` and `name:` lines of each manifest document (it runs on every synth): every object of an app
 * lives in the app's namespace (a Namespace is rendered by one app of it), so two folders of one
 * namespace holding an object of the same kind and name hold the same object. Only the two clashing
 * documents are parsed, for the message.
 *
 * Only manifests of namespaces that two or more apps of the target share are read: an app alone in its
 * namespace clashes with no other app, and an object twice in one folder was already refused when the
 * folder rendered (app-folder.ts; a cached render is one that passed). Most fleets give each app its
 * own namespace, so most synths read none of the 18 MB of manifests a 1,800-instance fleet has.
 */
export function checkSharedNamespaces(matrix: ResolvedMatrix, files: readonly RenderedFile[]): void {
  const namespaces = new Map<string, string>();
  const shared = new Set<string>();
  for (const target of matrix.targets) {
    const seen = new Set<string>();
    for (const app of target.apps) {
      namespaces.set(`${target.id}/${app.name}`, app.namespace);
      if (seen.has(app.namespace)) shared.add(`${target.id}\u0000${app.namespace}`);
      seen.add(app.namespace);
    }
  }
  if (shared.size === 0) return;
  const first = new Map<string, RenderedFile>();
  for (const file of files) {
    const namespace = namespaces.get(`${file.scope}/${file.app ?? ''}`);
    if (namespace === undefined || !shared.has(`${file.scope}\u0000${namespace}`)) continue;
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (name !== MANIFEST_FILE) continue;
    for (const key of documentKeys(file.content)) {
      const identity = `${file.scope}\u0000${namespace}\u0000${key}`;
      const earlier = first.get(identity);
      if (!earlier) {
        first.set(identity, file);
        continue;
      }
      checkObjectIdentities(
        file.scope,
        [earlier, file].map((clash) => ({
          app: clash.app ?? '',
          object: documentOf(clash.content, key),
        })),
      );
    }
  }
}
