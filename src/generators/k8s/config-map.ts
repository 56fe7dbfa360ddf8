/**
 * The app's non-secret config as a ConfigMap, read by the container as environment variables. Secrets
 * never pass through here: validation rejects credential-looking keys and values in `config`.
 */
import { kplus } from './cdk8s.ts';
import type { Construct } from 'constructs';
import { compareStrings } from '../../core/compare.ts';
import { metaOf, type AppContext } from './context.ts';
import { configMapName } from './names.ts';

/** The ConfigMap, or undefined when the app has no config (an empty ConfigMap would only be noise). */
export function addConfigMap(scope: Construct, ctx: AppContext): kplus.ConfigMap | undefined {
  const entries = Object.entries(ctx.app.values.config).sort(([a], [b]) => compareStrings(a, b));
  if (entries.length === 0) return undefined;
  return new kplus.ConfigMap(scope, 'config-map', {
    metadata: metaOf(ctx, configMapName(ctx.app)),
    data: Object.fromEntries(entries),
  });
}
