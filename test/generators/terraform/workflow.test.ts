/** .github/workflows/terraform.yml: lints clean with actionlint, least privilege, OIDC only. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatActionlintErrors, lintWorkflow } from '../../support/actionlint.ts';
import { projectRoot } from '../../support/tools.ts';

const PATH = '.github/workflows/terraform.yml';
const text = readFileSync(join(projectRoot, PATH), 'utf8');

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly permissions?: Record<string, string>;
  readonly needs?: string[];
  readonly steps: Step[];
}
const workflow = parse(text) as { permissions: unknown; jobs: Record<string, Job> };

describe('the terraform workflow', () => {
  it('passes actionlint', async () => {
    const errors = await lintWorkflow(text, PATH);
    expect(errors, formatActionlintErrors(PATH, errors)).toEqual([]);
  });

  it('grants nothing by default, and each job only what it needs', () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.validate?.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.affected?.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs.plan?.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('gets AWS credentials by OIDC role assumption, never from long-lived keys', () => {
    const aws = workflow.jobs.plan!.steps.find((step) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(aws?.with).toMatchObject({ 'role-to-assume': '${{ vars.TERRAFORM_PLAN_ROLE_ARN }}' });
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|secrets\./);
  });

  it('validates every stack, and plans the stacks `envmatrix affected` lists', () => {
    const run = (job: string) => workflow.jobs[job]!.steps.map((step) => step.run ?? '').join('\n');
    expect(run('validate')).toContain('stacks=(generated/terraform/*/aws/*/)');
    expect(run('validate')).toContain('terraform -chdir="$dir" init -backend=false -input=false');
    expect(run('validate')).toContain('terraform -chdir="$dir" validate');
    expect(run('affected')).toContain('node bin/envmatrix.js affected --base "$BASE" --json');
    expect(workflow.jobs.plan?.needs).toEqual(['validate', 'affected']);
    expect(run('plan')).toContain('terraform -chdir="$STACK" plan -input=false -lock=false');
  });
});
