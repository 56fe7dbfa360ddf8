/**
 * One render for every target where an app's input is the same but for the target's cloud, region and
 * cluster (issue 17). A fleet runs the same app with the same values on many clusters of an environment;
 * building its cdk8s constructs and writing its YAML once per cluster was most of a cold synth.
 *
 * The app folder renders against a token target (target-tokens.ts): the real environment (part of the
 * group key), tokens for cloud, region, cluster and id. A contributor may act on the cloud: reading it
 * gives the real one, and makes the group that cloud's alone; labels and hostnames write it as a token. Each
 * target's folder is that render with the tokens filled in: in the YAML text when that is exact (every
 * string holding a token is written as a plain scalar before and after filling in, so its text is the
 * string itself), else in the objects, which are then written as usual.
 *
 * Contributors never see a real region or cluster name (nor a cloud they did not ask for), so nothing
 * they do can depend on one beyond where it lands, and each place is exact:
 * - a label value: labelValue leaves a name that is already a valid label value as it is (a target
 *   whose names are not renders for real), and refuses any other value built around a token
 *   (UnsharedRender: the group renders for real), since only the real name says where it is cut;
 * - `app.kubernetes.io/instance`: labels.ts takes a token from the token target, and the value is
 *   computed here from the real coordinates, truncation included;
 * - a hostname filled from a pattern: verbatim;
 * - an error message: a render that throws is repeated for real, to raise the real error.
 * Files are sorted by path within one folder, and documents by kind and name: a group whose object
 * names hold a token renders for real, so order never follows a token, nor does it for object keys.
 * test/generators/k8s/shared-render.test.ts renders fleets both ways and requires the same bytes.
 */
import type { AppInput, TargetCoordinates } from '../app-folder.ts';
import { isPlainYamlScalar, serialize } from '../serialize.ts';
import type { OutputFile } from '../types.ts';
import { instanceName, labelValue } from './labels.ts';
import {
  fillText,
  fillTokens,
  TOKEN_MARK,
  tokensWhole,
  tokenTarget,
  type TokenValues,
} from './target-tokens.ts';

/** What sharing did in one generator run (the benchmark prints it). */
export interface SharingStats {
  /** Instances rendered for their own target. */
  rendered: number;
  /** Renders against a token target, one per group. */
  shared: number;
  /** Instances filled in from their group's render: in the YAML text, or in the objects. */
  filledText: number;
  filledObjects: number;
}

/** A group's render against its token target; absent when it threw or cannot be filled in. */
interface Group {
  readonly files?: readonly OutputFile[];
  /** Each file's YAML with tokens, when filling in the text is exact (see the module comment). */
  readonly texts?: readonly string[];
  /** The strings that hold a token, each written as a plain scalar: what filling in must keep plain. */
  readonly tokenStrings: readonly string[];
  /** The apps the render's instance tokens stand for, by index. */
  readonly apps: readonly string[];
}

const UNSHARED: Group = { tokenStrings: [], apps: [] };

/** Whether cloud, region and cluster are label values as they stand (a label holding one holds it verbatim). */
function verbatimCoordinates(target: TargetCoordinates): boolean {
  return [target.cloud, target.region, target.cluster].every(
    (value) => labelValue(value) === value && !value.includes(TOKEN_MARK),
  );
}

/**
 * The group key: everything the render reads but the target's cloud, region, cluster and id. The
 * environment is in it (what differs by environment differs in values anyway); the cloud joins it for
 * a render that acted on the cloud (createFolderSharing).
 */
function groupKey(input: AppInput): string {
  const { target, ...rest } = input;
  return JSON.stringify([target.env, rest]);
}

/** The strings of `value` that hold a token; undefined if an object key holds one (keys are sorted). */
function tokenStringsOf(value: unknown, found: Set<string>): boolean {
  if (typeof value === 'string') {
    if (value.includes(TOKEN_MARK)) found.add(value);
    return true;
  }
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return (value as readonly unknown[]).every((item) => tokenStringsOf(item, found));
  return Object.entries(value).every(
    ([key, field]) => !key.includes(TOKEN_MARK) && tokenStringsOf(field, found),
  );
}

