/**
 * `compare` as text for a terminal. Per app: the intended differences, then the unexpected ones; each
 * value difference names the rendered objects it shows up in, and rendered fields that no value
 * explains are listed on their own, field by field.
 */
import {
  isUnexplained,
  placementCauses,
  type AppComparison,
  type Comparison,
  type DifferenceGroup,
  type TargetSummary,
} from './compare.ts';

const describe = (t: TargetSummary): string =>
  `${t.id} (${t.cloud} ${t.region}, ${t.engine}, wave ${t.wave})`;

/** Long values (a strategy as JSON, an image reference) are cut so a line stays readable. */
function clip(text: string | undefined, width = 60): string {
  if (text === undefined) return '(none)';
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function renderedInto(app: AppComparison, path: string): string[] {
  return app.objects
    .filter((o) => o.explainedBy === path || o.fields.some((f) => f.explainedBy === path))
    .map((o) => {
      if (o.status !== 'changed') return `${o.object} (${o.status === 'only-a' ? 'only on a' : 'only on b'})`;
      const n = o.fields.filter((f) => f.explainedBy === path).length;
      return `${o.object} (${n} field${n === 1 ? '' : 's'})`;
    });
}

function groupLines(app: AppComparison, group: DifferenceGroup): string[] {
  const values = app.values.filter((v) => v.group === group);
  const objects = group === 'unexpected' ? app.objects.filter(isUnexplained) : [];
  const placements = group === 'intended' ? placementCauses(app) : [];
  const total = values.length + objects.length + placements.length;
  if (total === 0) return [];
  const lines = [`  ${group} (${total})`];
  for (const cause of placements) {
    lines.push(`    ${cause}: placed on one of the two targets only`);
    lines.push(`      rendered in: ${renderedInto(app, cause).join(', ')}`);
  }
  for (const v of values) {
    lines.push(`    ${v.path}: ${clip(v.a?.value)} ↔ ${clip(v.b?.value)}`);
    lines.push(`      ${v.explanation}`);
    const objectsOf = renderedInto(app, v.path);
    if (objectsOf.length > 0) lines.push(`      rendered in: ${objectsOf.join(', ')}`);
  }
  for (const o of objects) {
    if (o.status !== 'changed') {
      lines.push(`    ${o.object}: only on ${o.status === 'only-a' ? 'a' : 'b'}, and no value explains it`);
      continue;
    }
    lines.push(`    ${o.object}: rendered differently, and no value explains it`);
    for (const f of o.fields.filter((field) => field.explainedBy === undefined))
      lines.push(`      ${f.path}: ${clip(f.a)} ↔ ${clip(f.b)}`);
  }
  return lines;
}

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function formatComparison(comparison: Comparison): string {
  const { a, b } = comparison;
  const lines = [`compare ${a.id} ↔ ${b.id}`, `  a: ${describe(a)}`, `  b: ${describe(b)}`];
  for (const app of comparison.apps) {
    lines.push('');
    if (app.placed !== 'both') {
      lines.push(`${app.app}: placed only on ${app.placed === 'a' ? a.id : b.id} (its placement says so)`);
      continue;
    }
    const differ = app.values.length + app.objects.length;
    lines.push(
      `${app.app}: ${app.sameValues} values and ${app.sameObjects} objects the same` +
        (differ === 0
          ? '; nothing differs'
          : `; ${count(app.values.length, 'value')} and ${count(app.objects.length, 'object')} differ`),
    );
    lines.push(...groupLines(app, 'intended'), ...groupLines(app, 'unexpected'));
  }
  const { intended, unexpected } = comparison.counts;
  lines.push('', `${intended} intended, ${unexpected} unexpected difference${unexpected === 1 ? '' : 's'}.`);
  return lines.join('\n');
}
