import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatActionlintErrors, lintWorkflow } from '../support/actionlint.ts';
import { projectRoot } from '../support/tools.ts';

const PATH = '.github/workflows/promote.yml';

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: unknown;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { if: string; permissions: Record<string, string>; steps: Step[] }>;
}

describe('.github/workflows/promote.yml', async () => {
  const text = await readFile(join(projectRoot, PATH), 'utf8');
  const workflow = parse(text) as Workflow;

  it('passes actionlint', async () => {
    expect(formatActionlintErrors(PATH, await lintWorkflow(text, PATH))).toBe('');
  });

  it('runs on pushes that change pins, hourly for soak and freeze gates, by hand, and on a pin dispatch', () => {
    expect(workflow.on.push).toEqual({ branches: ['main'], paths: ['src/environments/releases/**'] });
    expect(workflow.on.schedule).toEqual([{ cron: '17 * * * *' }]);
    expect(Object.keys((workflow.on.workflow_dispatch as { inputs: object }).inputs)).toEqual([
      'from',
      'to',
      'apps',
      'wave',
      'dry_run',
    ]);
    expect(workflow.on.repository_dispatch).toEqual({ types: ['envmatrix-pin'] });
    expect(workflow.concurrency).toEqual({ group: 'envmatrix-promote', 'cancel-in-progress': false });
  });

  it('grants nothing at the top and only what each job needs', () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.promote?.permissions).toEqual({
      contents: 'write',
      'pull-requests': 'write',
      statuses: 'write',
      checks: 'read',
    });
    expect(workflow.jobs.pin?.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
  });

  it('keeps the token off disk and out of scripts, and feeds inputs through the environment', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const checkouts = job.steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
      expect(
        checkouts.map((s) => s.with?.['persist-credentials']),
        name,
      ).toEqual([false]);
      for (const step of job.steps.filter((s) => s.run)) {
        expect(step.run, `${name}: no expression inside a script`).not.toContain('${{');
      }
      const bot = job.steps.find((s) => s.run?.includes('bin/envmatrix.js'));
      expect(bot?.env?.GITHUB_TOKEN).toBe('${{ steps.app.outputs.token || secrets.GITHUB_TOKEN }}');
    }
    expect(
      workflow.jobs.promote?.steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.[
        'fetch-depth'
      ],
    ).toBe(0);
    expect(workflow.jobs.pin?.steps.find((s) => s.run?.includes(' pin '))?.env).toMatchObject({
      PIN_ENV: '${{ github.event.client_payload.env }}',
      PIN_TAG: '${{ github.event.client_payload.tag }}',
      PIN_DIGEST: '${{ github.event.client_payload.digest }}',
      PIN_MIGRATE_DIGEST: '${{ github.event.client_payload.migrate_digest }}',
    });
  });
});
