/** The report page's stylesheet and script, shipped beside this module and inlined into the page. */
import { readFile } from 'node:fs/promises';
import type { ReportAssets } from './page.ts';

export async function loadReportAssets(): Promise<ReportAssets> {
  const [css, js] = await Promise.all([
    readFile(new URL('./assets/report.css', import.meta.url), 'utf8'),
    readFile(new URL('./assets/report.js', import.meta.url), 'utf8'),
  ]);
  return { css, js };
}
