/**
 * Config values checked with a maintained secret-detection rule set: secretlint's recommended preset
 * (AWS, GCP, GitHub, Slack, npm, OpenAI, Anthropic, private keys, basic auth, connection strings, …),
 * run in memory and offline. Values are scanned where they are written (app files and overrides), so
 * each problem names that place once. Messages name the key and the rule, never the value.
 * secretlint is asynchronous, so this runs while loading (load.ts), next to reading the pins files.
 */
import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { MatrixIssue } from './errors.ts';
import type { MatrixDefinition } from './types.ts';
import { SECRET_FIX, SECRET_LOOKING_VALUES } from './validation/workload-values.ts';

interface WrittenValue {
  readonly path: string;
  readonly key: string;
  readonly value: string;
  readonly source: string;
  readonly optedOut: boolean;
}

function writtenConfig(matrix: MatrixDefinition): WrittenValue[] {
  const fromApps = matrix.apps.flatMap((app) =>
    Object.entries(app.config ?? {}).map(([key, value]) => ({
      path: `apps.${app.name}.config.${key}`,
      key,
      value: String(value ?? ''),
      source: app.source,
      optedOut: (app.publicConfig ?? []).includes(key),
    })),
  );
  const fromOverrides = (matrix.overrides ?? []).flatMap((override, index) =>
    Object.entries(override.set.config ?? {}).map(([key, value]) => {
      const app = matrix.apps.find((a) => a.name === override.app);
      return {
        path: `overrides[${index}].set.config.${key}`,
        key,
        value: String(value ?? ''),
        source: matrix.source,
        optedOut: (app?.publicConfig ?? []).includes(key),
      };
    }),
  );
  return [...fromApps, ...fromOverrides];
}

/** Every written config value secretlint's recommended rules flag (and the built-in patterns do not). */
export async function scanConfigSecrets(matrix: MatrixDefinition): Promise<MatrixIssue[]> {
  const issues: MatrixIssue[] = [];
  for (const written of writtenConfig(matrix)) {
    // Reported per target by validation/workload-values.ts already; one message per value is enough.
    if (written.optedOut || SECRET_LOOKING_VALUES.some(({ pattern }) => pattern.test(written.value)))
      continue;
    const result = await lintSource({
      source: { content: written.value, filePath: written.path, ext: '', contentType: 'text' },
      options: {
        config: { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: recommended }] },
        maskSecrets: true,
      },
    });
    const rules = [...new Set(result.messages.map((message) => message.ruleId))].sort();
    if (rules.length > 0)
      issues.push({
        path: written.path,
        message: `config value of "${written.key}" looks like a secret (secretlint: ${rules.join(', ')})`,
        source: written.source,
        fix: SECRET_FIX,
      });
  }
  return issues;
}
