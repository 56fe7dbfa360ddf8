/**
 * The app's ClusterIP Service over all its named ports, and for blue-green the preview Service that
 * Argo Rollouts points at the new version before promotion. Both select the app's pods by its stable
 * labels; Argo Rollouts narrows them to one ReplicaSet at run time.
 *
 * A blue-green app without ports (a queue worker) still needs both Services, because Argo Rollouts
 * tracks the two ReplicaSets through them: they are headless and portless then, which Kubernetes allows
 * only for headless Services and cdk8s-plus does not express, so they use the bundled `k8s` import.
 */
import { ApiObject, JsonPatch, kplus } from './cdk8s.ts';
import type { Construct } from 'constructs';
import { GeneratorError } from '../errors.ts';
import { hasService } from './app-input.ts';
import { cdk8sContributor } from './chart.ts';
import { metaOf, type AppContext } from './context.ts';
import { GENERATOR_NAME } from './generator-name.ts';
import { appObjectName, MAX_LABEL_NAME, previewServiceName } from './names.ts';

/**
 * The Service contributor: `<app>`, and `<app>-preview` for blue-green. An app with `expose: true` asks
 * for the ingress controller's namespace to reach its ports (opened by the network-policy contributor).
 */
export const serviceContributor = cdk8sContributor({
  name: 'service',
  build: (chart, ctx) => {
    if (ctx.app.values.strategy.kind === 'blueGreen') {
      checkPreviewName(ctx);
      addBlueGreenServices(chart, ctx);
    } else {
      addService(chart, ctx);
    }
  },
  ingress: ({ app, settings }) =>
    // A route (`expose: { … }`) is admitted by the http-route contributor, from the Gateway's namespace.
    app.values.expose === true
      ? [{ namespace: settings.ingressNamespace, ports: Object.values(app.ports) }]
      : [],
});

/** Throws when the `<app>-preview` Service name would not be a valid DNS-1123 label. */
function checkPreviewName(ctx: AppContext): void {
  const { app } = ctx;
  const preview = previewServiceName(app);
  if (preview.length > MAX_LABEL_NAME) {
    throw new GeneratorError(
      GENERATOR_NAME,
      ctx.target.id,
      app.name,
      `the blue-green preview Service "${preview}" is ${preview.length} characters long; Service names have at most ${MAX_LABEL_NAME}`,
      `shorten the app name to at most ${MAX_LABEL_NAME - (preview.length - app.name.length)} characters, or use another strategy`,
    );
  }
}

/**
 * The Service named after the app, or undefined when no one calls it: no ports, or only the metrics port
 * (scraped through a PodMonitor; see hasService).
 */
export function addService(scope: Construct, ctx: AppContext): kplus.Service | undefined {
  if (!hasService(ctx.app)) return undefined;
  return serviceNamed(scope, 'service', ctx, appObjectName(ctx.app));
}

/** `<app>` and `<app>-preview`, the active and preview Services of a blue-green Rollout. */
export function addBlueGreenServices(scope: Construct, ctx: AppContext): void {
  const names = [
    ['service', appObjectName(ctx.app)],
    ['preview-service', previewServiceName(ctx.app)],
  ] as const;
  for (const [id, name] of names) {
    if (!serviceNamed(scope, id, ctx, name)) {
      new kplus.k8s.KubeService(scope, id, {
        metadata: metaOf(ctx, name),
        spec: { clusterIp: 'None', selector: { ...ctx.selector } },
      });
    }
  }
}

function serviceNamed(
  scope: Construct,
  id: string,
  ctx: AppContext,
  name: string,
): kplus.Service | undefined {
  const ports = Object.entries(ctx.app.ports);
  if (ports.length === 0) return undefined;
  const service = new kplus.Service(scope, id, {
    metadata: metaOf(ctx, name),
    type: kplus.ServiceType.CLUSTER_IP,
    ports: ports.map(([portName, number]) => ({ name: portName, port: number, targetPort: number })),
  });
  for (const [key, value] of Object.entries(ctx.selector)) service.selectLabel(key, value);
  // cdk8s-plus always writes `externalIPs: []`; an empty list means the same as none, so leave it out.
  ApiObject.of(service).addJsonPatch(JsonPatch.remove('/spec/externalIPs'));
  return service;
}
