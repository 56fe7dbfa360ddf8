/**
 * Warnings found while loading the matrix (a cluster on an EKS version in paid extended support) are
 * printed by every command that reads the matrix: one line each on stderr, with the matrix path, the
 * source and the fix, and the exit code unchanged.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatWarning } from '../../src/cli/warnings.ts';
import {
  defaultEksVersion,
  EKS_VERSIONS,
  eksAddonVersions,
  eksSupport,
} from '../../src/matrix/clouds/aws/versions.ts';
import { copyProject, type ProjectCopy } from '../support/project-copy.ts';
import { envmatrix } from './run.ts';

/** A version EKS keeps in extended support today, with pinned add-ons, so the matrix stays valid. */
function extendedVersion(now: Date) {
  const row = EKS_VERSIONS.find(
    (entry) => eksSupport(entry.version, now).status === 'extended' && eksAddonVersions(entry.version),
  );
  if (!row)
    throw new Error(
      'no EKS version with add-ons is in extended support today: update src/matrix/clouds/aws/versions.ts',
    );
  return row;
}

const MATRIX = 'src/environments/index.ts';
const DEV_CLUSTER = "aws('dev', 'us-east-1', {";

describe('loading warnings', () => {
  let project: ProjectCopy;
  let expected: string;

  beforeAll(async () => {
    const now = new Date();
    const row = extendedVersion(now);
    project = await copyProject();
    const file = join(project.root, MATRIX);
    const text = await readFile(file, 'utf8');
    expect(text).toContain(DEV_CLUSTER);
    await writeFile(file, text.replace(DEV_CLUSTER, `${DEV_CLUSTER} kubernetesVersion: '${row.version}',`));
    const line = text.slice(0, text.indexOf(DEV_CLUSTER)).split('\n').length;
    expected =
      `warning: [clusters[0] dev/aws/us-east-1/main] kubernetesVersion ${row.version} is in EKS extended support ` +
      `(standard support ended ${row.endOfStandardSupport}; extended ends ${row.endOfExtendedSupport}), which costs extra per cluster-hour ` +
      `(${MATRIX}:${line}); fix: upgrade to ${defaultEksVersion(now)}, one minor at a time\n`;
  });
  afterAll(() => project?.remove());

  it.each([
    ['validate', ['validate'], /^The matrix is valid: /],
    ['synth', ['synth'], /^synth: \d+ added, /],
    ['ls', ['ls'], /│ engine │/],
    ['diff', ['diff'], /\S/],
    ['promote --dry-run', ['promote', '--from', 'dev', '--to', 'staging', '--dry-run'], /dev → staging/],
  ])('%s prints each warning as one stderr line and keeps its exit code', async (_name, args, stdout) => {
    const result = await envmatrix(project.root, ...args);
    expect(result.stderr).toBe(expected);
    expect(result.stdout).toMatch(stdout);
    expect(result.stdout).not.toContain('warning');
    expect(result.code).toBe(0);
  });

  it('folds a multi-line message or fix into the one line', () => {
    expect(formatWarning({ path: 'p', message: 'first\n  second', fix: 'do\nthis', source: 'a.ts:1' })).toBe(
      'warning: [p] first second (a.ts:1); fix: do this',
    );
  });
});
