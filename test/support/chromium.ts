/**
 * Headless Chromium for page tests: Debian's `chromium` package driven by playwright-core, never a
 * browser download. `ENVMATRIX_CHROMIUM` overrides the binary. Missing: a visible skip on a developer
 * machine, a failure under CI=true (see tools.ts).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser } from 'playwright-core';
import { requireTool, which, type ToolCheck } from './tools.ts';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];

export function chromiumPath(): string | undefined {
  return process.env.ENVMATRIX_CHROMIUM || which('chromium');
}

export function requireChromium(): ToolCheck {
  return requireTool(
    'chromium',
    chromiumPath(),
    'install Debian’s package: apt-get update && apt-get install -y chromium (or set ENVMATRIX_CHROMIUM)',
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath()!, args: CHROMIUM_FLAGS, headless: true });
}

/** axe-core's browser bundle, to inject into a page. */
export function axeSource(): Promise<string> {
  return readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
}
