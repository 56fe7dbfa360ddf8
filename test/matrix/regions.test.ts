/**
 * Finding 11 (issue 11): the README had no region catalogue and the catalogue lacked current regions.
 * The README's table is generated from src/matrix/regions.ts; run with UPDATE_README=1 to rewrite it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { REGION_TABLE_END, REGION_TABLE_START, regionTableMarkdown } from '../../src/matrix/region-table.ts';
import { regionInfo } from '../../src/matrix/regions.ts';
import { projectRoot } from '../support/tools.ts';

const README = join(projectRoot, 'README.md');

describe('region catalogue (finding 11)', () => {
  it('finding 11: the README carries the region table generated from regions.ts', async () => {
    // The README is prettier-formatted (npm run lint), so the table is compared as prettier lays it out.
    const options = (await resolveConfig(README)) ?? {};
    const expected = (await format(regionTableMarkdown(), { ...options, parser: 'markdown' })).trimEnd();
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(REGION_TABLE_START);
    const end = readme.indexOf(REGION_TABLE_END);
    const current = start >= 0 && end > start ? readme.slice(start, end + REGION_TABLE_END.length) : '';
    if (process.env['UPDATE_README'] === '1' && current !== '') {
      writeFileSync(README, readme.replace(current, expected));
      return;
    }
    expect(
      current,
      'README region table is stale: run UPDATE_README=1 npx vitest run test/matrix/regions.test.ts',
    ).toBe(expected);
  });

  it('finding 11: the catalogue has current regions of each cloud (gcp asia-northeast1 among them)', () => {
    expect(regionInfo('gcp', 'asia-northeast1')).toEqual({
      jurisdiction: 'apac',
      zones: ['asia-northeast1-a', 'asia-northeast1-b', 'asia-northeast1-c'],
    });
    expect(regionInfo('aws', 'eu-south-2')?.jurisdiction).toBe('eu');
    expect(regionInfo('azure', 'swedencentral')?.jurisdiction).toBe('eu');
    expect(regionInfo('gcp', 'europe-west6')?.jurisdiction).toBe('other');
  });

  it('follows the clouds’ region lists of 2026-11-30 (sources in regions.ts)', () => {
    expect(regionInfo('aws', 'ap-southeast-6')).toEqual({
      jurisdiction: 'apac',
      zones: ['ap-southeast-6a', 'ap-southeast-6b', 'ap-southeast-6c'],
    });
    expect(regionInfo('gcp', 'asia-southeast3')).toEqual({
      jurisdiction: 'apac',
      zones: ['asia-southeast3-a', 'asia-southeast3-b', 'asia-southeast3-c'],
    });
    expect(regionInfo('azure', 'austriaeast')).toEqual({ jurisdiction: 'eu', zones: ['1', '2', '3'] });
    expect(regionInfo('azure', 'belgiumcentral')).toEqual({ jurisdiction: 'eu', zones: ['1', '2', '3'] });
    // Not on Microsoft's list of Azure regions: Jio-only, and one still coming.
    expect(regionInfo('azure', 'jioindiawest')).toBeUndefined();
    expect(regionInfo('azure', 'jioindiacentral')).toBeUndefined();
    expect(regionInfo('azure', 'denmarkeast')).toBeUndefined();
  });
});
