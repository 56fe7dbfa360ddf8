/**
 * Ingress through Gateway API: an app with `expose: { paths, port, host? }` gets an HTTPRoute attached
 * to its cluster's Gateway (name and namespace are cluster settings), for the cluster's hostname
 * (`hostnamePattern` with {app}, {env}, {region}, {cloud}, {cluster} filled in) plus the optional global
 * `host`, sending each path prefix to the app's Service on the exposed port. Only the Gateway's
 * namespace is admitted, on that port. Schema: gateway.networking.k8s.io/v1 HTTPRoute, standard channel
 * (../shared/crds/gateway.networking.k8s.io_httproutes.yaml,
 * https://gateway-api.sigs.k8s.io/reference/spec/#httproute).
 */
import { ApiObject } from './cdk8s.ts';
import { gatewayHostname } from '../../matrix/hostnames.ts';
import type { Expose } from '../../matrix/types.ts';
import type { AppInstance } from '../app-folder.ts';
import { cdk8sContributor } from './chart.ts';
import { metaOf } from './context.ts';
import { writtenCloud } from './target-tokens.ts';
import { appObjectName } from './names.ts';

/** The route of an exposed app on a target with a Gateway; undefined otherwise (validation reports it). */
function routeOf(instance: Omit<AppInstance, 'ingress'>): { expose: Expose; port: number } | undefined {
  const { expose } = instance.app.values;
  if (typeof expose !== 'object' || !instance.gateway) return undefined;
  const port = instance.app.ports[expose.port];
  return port === undefined ? undefined : { expose, port };
}

export const httpRouteContributor = cdk8sContributor({
  name: 'http-route',
  build: (chart, ctx) => {
    const route = routeOf(ctx);
    const gateway = ctx.gateway;
    if (!route || !gateway) return;
    const pattern = 'hostnamePattern' in gateway ? gateway.hostnamePattern : undefined;
    const hostnames = [
      ...(pattern !== undefined
        ? [
            gatewayHostname(pattern, ctx.app.name, {
              env: ctx.target.env,
              cloud: writtenCloud(ctx.target),
              region: ctx.target.region,
              cluster: ctx.target.cluster,
            }),
          ]
        : []),
      ...(route.expose.host !== undefined ? [route.expose.host] : []),
    ];
    new ApiObject(chart, 'http-route', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: metaOf(ctx, appObjectName(ctx.app)),
      spec: {
        parentRefs: [
          {
            group: 'gateway.networking.k8s.io',
            kind: 'Gateway',
            name: gateway.name,
            namespace: gateway.namespace,
          },
        ],
        ...(hostnames.length > 0 && { hostnames }),
        rules: [
          {
            matches: route.expose.paths.map((path) => ({ path: { type: 'PathPrefix', value: path } })),
            backendRefs: [{ name: appObjectName(ctx.app), port: route.port }],
          },
        ],
      },
    });
  },
  ingress: (instance) => {
    const route = routeOf(instance);
    return route && instance.gateway ? [{ namespace: instance.gateway.namespace, ports: [route.port] }] : [];
  },
});
