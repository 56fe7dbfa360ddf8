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
import { KUSTOMIZATION_FILE } from './names.ts';

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

/**
 * Throws when two apps of one namespace on a target render the same object. Each app renders in a unit
 * of its own, so this runs over the files of all of them, rendered or from the cache, and goes by path
 * alone (it runs on every synth): every object of an app lives in the app's namespace (a Namespace is
 * rendered by one app of it), and a file is named after its object's kind and name (objectFileName), so
 * two folders of one namespace holding a file of the same name hold the same object. Only the two
 * clashing files are read back, for the message.
 */
export function checkSharedNamespaces(matrix: ResolvedMatrix, files: readonly RenderedFile[]): void {
  const namespaces = new Map<string, string>();
  for (const target of matrix.targets) {
    for (const app of target.apps) namespaces.set(`${target.id}/${app.name}`, app.namespace);
  }
  const first = new Map<string, RenderedFile>();
  for (const file of files) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const namespace = namespaces.get(`${file.scope}/${file.app ?? ''}`);
    if (namespace === undefined || name === KUSTOMIZATION_FILE) continue;
    const identity = `${file.scope}\u0000${namespace}\u0000${name}`;
    const earlier = first.get(identity);
    if (!earlier) {
      first.set(identity, file);
      continue;
    }
    checkObjectIdentities(
      file.scope,
      [earlier, file].map((clash) => ({
        app: clash.app ?? '',
        object: load(clash.content) as Record<string, unknown>,
      })),
    );
  }
}
