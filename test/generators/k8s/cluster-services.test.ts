/**
 * The cluster services apps are reached by, from the matrix. `monitoring`: kube-prometheus-stack's
 * Prometheus selects only the ServiceMonitors, PodMonitors and PrometheusRules labelled
 * `release: <its Helm release>` by default, so those objects carry the matrix's `monitoring.labels` (and
 * nothing else does); `monitoring.namespace` is the namespace the NetworkPolicy admits to the metrics
 * port. `ingress.namespace` is the one admitted to `expose: true` apps. All validated with path and fix.
 */
import { describe, expect, it } from 'vitest';
import type { MatrixDefinition } from '../../../src/matrix/types.ts';
import { crdsAvailable, validateAgainstCrd } from '../../support/crd-validate.ts';
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

function matrixWith(monitoring?: MatrixDefinition['monitoring']) {
  return threeEnvMatrix({
    // api is scraped through its Service, worker (metrics its only port) through a PodMonitor.
    apps: withApp('api', {
      serves: ['http'],
      metrics: { port: 'metrics' },
      slo: { availability: 99.9 },
    }).map((app) =>
      app.name === 'worker' ? { ...app, ports: { metrics: 9090 }, metrics: { port: 'metrics' } } : app,
    ),
    ...(monitoring && { monitoring }),
  });
}

describe('monitoring', () => {
  const labelled = renderValid(
    matrixWith({ namespace: 'observability', labels: { release: 'kube-prometheus-stack' } }),
    threeEnvPins(),
  );

  it.each([
    ['api', 'ServiceMonitor/api'],
    ['api', 'PrometheusRule/api'],
    ['worker', 'PodMonitor/worker'],
  ])('%s: %s carries the monitoring labels beside its own', (app, object) => {
    const labels = objectAt(labelled, `${PROD}/${app}/${object}`).metadata.labels;
    expect(labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/name': app });
  });

  it('puts them on nothing else', () => {
    for (const app of ['api', 'worker'])
      for (const [id, object] of objectsIn(labelled, `${PROD}/${app}`))
        if (!/^(ServiceMonitor|PodMonitor|PrometheusRule)\//.test(id))
          expect(object.metadata.labels?.release, `${app} ${id}`).toBeUndefined();
  });

  it.skipIf(!crds.available)('the labelled objects pass the strict walk against their official CRDs', () => {
    for (const path of [
      `${PROD}/api/ServiceMonitor/api`,
      `${PROD}/api/PrometheusRule/api`,
      `${PROD}/worker/PodMonitor/worker`,
    ])
      expect(validateAgainstCrd(objectAt(labelled, path)), path).toEqual([]);
  });

  it('admits the matrix’s monitoring namespace to the metrics port', () => {
    const policy = objectAt(labelled, `${PROD}/api/NetworkPolicy/api`);
    expect(JSON.stringify(policy.spec?.ingress)).toContain('"kubernetes.io/metadata.name":"observability"');
    expect(JSON.stringify(policy.spec?.ingress)).not.toContain('"kubernetes.io/metadata.name":"monitoring"');
  });

  it('renders without it exactly as before: no extra labels, the monitoring namespace', () => {
    const plain = renderValid(matrixWith(), threeEnvPins());
    const empty = renderValid(matrixWith({ labels: {} }), threeEnvPins());
    expect(objectAt(plain, `${PROD}/api/ServiceMonitor/api`).metadata.labels?.release).toBeUndefined();
    expect(JSON.stringify(objectAt(plain, `${PROD}/api/NetworkPolicy/api`).spec?.ingress)).toContain(
      '"kubernetes.io/metadata.name":"monitoring"',
    );
    // Empty labels are no labels: the same files, input hashes included.
    expect([...empty].map(([path, file]) => [path, file.content])).toEqual(
      [...plain].map(([path, file]) => [path, file.content]),
    );
  });

  it('rejects labels Kubernetes would refuse or envmatrix sets itself, and a namespace that is not a name', () => {
    expect(
      problemsOf(
        matrixWith({
          namespace: 'Monitoring',
          labels: {
            release: 'kube prometheus',
            'app.kubernetes.io/part-of': 'x',
            'Example.com/team': 'obs',
            '-team': 'obs',
          },
        }),
        threeEnvPins(),
      ),
    ).toEqual([
      '[monitoring.namespace] monitoring namespace name "Monitoring" is not a DNS-1123 label | use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
      '[monitoring.labels.release] label value "kube prometheus" is not a label value | write a string of at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
      '[monitoring.labels.app.kubernetes.io/part-of] label "app.kubernetes.io/part-of" is not a label envmatrix can set: envmatrix sets the app.kubernetes.io/ and envmatrix.io/ labels itself | use the label your Prometheus selects on, e.g. release (kube-prometheus-stack)',
      '[monitoring.labels.Example.com/team] label "Example.com/team" is not a label envmatrix can set: its prefix "Example.com" is not a DNS subdomain | use the label your Prometheus selects on, e.g. release (kube-prometheus-stack)',
      '[monitoring.labels.-team] label "-team" is not a label envmatrix can set: its name is not 1–63 letters, digits, "-", "_" or "." starting and ending with a letter or digit | use the label your Prometheus selects on, e.g. release (kube-prometheus-stack)',
    ]);
  });

  it('rejects an unknown key under monitoring', () => {
    expect(
      problemsOf(
        matrixWith({ labels: {}, selector: {} } as unknown as MatrixDefinition['monitoring']),
        threeEnvPins(),
      ),
    ).toEqual(['[monitoring] unknown field "selector" | remove "selector"; fields here: labels, namespace']);
  });
});

/** `ingress.namespace`: the ingress controller's namespace, admitted to every port of `expose: true` apps. */
describe('ingress', () => {
  const ingressRule = (files: ReturnType<typeof renderValid>) =>
    JSON.stringify(objectAt(files, `${PROD}/web/NetworkPolicy/web`).spec?.ingress);

  it('admits the matrix’s ingress namespace, and ingress-nginx without it', () => {
    const traefik = renderValid(threeEnvMatrix({ ingress: { namespace: 'traefik' } }), threeEnvPins());
    expect(ingressRule(traefik)).toContain('"kubernetes.io/metadata.name":"traefik"');
    expect(ingressRule(traefik)).not.toContain('ingress-nginx');
    expect(ingressRule(renderValid(threeEnvMatrix(), threeEnvPins()))).toContain(
      '"kubernetes.io/metadata.name":"ingress-nginx"',
    );
  });

  it('rejects a namespace that is not a name, and an unknown key', () => {
    expect(
      problemsOf(
        threeEnvMatrix({
          ingress: { namespace: 'Ingress_NGINX', class: 'nginx' } as MatrixDefinition['ingress'],
        }),
        threeEnvPins(),
      ),
    ).toEqual([
      '[ingress] unknown field "class" | remove "class"; fields here: namespace',
      '[ingress.namespace] ingress namespace name "Ingress_NGINX" is not a DNS-1123 label | use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
    ]);
  });
});
