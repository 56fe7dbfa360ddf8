/**
 * FLEET.md's promotion flowchart is read by GitHub's Mermaid renderer, which shows a syntax error box
 * instead of the diagram when the text is wrong. This test runs Mermaid itself (the `mermaid` package's
 * browser bundle, the library GitHub renders with) in headless Chromium: it parses every ```mermaid block
 * of the committed generated/FLEET.md and of a fleet whose names and tags need escaping, renders them to
 * SVG, and checks the nodes and edge labels a reader sees. A broken diagram is shown to fail, so the
 * check can fail.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promotionFlowchart } from '../../src/generators/fleet/markdown.ts';
import { launchChromium, requireChromium } from '../support/chromium.ts';
import { projectRoot } from '../support/tools.ts';

const chromium = requireChromium();

/** The text of every ```mermaid block in a Markdown document. */
function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

interface Rendered {
  readonly ok: boolean;
  readonly error?: string;
  readonly nodes?: string[];
  readonly edges?: string[];
}

describe.skipIf(!chromium.available)('FLEET.md flowchart in Mermaid', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    const bundle = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
    await page.addScriptTag({ content: await readFile(bundle, 'utf8') });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  /** Parse strictly, then render to SVG and read back the node and edge label texts. */
  function render(diagram: string): Promise<Rendered> {
    return page.evaluate(async (text) => {
      const mermaid = (
        globalThis as unknown as {
          mermaid: {
            initialize(config: object): void;
            parse(text: string): Promise<unknown>;
            render(id: string, text: string): Promise<{ svg: string }>;
          };
        }
      ).mermaid;
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      try {
        await mermaid.parse(text);
        const { svg } = await mermaid.render(`d${Math.random().toString(36).slice(2)}`, text);
        // The DOM's own parser (tsconfig has no DOM lib: this function runs in the page).
        const { DOMParser } = globalThis as unknown as {
          DOMParser: new () => {
            parseFromString(
              text: string,
              type: string,
            ): {
              querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>;
            };
          };
        };
        // As HTML (labels are HTML in a foreignObject), each line break read as a space.
        const doc = new DOMParser().parseFromString(svg.replace(/<br\s*\/?>/g, ' '), 'text/html');
        const textOf = (selector: string) =>
          Array.from(doc.querySelectorAll(selector)).map((el) =>
            (el.textContent ?? '').replace(/\s+/g, ' ').trim(),
          );
        return { ok: true, nodes: textOf('g.node'), edges: textOf('g.edgeLabel').filter(Boolean) };
      } catch (error) {
        return { ok: false, error: String(error) };
      }
    }, diagram);
  }

  it('parses and renders every diagram in the committed generated/FLEET.md', async () => {
    const blocks = mermaidBlocks(await readFile(join(projectRoot, 'generated/FLEET.md'), 'utf8'));
    expect(blocks).toHaveLength(1);
    const result = await render(blocks[0]!);
    expect(result.error).toBeUndefined();
    // One node per environment, each led by its name, in promotion order.
    expect(result.nodes?.map((node) => node.split(' ')[0])).toEqual(['dev', 'staging', 'prod']);
    expect(result.edges).toHaveLength(2);
    for (const edge of result.edges ?? []) expect(edge).toMatch(/^ahead: /);
  }, 60_000);

  it('keeps a label with quotes, brackets and pipes inside its node', async () => {
    const diagram = promotionFlowchart([
      {
        env: 'qa',
        promotesTo: 'live',
        versions: [{ app: 'api', tags: [{ tag: '1.0.0-rc.1+build.5', waves: [0] }] }],
        ahead: [{ app: 'api', tag: '1.0.0-rc.1+build.5', next: 'live' }],
      },
      {
        env: 'live',
        versions: [
          {
            app: 'api',
            tags: [
              { tag: 'v"1"[x]|y', waves: [0] },
              { tag: '0.9.0', waves: [1, 2] },
            ],
          },
        ],
        ahead: [],
      },
    ])
      .slice(1, -1)
      .join('\n');
    const result = await render(diagram);
    expect(result.error).toBeUndefined();
    expect(result.nodes).toHaveLength(2);
    expect(result.nodes?.[1]).toContain('v"1"[x]|y');
  }, 60_000);

  it('fails on a broken diagram, so the checks above can fail', async () => {
    const result = await render('flowchart LR\n  env0["dev" --> env1');
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/Parse error/);
  }, 60_000);
});
