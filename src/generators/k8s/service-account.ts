/**
 * A ServiceAccount per app: pods never run as the namespace's `default` account, so RBAC and cloud
 * workload identity can be granted to exactly one app. The token is not mounted unless asked for.
 */
import { kplus } from './cdk8s.ts';
import type { Construct } from 'constructs';
import { metaOf, type AppContext } from './context.ts';
import { appObjectName } from './names.ts';

export function addServiceAccount(scope: Construct, ctx: AppContext): kplus.ServiceAccount {
  return new kplus.ServiceAccount(scope, 'service-account', {
    metadata: metaOf(ctx, appObjectName(ctx.app)),
    automountToken: false,
  });
}
