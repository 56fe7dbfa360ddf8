/** Text the CLI prints for people: explanations, check results, tables. */
import Table from 'cli-table3';
import { describeTerraformCoverage } from '../generators/terraform/plan.ts';
import type { Explanation } from '../matrix/explain.ts';
import type { ResolvedMatrix } from '../matrix/types.ts';
import type { CheckResult } from '../output/synth.ts';

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

export function formatExplanation(explanation: Explanation): string {
  const lines = [`${explanation.target} ${explanation.app} ${explanation.path} = ${show(explanation.value)}`];
  for (const { path, steps } of explanation.chains) {
    const last = steps[steps.length - 1];
    if (!last) continue;
    if (explanation.chains.length > 1 || path !== explanation.path) lines.push(`  ${path}:`);
    lines.push(`    ${show(last.value)} — set by ${last.layer} (${last.source})`);
    for (const step of [...steps].reverse().slice(1))
      lines.push(`      over ${step.layer} ${show(step.value)} (${step.source})`);
  }
  return lines.join('\n');
}

export function formatCheck(result: CheckResult): string {
  if (result.ok) return 'generated/ is up to date.';
  const section = (title: string, paths: readonly string[]) =>
    paths.length === 0 ? [] : [`${title} (${paths.length}):`, ...paths.map((p) => `  generated/${p}`)];
  return [
    'generated/ is out of date: run `npm run synth` and commit the result.',
    ...section('stale — content differs from a fresh synth', result.stale),
    ...section('missing — a fresh synth writes them', result.missing),
    ...section('extra — a fresh synth does not write them', result.extra),
  ].join('\n');
}

export function formatMatrixTable(matrix: ResolvedMatrix): string {
  const table = new Table({
    head: ['env', 'cloud', 'region', 'cluster', 'engine', 'wave', 'zones', 'terraform', 'apps'],
    style: { head: [], border: [] },
  });
  for (const target of matrix.targets) {
    table.push([
      target.env,
      target.cloud,
      target.region,
      target.cluster,
      target.engine,
      String(target.wave),
      String(target.zones.length),
      describeTerraformCoverage(matrix, target),
      target.apps
        .map((app) => `${app.name} ${app.values.image.tag}${app.values.image.digest ? ' @' : ''}`)
        .join(', '),
    ]);
  }
  const order = matrix.environments.map((env) => env.name).join(' → ');
  return `${table.toString()}\npromotion order: ${order}   (@ = pinned by digest)`;
}
