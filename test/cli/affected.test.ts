/**
 * `envmatrix affected`: the index comparison as a pure function, then the command against a real git
 * repository (the index at a commit vs the working tree), through the real CLI.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareIndexes,
  formatAffected,
  indexAtRevision,
  workingTreeIndex,
  type AffectedReport,
} from '../../src/cli/affected.ts';
import { UsageError } from '../../src/core/errors.ts';
import { serializeIndex, type GeneratedIndex, type IndexEntry } from '../../src/output/index-file.ts';
import { gitEnv, runGit } from '../support/git-remote.ts';
import { projectRoot } from '../support/tools.ts';

const entry = (generator: string, scope: string, sha: string, inputHash = 'in'): IndexEntry => ({
  generator,
  scope,
  inputHash,
  sha256: sha,
});

const BEFORE: GeneratedIndex = {
  version: 1,
  files: {
    'schema/releases.schema.json': entry('schema', '*', 's1'),
    'values/dev/aws/us-east-1/main.json': entry('values', 'dev/aws/us-east-1/main', 'v1'),
    'values/prod/aws/us-east-1/main.json': entry('values', 'prod/aws/us-east-1/main', 'p1'),
    'argocd/prod/project.yaml': entry('argocd', 'prod', 'a1'),
    'terraform/dev/aws/us-east-1/main.tf.json': entry('terraform', 'dev/aws/us-east-1', 't1'),
    'terraform/prod/aws/us-east-1/main.tf.json': entry('terraform', 'prod/aws/us-east-1', 't2'),
    'terraform/staging/aws/us-east-1/main.tf.json': entry('terraform', 'staging/aws/us-east-1', 't3'),
  },
};

const AFTER: GeneratedIndex = {
  version: 1,
  files: {
    // A new envmatrix version changes every input hash; the bytes, and so the report, stay the same.
    'schema/releases.schema.json': entry('schema', '*', 's1', 'in2'),
    'values/dev/aws/us-east-1/main.json': entry('values', 'dev/aws/us-east-1/main', 'v1', 'in2'),
    'values/prod/aws/us-east-1/main.json': entry('values', 'prod/aws/us-east-1/main', 'p2'),
    'argocd/prod/project.yaml': entry('argocd', 'prod', 'a2'),
    'terraform/dev/aws/us-east-1/main.tf.json': entry('terraform', 'dev/aws/us-east-1', 't1'),
    'terraform/prod/aws/us-east-1/main.tf.json': entry('terraform', 'prod/aws/us-east-1', 't2b'),
    'terraform/prod/aws/eu-west-1/main.tf.json': entry('terraform', 'prod/aws/eu-west-1', 't4'),
  },
};

const EXPECTED: AffectedReport = {
  base: 'main',
  files: [
    { path: 'generated/argocd/prod/project.yaml', change: 'changed', generator: 'argocd', scope: 'prod' },
    {
      path: 'generated/terraform/prod/aws/eu-west-1/main.tf.json',
      change: 'added',
      generator: 'terraform',
      scope: 'prod/aws/eu-west-1',
    },
    {
      path: 'generated/terraform/prod/aws/us-east-1/main.tf.json',
      change: 'changed',
      generator: 'terraform',
      scope: 'prod/aws/us-east-1',
    },
    {
      path: 'generated/terraform/staging/aws/us-east-1/main.tf.json',
      change: 'removed',
      generator: 'terraform',
      scope: 'staging/aws/us-east-1',
    },
    {
      path: 'generated/values/prod/aws/us-east-1/main.json',
      change: 'changed',
      generator: 'values',
      scope: 'prod/aws/us-east-1/main',
    },
  ],
  targets: ['prod/aws/us-east-1/main'],
  terraformStacks: [
    {
      scope: 'prod/aws/eu-west-1',
      cloud: 'aws',
      dir: 'generated/terraform/prod/aws/eu-west-1',
      change: 'added',
    },
    {
      scope: 'prod/aws/us-east-1',
      cloud: 'aws',
      dir: 'generated/terraform/prod/aws/us-east-1',
      change: 'changed',
    },
    {
      scope: 'staging/aws/us-east-1',
      cloud: 'aws',
      dir: 'generated/terraform/staging/aws/us-east-1',
      change: 'removed',
    },
  ],
  scopes: [
    'prod',
    'prod/aws/eu-west-1',
    'prod/aws/us-east-1',
    'prod/aws/us-east-1/main',
    'staging/aws/us-east-1',
  ],
};

const TEXT = `5 files in generated/ differ from main.

Targets (1):
  prod/aws/us-east-1/main

Terraform stacks (3):
  generated/terraform/prod/aws/eu-west-1  added
  generated/terraform/prod/aws/us-east-1  changed
  generated/terraform/staging/aws/us-east-1  removed

Other scopes (environments, whole matrix) (1):
  prod`;

describe('compareIndexes', () => {
  it('lists files whose bytes differ, the targets and stacks they belong to, and every scope', () => {
    expect(compareIndexes('main', BEFORE, AFTER)).toEqual(EXPECTED);
  });

  it('counts everything as added when the base has no index', () => {
    const report = compareIndexes('v0', undefined, AFTER);
    expect(report.files.every((f) => f.change === 'added')).toBe(true);
    expect(report.targets).toEqual(['dev/aws/us-east-1/main', 'prod/aws/us-east-1/main']);
    expect(formatAffected(report, false).split('\n')[0]).toBe(
      'v0 has no generated/index.json: everything in generated/ counts as added.',
    );
  });

  it('says so when nothing differs', () => {
    expect(formatAffected(compareIndexes('main', AFTER, AFTER), true)).toBe(
      'generated/ is the same as at main: no targets or Terraform stacks to plan.',
    );
  });
});

describe('envmatrix affected in a git repository', () => {
  let repo = '';

  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, [join(projectRoot, 'bin/envmatrix.js'), '--root', repo, ...args], {
      cwd: repo,
      env: gitEnv(),
    });

  function writeIndex(index: GeneratedIndex): void {
    mkdirSync(join(repo, 'generated'), { recursive: true });
    writeFileSync(join(repo, 'generated/index.json'), serializeIndex(index));
  }

  beforeAll(async () => {
    repo = mkdtempSync(join(tmpdir(), 'envmatrix-affected-'));
    await runGit(['init', '--quiet', '--initial-branch=main'], { cwd: repo });
    writeFileSync(join(repo, 'README.md'), 'before generated/\n');
    await runGit(['add', '.'], { cwd: repo });
    await runGit(['commit', '--quiet', '-m', 'no generated/ yet'], { cwd: repo });
    await runGit(['tag', 'v0'], { cwd: repo });
    writeIndex(BEFORE);
    await runGit(['add', '.'], { cwd: repo });
    await runGit(['commit', '--quiet', '-m', 'synth'], { cwd: repo });
    writeIndex(AFTER);
  });

  afterAll(() => {
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  it('compares the index at the base with the working tree’s, as JSON for CI', async () => {
    const { stdout } = await cli('affected', '--base', 'main', '--json');
    expect(JSON.parse(stdout)).toEqual(EXPECTED);
  });

  it('prints the same for people', async () => {
    const { stdout } = await cli('affected', '--base', 'main');
    expect(stdout).toBe(`${TEXT}\n`);
  });

  it('treats a base without generated/index.json as empty', async () => {
    expect(await indexAtRevision(repo, 'v0')).toBeUndefined();
    expect(await indexAtRevision(repo, 'HEAD')).toEqual(BEFORE);
  });

  it('needs a synthesized working tree', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'envmatrix-affected-empty-'));
    try {
      await expect(workingTreeIndex({ root: empty, matrix: 'src/environments/index.ts' })).rejects.toThrow(
        new UsageError(
          'generated/index.json is missing or unreadable in the working tree; run npm run synth first',
        ),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a base that is not a commit, saying how to fetch it', async () => {
    await expect(indexAtRevision(repo, 'origin/main')).rejects.toThrow(UsageError);
    const failed = await cli('affected', '--base', 'origin/main').catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toBe(
      `envmatrix: --base origin/main is not a commit in ${repo} (git rev-parse found nothing); fetch it first (in GitHub Actions: actions/checkout with fetch-depth: 0), or pass a commit SHA\n`,
    );
  });
});
