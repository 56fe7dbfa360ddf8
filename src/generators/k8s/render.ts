/**
 * Rendering one app on one target: its own cdk8s App (synthesis cost grows with the square of the charts
 * in an App, and an App per app keeps each unit's render independent of the other apps, which the render
 * cache relies on), one Chart for the app, and every object written to its own file in the app's folder
 * next to a kustomization.yaml listing them.
 *
 * cdk8s's own `chart.toJson()` validates the whole App again for each chart; here the App is validated
 * once and the chart's objects are serialized directly.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { compareStrings } from '../../core/compare.ts';
import { GeneratorError } from '../errors.ts';
import { GENERATOR_NAME } from './generator-name.ts';
import { k8sAppDir } from '../paths.ts';
import type { OutputFile } from '../types.ts';
import { addAppChart } from './app-chart.ts';
import { checkDerivedNames, checkObjectIdentities } from './checks.ts';
import { appContext, type AppInput } from './context.ts';
import { kustomizationFile } from './kustomization.ts';
import { objectFileName } from './names.ts';

/** Id of the chart holding Rollouts' donor Deployments; `_` cannot start an app name, so no clash. */
const TEMPLATES_CHART = '_pod-templates';

const FIX_UNEXPECTED =
  'check the values of this app (definition and overrides); `envmatrix validate` lists every problem the matrix rules know about';

/** Every file of the app's folder, sorted by path. */
export function renderApp(input: AppInput): OutputFile[] {
  const { target, app } = input;
  checkDerivedNames(target, app);
  const objects = guarded(target.id, app.name, () => {
    // Construct metadata would add construct paths as annotations when CDK8S_RECORD_CONSTRUCT_METADATA
    // is set: output must not depend on the environment of the machine that renders it.
    const cdkApp = new App({ recordConstructMetadata: false });
    const templates = new Chart(cdkApp, TEMPLATES_CHART);
    const chart = addAppChart(cdkApp, templates, appContext(input));
    validateOnce(cdkApp);
    return chartObjects(chart);
  });
  // Within the app only; apps of one namespace are checked against each other in checks.ts.
  checkObjectIdentities(
    target.id,
    objects.map((object) => ({ app: app.name, object })),
  );
  return appFiles(input, objects).sort((a, b) => compareStrings(a.path, b.path));
}

/** Run `build`, turning a failure of cdk8s or cdk8s-plus into a GeneratorError naming target and app. */
function guarded<T>(targetId: string, appName: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof GeneratorError) throw error;
    throw new GeneratorError(GENERATOR_NAME, targetId, appName, messageOf(error), FIX_UNEXPECTED);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The construct validations (cdk8s-plus checks, e.g. an HPA over fixed replicas); throws the first. */
function validateOnce(cdkApp: App): void {
  for (const construct of cdkApp.node.findAll()) {
    const [problem] = construct.node.validate();
    if (problem !== undefined) throw new Error(problem);
  }
}

/**
 * The chart's objects as plain data in a canonical key order: apiVersion, kind, metadata, then the rest
 * sorted at every level. cdk8s sorts only when CDK8S_DISABLE_SORT is unset, and not inside JSON
 * patches; this makes the bytes independent of both.
 */
function chartObjects(chart: Chart): Record<string, unknown>[] {
  return chart.node
    .findAll()
    .filter((construct): construct is ApiObject => ApiObject.isApiObject(construct))
    .map((object) => canonicalObject(object.toJson() as Record<string, unknown>));
}

function canonicalObject(object: Record<string, unknown>): Record<string, unknown> {
  const { apiVersion, kind, metadata, ...rest } = object;
  return { apiVersion, kind, metadata: canonical(metadata), ...(canonical(rest) as Record<string, unknown>) };
}

function canonical(value: unknown): unknown {
  return isCanonical(value) ? value : sortedCopy(value);
}

/**
 * Whether every object in `value` has its keys in code-unit order and no undefined field. cdk8s output
 * usually is, and checking is cheaper than copying the fleet's objects.
 */
function isCanonical(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isCanonical);
  if (value === null || typeof value !== 'object') return true;
  let previous: string | undefined;
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined || (previous !== undefined && previous > key) || !isCanonical(field))
      return false;
    previous = key;
  }
  return true;
}

/**
 * A copy of `value` with object keys sorted at every level and undefined fields dropped, like sortKeys
 * in src/core/canonical.ts. `sort()` without a comparator is code-unit order, as compareStrings.
 */
function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedCopy);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    const field = record[key];
    if (field !== undefined) sorted[key] = sortedCopy(field);
  }
  return sorted;
}

/** The app folder: one file per object, and the kustomization.yaml listing them. */
function appFiles(input: AppInput, objects: readonly Record<string, unknown>[]): OutputFile[] {
  const { app } = input;
  const dir = k8sAppDir(input.target, app.name);
  const files = objects.map((object): OutputFile => {
    const { kind, metadata } = object as { kind: string; metadata: { name: string } };
    return {
      path: `${dir}/${objectFileName(kind, metadata.name)}`,
      format: 'yaml',
      data: object,
      app: app.name,
    };
  });
  const names = files.map((file) => file.path.slice(dir.length + 1));
  return [...files, { ...kustomizationFile(dir, names), app: app.name }];
}
