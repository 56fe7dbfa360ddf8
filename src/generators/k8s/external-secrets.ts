/**
 * Secrets as references: each of an app's `secrets` becomes an ExternalSecret (external-secrets.io/v1,
 * the only version current External Secrets Operator serves) that tells the operator which key of which
 * ClusterSecretStore to sync into a Secret of the same name. No secret value exists in the matrix, so
 * none can reach generated/.
 */
import { ApiObject } from './cdk8s.ts';
import type { Construct } from 'constructs';
import type { SecretRef } from '../../matrix/types.ts';
import { cdk8sContributor } from './chart.ts';
import { metaOf, type AppContext } from './context.ts';

export const EXTERNAL_SECRET_API_VERSION = 'external-secrets.io/v1';
export const EXTERNAL_SECRET_KIND = 'ExternalSecret';
/** Stores are cluster-wide: one store per backend (Vault, AWS Secrets Manager…) serves every namespace. */
export const SECRET_STORE_KIND = 'ClusterSecretStore';
/** How often the operator re-reads the store, so a rotated secret reaches pods' volumes within the hour. */
export const REFRESH_INTERVAL = '1h';

export interface ExternalSecretSpec {
  readonly refreshInterval: string;
  readonly secretStoreRef: { readonly name: string; readonly kind: string };
  readonly target: {
    readonly name: string;
    readonly creationPolicy: 'Owner';
    readonly deletionPolicy: 'Retain';
  };
  readonly data?: readonly {
    readonly secretKey: string;
    readonly remoteRef: { readonly key: string; readonly property: string };
  }[];
  readonly dataFrom?: readonly { readonly extract: { readonly key: string } }[];
}

/**
 * With a `property`, the Secret holds that one property under its own name; without, every property of
 * the key's JSON value (`dataFrom.extract`). The Secret is owned by the ExternalSecret, and kept when
 * the ExternalSecret goes away so pods using it keep running.
 */
export function externalSecretSpec(secret: SecretRef): ExternalSecretSpec {
  return {
    refreshInterval: REFRESH_INTERVAL,
    secretStoreRef: { name: secret.store, kind: SECRET_STORE_KIND },
    target: { name: secret.name, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
    ...(secret.property !== undefined
      ? { data: [{ secretKey: secret.property, remoteRef: { key: secret.key, property: secret.property } }] }
      : { dataFrom: [{ extract: { key: secret.key } }] }),
  };
}

export const externalSecretsContributor = cdk8sContributor({
  name: 'external-secrets',
  build: (chart, ctx) => {
    addExternalSecrets(chart, ctx);
  },
});

export function addExternalSecrets(scope: Construct, ctx: AppContext): ApiObject[] {
  return ctx.app.secrets.map(
    (secret) =>
      new ApiObject(scope, `external-secret-${secret.name}`, {
        apiVersion: EXTERNAL_SECRET_API_VERSION,
        kind: EXTERNAL_SECRET_KIND,
        metadata: metaOf(ctx, secret.name),
        spec: externalSecretSpec(secret),
      }),
  );
}
