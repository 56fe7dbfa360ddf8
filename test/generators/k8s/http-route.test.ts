/**
 * Ingress through Gateway API (issue 13, "Nothing routes traffic in"): `expose: { paths, port, host? }`
 * renders an HTTPRoute on the cluster's Gateway with the pattern hostname and the global one, the CRD
 * accepts it, and only the Gateway's namespace reaches the exposed port.
 */
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { explain } from '../../../src/matrix/explain.ts';
import { aws, gcp } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import { crdsAvailable, validateAgainstCrd } from '../../support/crd-validate.ts';
import { NetworkPolicyModel, type Endpoint } from '../../support/network-policy-eval.ts';
import {
  objectAt,
  objectsIn,
  problemsOf,
  renderValid,
  threeEnvMatrix,
  threeEnvPins,
  withApp,
} from './helpers.ts';

const PROD = 'k8s/prod/aws/eu-west-1/main';
const crds = crdsAvailable();
const gateway = { name: 'public', namespace: 'gateway' };

const matrix = threeEnvMatrix({
  environments: {
    ...threeEnvMatrix().environments,
    prod: { ...threeEnvMatrix().environments.prod, hostnamePattern: '{app}.{region}.{env}.example.com' },
  },
  clusters: [
    aws('dev', 'us-east-1', { gateway: { ...gateway, hostnamePattern: '{app}.dev.example.com' } }),
    gcp('staging', 'europe-west1', { gateway }),
    aws('prod', 'eu-west-1', { gateway }),
  ],
  apps: withApp('web', {
    ports: { http: 8080, admin: 9000 },
    expose: { paths: ['/', '/static'], port: 'http' },
  }),
  overrides: [
    ...(threeEnvMatrix().overrides ?? []),
    { env: 'prod', app: 'web', set: { expose: { host: 'www.example.com' } } },
  ],
});

describe('HTTPRoute', () => {
  const files = renderValid(matrix, threeEnvPins());

  it('attaches to the cluster Gateway with the pattern hostname and the global one (reviewed snapshot)', async () => {
    await expect(stringify(objectAt(files, `${PROD}/web/HTTPRoute/web`))).toMatchFileSnapshot(
      '__snapshots__/httproute-web.yaml',
    );
    expect(objectAt(files, 'k8s/dev/aws/us-east-1/main/web/HTTPRoute/web').spec?.hostnames).toEqual([
      'web.dev.example.com',
    ]);
    expect(objectsIn(files, `${PROD}/api`).has('HTTPRoute/api')).toBe(false);
  });

  it.skipIf(!crds.available)('passes the strict walk against the official HTTPRoute CRD', () => {
    expect(validateAgainstCrd(objectAt(files, `${PROD}/web/HTTPRoute/web`))).toEqual([]);
  });

  it('admits only the Gateway namespace, on the exposed port', () => {
    const policies = [...files].filter(([p]) => p.startsWith(`${PROD}/`)).flatMap(([, f]) => f.objects);
    const model = new NetworkPolicyModel(policies);
    const web: Endpoint = {
      pod: 'web',
      namespace: 'web',
      labels: {
        'app.kubernetes.io/name': 'web',
        'app.kubernetes.io/instance': 'web-prod-aws-eu-west-1-main',
      },
    };
    const envoy: Endpoint = { pod: 'envoy', namespace: 'gateway', labels: { app: 'envoy' } };
    const nginx: Endpoint = { pod: 'nginx', namespace: 'ingress-nginx', labels: { app: 'nginx' } };
    expect(model.allows({ from: envoy, to: web, port: 8080 })).toBe(true);
    expect(model.allows({ from: envoy, to: web, port: 9000 })).toBe(false);
    expect(model.allows({ from: nginx, to: web, port: 8080 })).toBe(false);
  });

  it('explain names the layers of expose', () => {
    const { resolved } = checkedMatrix(matrix, threeEnvPins());
    const { chains } = explain(resolved, 'prod/aws/eu-west-1/main', 'web', 'expose');
    expect(chains.map((c) => [c.path, c.steps.map((s) => s.layer)])).toEqual([
      ['expose', ['default']],
      ['expose.host', ['environment']],
      ['expose.paths', ['app']],
      ['expose.port', ['app']],
    ]);
  });

  it('rejects a route on a cluster without a Gateway, and bad ports and paths', () => {
    const bad = threeEnvMatrix({
      apps: withApp('web', { expose: { paths: ['static'], port: 'https' } }),
    });
    expect(problemsOf(bad, threeEnvPins()).slice(0, 3)).toEqual([
      '[dev/aws/us-east-1/main/web] is exposed by a route, but dev/aws/us-east-1/main has no gateway | add gateway: { name, namespace } to the dev cluster in us-east-1, or set expose: false for it',
      '[dev/aws/us-east-1/main/web] expose port "https" is not one of the app\'s ports (http) | name a port from ports',
      '[dev/aws/us-east-1/main/web] expose path "static" does not start with "/" | write absolute path prefixes',
    ]);
  });
});
