/** .github/workflows/terraform.yml: lints clean with actionlint, least privilege, OIDC only. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatActionlintErrors, lintWorkflow } from '../../support/actionlint.ts';
import { inCI, projectRoot, which } from '../../support/tools.ts';

const PATH = '.github/workflows/terraform.yml';
const text = readFileSync(join(projectRoot, PATH), 'utf8');

interface Step {
  readonly name?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly if?: string;
  readonly environment?: string;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly strategy?: { 'max-parallel'?: number };
  readonly permissions?: Record<string, string>;
  readonly needs?: string[];
  readonly steps: Step[];
}
const workflow = parse(text) as {
  permissions: unknown;
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
};

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

  const run = (job: string) => workflow.jobs[job]!.steps.map((step) => step.run ?? '').join('\n');
  /** The one line of a job's scripts that starts with `prefix`. */
  const line = (job: string, prefix: string): string => {
    const found = run(job)
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith(prefix));
    expect(found, `${job}: one line starting ${prefix}`).toHaveLength(1);
    return found[0]!;
  };

  it('validates every stack, and plans the stacks `envmatrix affected` lists', () => {
    expect(run('validate')).toContain('terraform -chdir="$dir" init -backend=false -input=false');
    expect(run('validate')).toContain('terraform -chdir="$dir" validate');
    expect(run('affected')).toContain('node bin/envmatrix.js affected --base "$BASE" --json');
    expect(workflow.jobs.plan?.needs).toEqual(['validate', 'affected']);
    expect(run('plan')).toContain('terraform -chdir="$STACK" plan -input=false -lock=false');
  });

  it('names no cloud outside the credentials steps, which each cloud guards by the stack’s cloud', () => {
    const isCredentials = (step: Step): boolean =>
      step.uses?.startsWith('aws-actions/') === true || step.name === 'a credentials step for every cloud';
    const outsideCredentials = Object.values(workflow.jobs)
      .flatMap((job) => job.steps)
      .filter((step) => !isCredentials(step))
      .map((step) => JSON.stringify(step));
    expect(outsideCredentials.join('\n')).not.toMatch(/\baws\b/);
    const credentials = workflow.jobs.plan!.steps.find((s) => s.uses?.startsWith('aws-actions/'));
    expect(credentials?.if).toBe("matrix.stack.cloud == 'aws'");
    const guard = workflow.jobs.plan!.steps.find((s) => s.name === 'a credentials step for every cloud');
    expect(guard?.if).toBe(`\${{ !contains(fromJSON('["aws", "gcp", "azure"]'), matrix.stack.cloud) }}`);
  });

  it('gets GCP credentials by Workload Identity Federation and Azure by federated credentials, per cloud', () => {
    const steps = workflow.jobs.plan!.steps;
    const google = steps.find((s) => s.uses?.startsWith('google-github-actions/auth@'));
    expect(google?.if).toBe("matrix.stack.cloud == 'gcp'");
    expect(google?.with).toMatchObject({
      workload_identity_provider: '${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}',
    });
    const azure = steps.filter((s) => s.uses?.startsWith('azure/login@') || s.name?.startsWith('azure OIDC'));
    expect(azure.map((s) => s.if)).toEqual([
      "matrix.stack.cloud == 'azure'",
      "matrix.stack.cloud == 'azure'",
    ]);
    expect(azure[1]!.run).toContain('echo "ARM_USE_OIDC=true"');
    expect(text).not.toMatch(/credentials_json|client-secret|ARM_CLIENT_SECRET/);
  });

  describe.skipIf(!which('jq') && !inCI)('its jq, run on real files', () => {
    const bash = (script: string, cwd: string, env: Record<string, string> = {}): string =>
      execFileSync('bash', ['-c', script], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });

    it('validates the folder of every terraform file generated/index.json lists, whatever the cloud', () => {
      const listed = bash(
        `${line('validate', 'mapfile -t stacks')}; printf '%s\\n' "\${stacks[@]}"`,
        projectRoot,
      );
      expect(listed.trim().split('\n')).toEqual([
        'generated/terraform/dev/aws/us-east-1',
        'generated/terraform/prod/aws/eu-west-1',
        // Prod's global traffic stack (Route 53) is an AWS stack like the regional ones.
        'generated/terraform/prod/aws/global',
        'generated/terraform/prod/aws/us-east-1',
        'generated/terraform/prod/azure/westeurope',
        'generated/terraform/staging/aws/us-east-1',
        'generated/terraform/staging/gcp/europe-west1',
      ]);
    });

    it('hands the plan job each stack’s folder and cloud, leaving removed stacks out', () => {
      const temp = mkdtempSync(join(tmpdir(), 'envmatrix-workflow-'));
      try {
        const stack = (scope: string, cloud: string, change: string) => ({
          scope,
          cloud,
          dir: `generated/terraform/${scope}`,
          change,
        });
        writeFileSync(
          join(temp, 'affected.json'),
          JSON.stringify({
            terraformStacks: [
              stack('prod/aws/us-east-1', 'aws', 'changed'),
              stack('prod/gcp/europe-west1', 'gcp', 'added'),
              stack('staging/aws/us-east-1', 'aws', 'removed'),
            ],
          }),
        );
        bash(line('affected', 'echo "stacks='), temp, {
          RUNNER_TEMP: temp,
          GITHUB_OUTPUT: join(temp, 'output'),
        });
        expect(readFileSync(join(temp, 'output'), 'utf8')).toBe(
          'stacks=[{"dir":"generated/terraform/prod/aws/us-east-1","cloud":"aws","env":"prod"},{"dir":"generated/terraform/prod/gcp/europe-west1","cloud":"gcp","env":"prod"}]\n',
        );
      } finally {
        rmSync(temp, { recursive: true, force: true });
      }
    });
  });

  it('pins every action by commit SHA', () => {
    const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((step) => step.uses ?? []));
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) expect(use).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  it('applies the saved plan on main, stack by stack, through the stack’s environment, never cancelled', () => {
    const apply = workflow.jobs.apply;
    expect(apply?.if).toContain("github.event_name == 'push'");
    expect(apply?.environment).toBe('terraform-${{ matrix.stack.env }}');
    expect(apply?.strategy?.['max-parallel']).toBe(1);
    expect(apply?.concurrency).toEqual({
      group: 'terraform-stack-${{ matrix.stack.dir }}',
      'cancel-in-progress': false,
    });
    expect(workflow.jobs.plan?.concurrency).toEqual(apply?.concurrency);
    expect(apply?.steps.map((s) => s.run ?? '').join('\n')).toContain('apply -input=false tfplan');
    expect(apply?.steps.some((s) => s.uses?.startsWith('actions/download-artifact@'))).toBe(true);
    expect(workflow.jobs.plan?.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@'))).toBe(true);
    expect(text).not.toContain('cancel-in-progress: true');
  });

  it('fails a plan with deletes or replacements unless the PR carries allow-destroy', () => {
    const gate = workflow.jobs.plan?.steps.find((s) => s.name === 'deletes and replacements');
    expect(gate?.run).toContain('tf:plan-risk');
    expect(JSON.stringify(gate)).toContain("'allow-destroy'");
  });

  it('checks drift every day with plan -detailed-exitcode and keeps one issue', () => {
    expect(workflow.on.schedule).toEqual([{ cron: '17 5 * * *' }]);
    const drift = workflow.jobs.drift;
    expect(drift?.permissions).toEqual({ contents: 'read', 'id-token': 'write', issues: 'write' });
    const script = drift?.steps.map((s) => s.run ?? '').join('\n') ?? '';
    expect(script).toContain('-detailed-exitcode');
    expect(script).toContain('--label terraform-drift');
    expect(script).toContain('gh issue edit');
  });
});
