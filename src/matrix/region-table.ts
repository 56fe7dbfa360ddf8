/**
 * The region catalogue as a Markdown table, for the README: one row per cloud and jurisdiction, so a
 * user writing `placement.residency` or a `jurisdiction` selector sees which regions it means.
 * test/matrix/regions.test.ts fails when the README's copy differs from this.
 */
import { REGIONS, type Jurisdiction, type PublicCloud } from './regions.ts';

export const REGION_TABLE_START = '<!-- region-catalogue:start (generated from src/matrix/regions.ts) -->';
export const REGION_TABLE_END = '<!-- region-catalogue:end -->';

const JURISDICTION_ORDER: readonly Jurisdiction[] = ['eu', 'us', 'apac', 'other'];

export function regionTableMarkdown(): string {
  const rows = ['| cloud | jurisdiction | regions |', '| --- | --- | --- |'];
  for (const cloud of Object.keys(REGIONS) as PublicCloud[]) {
    const regions: Record<string, { jurisdiction: Jurisdiction }> = REGIONS[cloud];
    for (const jurisdiction of JURISDICTION_ORDER) {
      const names = Object.keys(regions)
        .filter((name) => regions[name]!.jurisdiction === jurisdiction)
        .sort();
      if (names.length > 0)
        rows.push(`| ${cloud} | ${jurisdiction} | ${names.map((n) => `\`${n}\``).join(', ')} |`);
    }
  }
  return `${REGION_TABLE_START}\n${rows.join('\n')}\n${REGION_TABLE_END}`;
}
