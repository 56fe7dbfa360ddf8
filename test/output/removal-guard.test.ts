import { describe, expect, it } from 'vitest';
import { RemovalGuardError } from '../../src/output/errors.ts';
import type { GeneratedIndex, IndexEntry } from '../../src/output/index-file.ts';
import { checkRemovals, DEFAULT_REMOVAL_THRESHOLD } from '../../src/output/removal-guard.ts';

/** An index with one k8s file per `env/cloud/region/cluster/app` deployment, plus env-level files. */
function indexOf(deployments: readonly string[], envFiles: readonly string[] = []): GeneratedIndex {
  const entry = (generator: string, scope: string, app?: string): IndexEntry => ({
    generator,
    scope,
    ...(app !== undefined && { app }),
    inputHash: '0'.repeat(64),
    sha256: '0'.repeat(64),
  });
  const files: Record<string, IndexEntry> = {};
  for (const deployment of deployments) {
    const parts = deployment.split('/');
    files[`k8s/${deployment}/manifest.yaml`] = entry('k8s', parts.slice(0, 4).join('/'), parts[4]);
  }
  for (const env of envFiles) files[`argocd/${env}/applicationset.yaml`] = entry('argocd', env);
  return { version: 1, files };
}

/** `count` deployments in `env`: one app each on clusters c0…c(n-1). */
const deployments = (env: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${env}/aws/us-east-1/c${i}/api`);

describe('checkRemovals', () => {
  it('allows removing exactly 30% of an environment’s deployments, and refuses 40%', () => {
    const before = indexOf([...deployments('prod', 10), ...deployments('dev', 10)], ['prod', 'dev']);
    const keep = (count: number) =>
      indexOf([...deployments('prod', 10).slice(0, count), ...deployments('dev', 10)], ['prod', 'dev']);
    expect(() => checkRemovals(before, keep(7), DEFAULT_REMOVAL_THRESHOLD)).not.toThrow();
    let error: unknown;
    try {
      checkRemovals(before, keep(6), DEFAULT_REMOVAL_THRESHOLD);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RemovalGuardError);
    expect((error as RemovalGuardError).message).toBe(
      "Synth would remove more than 30% of an environment's deployments:\n" +
        '  prod: 4 Argo CD Applications (40%): prod/aws/us-east-1/c6/api, prod/aws/us-east-1/c7/api, prod/aws/us-east-1/c8/api, prod/aws/us-east-1/c9/api\n' +
        '    fix: check the matrix (a deleted cluster or placement?); if the removal is intended, run synth with --allow-removals.',
    );
  });

  it('counts deployments, not paths: a file kept at its path for another app still removes its app', () => {
    // Every synth first asks whether each deployment file is still there for the same target and app
    // (no removal: nothing more to work out); a path alone must not pass for its deployment.
    const before = indexOf(deployments('prod', 3));
    const after: GeneratedIndex = {
      version: 1,
      files: Object.fromEntries(
        Object.entries(before.files).map(([path, entry]) => [path, { ...entry, app: 'web' }]),
      ),
    };
    expect(() => checkRemovals(before, after, DEFAULT_REMOVAL_THRESHOLD)).toThrow(
      new RemovalGuardError(
        [{ env: 'prod', kind: 'app deployments', removed: deployments('prod', 3), share: 1 }],
        DEFAULT_REMOVAL_THRESHOLD,
      ),
    );
    // And files that move to new paths for the same deployments remove nothing.
    const moved: GeneratedIndex = {
      version: 1,
      files: Object.fromEntries(
        Object.entries(before.files).map(([path, entry]) => [path.replace('manifest', 'all'), entry]),
      ),
    };
    expect(() => checkRemovals(before, moved, DEFAULT_REMOVAL_THRESHOLD)).not.toThrow();
  });

  it('judges an environment that disappears from the matrix: every deployment of it is removed', () => {
    const before = indexOf([...deployments('staging', 2), ...deployments('prod', 3)], ['staging', 'prod']);
    const after = indexOf(deployments('prod', 3), ['prod']);
    expect(() => checkRemovals(before, after, DEFAULT_REMOVAL_THRESHOLD)).toThrow(
      new RemovalGuardError(
        [
          {
            env: 'staging',
            kind: 'Argo CD Applications',
            removed: ['staging/aws/us-east-1/c0/api', 'staging/aws/us-east-1/c1/api'],
            share: 1,
          },
        ],
        DEFAULT_REMOVAL_THRESHOLD,
      ),
    );
  });
});
