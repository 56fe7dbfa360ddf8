/**
 * The one reporter for problems with an app's values on a target. A value may come from the app file,
 * an override or a pins file; the issue names the layer that set the offending value (the resolver's
 * provenance), so its source is the file to change: an override that lowers `scaling.min` is blamed,
 * not the app it overrides.
 */
import type { MatrixIssue } from '../errors.ts';
import { provenanceOf } from '../merge.ts';
import { LAYER_ORDER } from '../resolve.ts';
import type {
  AppDefinition,
  ProvenanceStep,
  ResolvedApp,
  ResolvedEnvironment,
  ResolvedTarget,
} from '../types.ts';
import type { ValidationInput } from './rule.ts';

/**
 * Report a problem with the value(s) at `valuePaths` (`scaling.min`, `strategy`). With several paths
 * (`scaling.min > scaling.max`), the most specific layer among them is blamed: the one that made the
 * pair disagree.
 */
export type ValueReport = (valuePaths: string | readonly string[], message: string, fix: string) => void;

/** One app on one target, with what the rules need to judge it and the reporter for its values. */
export interface AppInstance {
  readonly target: ResolvedTarget;
  readonly env: ResolvedEnvironment;
  readonly app: ResolvedApp;
  /** The app as written; undefined only for a name validation reports elsewhere. */
  readonly definition: AppDefinition | undefined;
  /** `prod/aws/us-east-1/main/api`: the matrix path of issues about this instance. */
  readonly path: string;
  readonly report: ValueReport;
}

/** Visit every placed app instance, in target order, with a reporter that pushes onto `issues`. */
export function forEachAppInstance(
  { matrix, resolved }: ValidationInput,
  issues: MatrixIssue[],
  visit: (instance: AppInstance) => void,
): void {
  const definitions = new Map(matrix.apps.map((app) => [app.name, app]));
  for (const target of resolved.targets) {
    const env = resolved.environments.find((e) => e.name === target.env);
    if (!env) continue;
    for (const app of target.apps) {
      const definition = definitions.get(app.name);
      const log = resolved.provenance.get(target.id)?.get(app.name);
      const path = `${target.id}/${app.name}`;
      const report: ValueReport = (valuePaths, message, fix) => {
        const source = (log && blamedSource(log, valuePaths)) ?? definition?.source;
        issues.push({ path, message, ...(source && { source }), fix });
      };
      visit({ target, env, app, definition, path, report });
    }
  }
}

/** The source of the most specific layer that set any of `valuePaths`, or undefined when none did. */
function blamedSource(
  log: ReadonlyMap<string, readonly ProvenanceStep[]>,
  valuePaths: string | readonly string[],
): string | undefined {
  let blamed: ProvenanceStep | undefined;
  for (const valuePath of typeof valuePaths === 'string' ? [valuePaths] : valuePaths) {
    for (const { steps } of provenanceOf(log, valuePath)) {
      const last = steps.at(-1);
      if (last && (!blamed || LAYER_ORDER.indexOf(last.layer) > LAYER_ORDER.indexOf(blamed.layer)))
        blamed = last;
    }
  }
  return blamed?.source;
}
