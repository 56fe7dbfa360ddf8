import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatActionlintErrors, lintWorkflow } from '../support/actionlint.ts';
import { projectRoot } from '../support/tools.ts';

const PATH = '.github/workflows/preview.yml';

interface Workflow {
  on: { pull_request: { paths: string[] } };
  permissions: unknown;
  jobs: Record<
    string,
    {
      if: string;
      permissions: Record<string, string>;
      steps: { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }[];
    }
  >;
}

describe('.github/workflows/preview.yml', async () => {
  const text = await readFile(join(projectRoot, PATH), 'utf8');
  const workflow = parse(text) as Workflow;
  const job = workflow.jobs.preview!;

  it('passes actionlint', async () => {
    expect(formatActionlintErrors(PATH, await lintWorkflow(text, PATH))).toBe('');
  });

  it('runs on pull requests that change the matrix, not on promotion PRs or forks', () => {
    expect(workflow.on.pull_request.paths).toContain('src/**');
    expect(job.if).toContain("!startsWith(github.head_ref, 'envmatrix/promote/')");
    expect(job.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });

  it('grants nothing at the top, and the job only read access plus PR comments', () => {
    expect(workflow.permissions).toEqual({});
    expect(job.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
  });

  it('posts the sticky preview through the CLI, with inputs only through the environment', () => {
    const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout'))!;
    expect(checkout.with).toEqual({ 'fetch-depth': 0, 'persist-credentials': false });
    const post = job.steps.find((s) => s.run?.includes('--comment'))!;
    expect(post.run).toBe(
      'node bin/envmatrix.js diff --base "$BASE_SHA" --format markdown --comment "$PR_NUMBER"',
    );
    expect(post.run).not.toContain('${{');
    expect(Object.keys(post.env!)).toEqual(['GITHUB_TOKEN', 'BASE_SHA', 'PR_NUMBER']);
  });
});
