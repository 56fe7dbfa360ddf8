/**
 * The report page end to end in headless Chromium (Debian's package, driven by playwright-core): build
 * it with the CLI for the example matrix with a made-up git history, open it from a file, filter to one
 * app with the keyboard, open the compare view, assert what it shows, run axe-core, check it on a phone
 * and that it made no request, and save screenshots under test-artifacts/report/.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareTargets } from '../../src/fleet/compare.ts';
import { loadMatrix } from '../../src/matrix/load.ts';
import { axeSource, launchChromium, requireChromium } from '../support/chromium.ts';
import type { ProjectCopy } from '../support/project-copy.ts';
import { projectRoot } from '../support/tools.ts';
import { gitProject, pinsWith, type HistoryCommit } from './git-project.ts';

const chromium = requireChromium();
const run = promisify(execFile);
export const ARTIFACTS = join(projectRoot, 'test-artifacts/report');
const STAGING = 'staging/aws/us-east-1/main';
const PROD = 'prod/aws/us-east-1/main';

describe.skipIf(!chromium.available)('report page in Chromium', () => {
  let project: ProjectCopy;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    project = await gitProject(async (root): Promise<HistoryCommit[]> => [
      {
        at: '2026-11-20T09:00:00Z',
        subject: 'Pin api 1.4.2 in dev',
        files: {
          'src/environments/releases/dev.json': await pinsWith(root, 'dev', 'api', '1.4.2'),
          'src/environments/releases/prod.json': await pinsWith(root, 'prod', 'api', '1.4.1'),
        },
      },
      {
        at: '2026-11-21T15:30:00Z',
        subject: 'Promote api 1.4.1 → 1.4.2 to prod (#42)',
        files: { 'src/environments/releases/prod.json': await pinsWith(root, 'prod', 'api', '1.4.2') },
      },
      {
        at: '2026-11-22T00:00:00Z',
        subject: 'Pin api 1.6.0 in dev (#43)',
        files: { 'src/environments/releases/dev.json': await pinsWith(root, 'dev', 'api', '1.6.0') },
      },
    ]);
    const site = join(project.root, 'site');
    const { stdout } = await run(
      'node',
      [
        join(projectRoot, 'bin/envmatrix.js'),
        '--root',
        project.root,
        'report',
        '--out',
        site,
        '--now',
        '2026-11-30T02:00:00Z',
      ],
      { cwd: project.root },
    );
    expect(stdout).toMatch(
      /^Wrote .*\/site\/index\.html \(\d+ KB\): 7 clusters, 4 apps, 6 pending promotions\.\n$/,
    );
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`file://${join(site, 'index.html')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await project?.remove();
  });

  it('shows the fleet grid with each cell’s version, digest, strategy, replicas and engine', async () => {
    await expect(page.title()).resolves.toBe('Fleet report — acme/platform');
    const cell = page.locator('tr[data-target="prod/onprem/dc1/main"] td').first();
    await expect(cell.innerText()).resolves.toBe('1.4.2\nsha256:b326df8\ncanary · 6–30 · flux');
    expect(await page.locator('table.fleet tbody tr').count()).toBe(7);
  });

  it('filters to one app with the keyboard', async () => {
    await page.keyboard.press('Tab');
    await expect(page.evaluate<string>('document.activeElement.textContent')).resolves.toBe(
      'Skip to content',
    );
    // Page code runs as strings: the project's TypeScript has no DOM types.
    // Tab on to the App filter, then choose "api" with the arrow key, as a keyboard user would.
    for (let i = 0; i < 20; i++) {
      if (await page.evaluate<boolean>("document.activeElement.name === 'app'")) break;
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('#filters select[name=app]').inputValue()).resolves.toBe('api');
    await expect(page.locator('#fleet-status').innerText()).resolves.toBe(
      'Showing 7 of 7 clusters, app api.',
    );
    const visibleHeads = await page.locator('table.fleet thead th[data-app]:visible').allInnerTexts();
    expect(visibleHeads).toEqual(['api']);
    await expect(
      page.locator('tr[data-target="prod/aws/us-east-1/main"] td:visible').allInnerTexts(),
    ).resolves.toEqual(['1.4.2\nsha256:b326df8\ncanary · 6–30 · argocd']);
    await page.locator('#filters select[name=env]').selectOption('prod');
    await expect(page.locator('#fleet-status').innerText()).resolves.toBe(
      'Showing 4 of 7 clusters, app api.',
    );
    await page.screenshot({ path: join(ARTIFACTS, 'fleet-report-filtered.png'), fullPage: true });
  });

  it('opens the compare view and classifies differences as compare does', async () => {
    await page.getByRole('link', { name: 'Compare' }).click();
    const form = page.locator('#compare-form');
    await expect(form.locator('select[name=app]').inputValue()).resolves.toBe('api'); // from the filter
    await form.locator('select[name=a]').selectOption(STAGING);
    await form.locator('select[name=b]').selectOption(PROD);
    await form.getByRole('button', { name: 'Compare' }).click();
    const rows = (await page.locator('#compare-result tbody tr').allInnerTexts()).map((row) =>
      row.split('\t'),
    );
    // The checkout holds the same example; its source paths read as the CLI in the copy printed them.
    const matrix = (await loadMatrix({ root: projectRoot })).resolved;
    const expected = compareTargets({
      matrix,
      a: STAGING,
      b: PROD,
      app: 'api',
      rendered: () => new Map(),
    }).apps[0]!.values.map((v) => [
      v.path,
      v.a?.value ?? '(none)',
      v.b?.value ?? '(none)',
      v.group,
      v.explanation,
    ]);
    expect(rows).toEqual(expected);
    expect(rows.map((r) => [r[0], r[3]])).toEqual([
      ['image.tag', 'unexpected'],
      ['scaling.max', 'intended'],
      ['scaling.min', 'intended'],
      ['sloAlerts', 'intended'],
      ['target.destinations.postgres.cidrs', 'intended'],
    ]);
    await expect(page.locator('#compare-result p').first().innerText()).resolves.toBe(
      '5 of 26 values differ: 4 intended, 1 unexpected.',
    );
  });

  it('shows the pipeline with pending promotions, the gate holding each and when it clears', async () => {
    const prod = page.locator('.stage[data-env=prod]');
    await expect(prod.locator('.meta').first().innerText()).resolves.toBe(
      'soak 1d · frozen until 2026-11-30 07:00 UTC',
    );
    await expect(prod.locator('.pending > li').first().locator('summary').innerText()).resolves.toBe(
      'api 1.4.2 → 1.5.0 (wave 0) held by freeze clears 2026-11-30 07:00 UTC',
    );
    await expect(page.locator('.stage[data-env=staging] .pending summary').first().innerText()).resolves.toBe(
      'api 1.5.0 → 1.6.0 ready',
    );
  });

  it('shows the promotion history from git with the PR, and the lead time from dev to prod', async () => {
    const prodRows = (await page.locator('#history-prod + .scroll tbody tr').allInnerTexts()).map((row) =>
      row.split('\t'),
    );
    expect(prodRows[0]).toEqual([
      '2026-11-21 15:30 UTC',
      'api',
      '1.4.1 → 1.4.2',
      'all',
      expect.any(String),
      '#42',
    ]);
    await expect(page.locator('#history-prod + .scroll a').getAttribute('href')).resolves.toBe(
      'https://github.com/acme/platform/pull/42',
    );
    const lead = (await page.locator('#lead-h + .scroll tbody tr').allInnerTexts()).map((row) =>
      row.split('\t'),
    );
    expect(lead).toContainEqual([
      'api',
      '1.4.2',
      '2026-11-20 09:00 UTC',
      '2026-11-21 15:30 UTC',
      '1d 6h 30m',
    ]);
  });

  it('passes axe-core’s WCAG 2.1 A/AA and best-practice rules, compare view open', async () => {
    await page.addScriptTag({ content: await axeSource() });
    const violations = await page.evaluate<{ passes: number; violations: string[] }>(`(async () => {
      const result = await window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      });
      return {
        passes: result.passes.length,
        violations: result.violations.map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')),
      };
    })()`);
    expect(violations.violations).toEqual([]);
    expect(violations.passes).toBeGreaterThan(20); // it did check the page
    await page.screenshot({ path: join(ARTIFACTS, 'fleet-report.png'), fullPage: true });
  });

  it('the accessibility check can fail: a filter without its label is reported', async () => {
    const violations = await page.evaluate<string[]>(`(async () => {
      const select = document.querySelector('#filters select[name=cloud]');
      select.closest('label').replaceWith(select);
      const result = await window.axe.run(document, { runOnly: { type: 'rule', values: ['label', 'select-name'] } });
      return result.violations.map((v) => v.id);
    })()`);
    expect(violations).toContain('select-name');
  });

  it('is readable on a phone: no sideways scrolling of the page, the grid scrolls in its own region', async () => {
    const phone = await browser.newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    phone.on('request', (request) => requests.push(request.url()));
    await phone.goto(page.url());
    // A mobile viewport widens to fit content that overflows, so compare with the device width itself.
    const widths = await phone.evaluate<Record<'page' | 'viewport' | 'table' | 'region' | 'font', number>>(`({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      table: document.querySelector('table.fleet').scrollWidth,
      region: document.querySelector('#fleet .scroll').clientWidth,
      font: parseFloat(getComputedStyle(document.body).fontSize),
    })`);
    expect(widths.viewport).toBe(390);
    expect(widths.page).toBe(390);
    expect(widths.table).toBeGreaterThan(390); // the grid is wider than a phone…
    expect(widths.region).toBeLessThanOrEqual(390); // …and scrolls inside its region
    expect(widths.font).toBeGreaterThanOrEqual(16);
    await phone.screenshot({ path: join(ARTIFACTS, 'fleet-report-phone.png'), fullPage: true });
    await phone.close();
  });

  it('made no network request: everything it needs is in the file', async () => {
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    await expect(page.evaluate<number>("performance.getEntriesByType('resource').length")).resolves.toBe(0);
  });
});
