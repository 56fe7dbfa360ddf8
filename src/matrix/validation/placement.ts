/**
 * Placement and residency: the selectors of `placement` name things in the matrix, `residency` names
 * known jurisdictions, and each placed app runs next to the apps it depends on.
 */
import type { MatrixIssue } from '../errors.ts';
import { JURISDICTIONS, residencyOf } from '../placement.ts';
import { forEachAppInstance } from './app-values.ts';
import type { ValidationInput } from './rule.ts';
import { describeSelector, SELECTOR_FIX, selectorProblem } from './selectors.ts';

/** What each app's placement says, as written. */
export function validatePlacementDefinitions({ matrix }: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  for (const app of matrix.apps) {
    for (const jurisdiction of residencyOf(app) ?? []) {
      if (!JURISDICTIONS.includes(jurisdiction)) {
        issues.push({
          path: `apps.${app.name}.placement.residency`,
          message: `unknown jurisdiction "${jurisdiction}"`,
          source: app.source,
          fix: `use ${JURISDICTIONS.join(', ')}`,
        });
      }
    }
    for (const [kind, selectors] of [
      ['include', app.placement?.include ?? []],
      ['exclude', app.placement?.exclude ?? []],
    ] as const) {
      selectors.forEach((selector, index) => {
        const problem = selectorProblem(matrix, selector);
        if (problem) {
          issues.push({
            path: `apps.${app.name}.placement.${kind}[${index}]`,
            message: `${describeSelector(selector)} ${problem}`,
            source: app.source,
            fix: SELECTOR_FIX,
          });
        }
      });
    }
  }
  return issues;
}

/**
 * Where each app was placed: with its dependencies beside it. (Residency needs no rule here: it places,
 * so an app is never put outside its jurisdictions; `ls` and `explain` say where it was left out.)
 */
export function validatePlacedApps(input: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  const known = new Set(input.matrix.apps.map((app) => app.name));
  // Each target's apps, once per target rather than once per app on it (50 apps: 2,500 names a target).
  const placedOn = new Map<string, ReadonlySet<string>>();
  forEachAppInstance(input, issues, ({ target, app, definition, path }) => {
    // Placement is written in the app file, whatever set its values: the fix goes there.
    const at = (message: string, fix: string): void => {
      issues.push({ path, message, ...(definition && { source: definition.source }), fix });
    };
    let placed = placedOn.get(target.id);
    if (!placed) {
      placed = new Set(target.apps.map((a) => a.name));
      placedOn.set(target.id, placed);
    }
    for (const dependency of app.dependsOn) {
      if (known.has(dependency) && !placed.has(dependency)) {
        at(
          `depends on "${dependency}", which is not placed on ${target.id}`,
          `place "${dependency}" on ${target.id}, or exclude "${app.name}" from it`,
        );
      }
    }
  });
  return issues;
}
