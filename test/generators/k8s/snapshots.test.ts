/**
 * Reviewed snapshots of everything the k8s generator writes for a dev, a staging and a prod target of
 * the three-environment fixture: one YAML file per target under __snapshots__/, each rendered file
 * preceded by its path.
 */
import { describe, expect, it } from 'vitest';
import { renderValid, threeEnvMatrix, threeEnvPins } from './helpers.ts';

const files = renderValid(threeEnvMatrix(), threeEnvPins());

/** Every file of the target's folders, in path order, each under a `# file:` line. */
function targetSnapshot(target: string): string {
  return [...files.values()]
    .filter((file) => file.path.startsWith(`k8s/${target}/`))
    .map((file) => `# file: ${file.path}\n${file.content}`)
    .join('\n');
}

describe('k8s generator snapshots', () => {
  it.each([
    ['dev', 'dev/aws/us-east-1/main'],
    ['staging', 'staging/gcp/europe-west1/main'],
    ['prod', 'prod/aws/eu-west-1/main'],
  ])('renders the %s target %s', async (_env, target) => {
    await expect(targetSnapshot(target)).toMatchFileSnapshot(
      `__snapshots__/${target.split('/').join('-')}.yaml`,
    );
  });
});