/** Object names and namespaces decide the order of a manifest's documents: none may hold a token. */
function orderFree(file: OutputFile): boolean {
  if (file.format !== 'yaml') return true;
  const documents = (Array.isArray(file.data) ? file.data : [file.data]) as { metadata?: unknown }[];
  return documents.every(({ metadata }) => {
    const { name, namespace } = (metadata ?? {}) as { name?: unknown; namespace?: unknown };
    return !`${String(name)} ${String(namespace)}`.includes(TOKEN_MARK);
  });
}

function groupOf(files: readonly OutputFile[], apps: readonly string[]): Group {
  const strings = new Set<string>();
  const fillable = files.every((file) => orderFree(file) && tokenStringsOf(file.data, strings));
  const tokenStrings = [...strings];
  if (!fillable || !tokenStrings.every(tokensWhole)) return UNSHARED;
  const plain = files.every((file) => file.format === 'yaml') && tokenStrings.every(isPlainYamlScalar);
  return { files, tokenStrings, apps, ...(plain && { texts: files.map(serialize) }) };
}

/** The group's files for one target, or undefined when they cannot be filled in exactly. */
function fill(group: Group, values: TokenValues, stats?: SharingStats): OutputFile[] | undefined {
  const { files = [] } = group;
  const paths = files.map((file) => fillText(file.path, values));
  if (paths.some((path) => path === undefined)) return undefined;
  const { texts } = group;
  if (texts && group.tokenStrings.every((text) => isPlainYamlScalar(fillText(text, values) ?? ''))) {
    const filled = texts.map((text) => fillText(text, values));
    if (filled.every((text) => text !== undefined)) {
      if (stats) stats.filledText++;
      return files.map((file, i): OutputFile => ({
        ...file,
        path: paths[i]!,
        format: 'text',
        data: filled[i],
      }));
    }
  }
  const data = files.map((file) => fillTokens(file.data, values));
  if (data.some((value) => value === undefined)) return undefined;
  if (stats) stats.filledObjects++;
  return files.map((file, i): OutputFile => ({ ...file, path: paths[i]!, data: data[i] }));
}

/**
 * Renders an app folder, or fills in the render of another target in its group. One per generator run:
 * groups live as long as it does.
 */
export type FolderSharing = (input: AppInput, render: (input: AppInput) => OutputFile[]) => OutputFile[];

export function createFolderSharing(stats?: SharingStats): FolderSharing {
  const groups = new Map<string, Group>();
  /** Keys whose render read the cloud: their groups are per cloud. */
  const byCloud = new Set<string>();
  return (input, render) => {
    const real = (): OutputFile[] => {
      if (stats) stats.rendered++;
      return render(input);
    };
    if (!verbatimCoordinates(input.target)) return real();
    const common = groupKey(input);
    // Tokens must come from the token target alone.
    if (common.includes(TOKEN_MARK)) return real();
    const cloudKey = `${input.target.cloud}\u0000${common}`;
    let group = groups.get(byCloud.has(common) ? cloudKey : common);
    if (!group) {
      const tokens = tokenTarget(input.target);
      if (stats) stats.shared++;
      try {
        group = groupOf(render({ ...input, target: tokens.target }), tokens.apps);
      } catch {
        // UnsharedRender, or a real error whose message names tokens: each target renders for real
        // and raises its own.
        group = UNSHARED;
      }
      // A render that acted on the cloud serves that cloud's targets only.
      if (tokens.cloudRead()) byCloud.add(common);
      groups.set(byCloud.has(common) ? cloudKey : common, group);
    }
    if (!group.files) return real();
    const values = {
      target: input.target,
      instances: group.apps.map((app) => instanceName(input.target, app)),
    };
    return fill(group, values, stats) ?? real();
  };
}
