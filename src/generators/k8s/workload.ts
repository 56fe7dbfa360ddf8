/**
 * The pods of an app, written with cdk8s-plus-28: a Deployment whose pod template holds one hardened
 * container (requests and limits, probes, read-only root filesystem, no privileges, no service-account
 * token) running under the app's own ServiceAccount, with config from a ConfigMap and secrets mounted
 * from the Secrets the ExternalSecrets sync. For the rolling strategy this Deployment is the workload;
 * for canary and blue-green it donates its pod template to an Argo Rollout (rollout.ts).
 */
import { ApiObject, JsonPatch, kplus, Construct } from './cdk8s.ts';
import type { ResolvedApp, RollingStrategy } from '../../matrix/types.ts';
import { canonicalJson, sha256 } from '../../core/canonical.ts';
import { GeneratorError } from '../errors.ts';
import { cdk8sContributor } from './chart.ts';
import { addConfigMap } from './config-map.ts';
import { metaOf, type AppContext } from './context.ts';
import { GENERATOR_NAME } from './generator-name.ts';
import { appObjectName, MAX_LABEL_NAME, secretMountPath, secretVolumeName, TMP_VOLUME } from './names.ts';
import { addRollout, ROLLOUT_API_VERSION, ROLLOUT_KIND } from './rollout.ts';
import { addServiceAccount } from './service-account.ts';
import { TEMPLATE_HASH_LABEL, topologySpreadConstraints } from './spread.ts';

/** Pod-template annotation carrying a hash of the app's config, so a config change rolls the pods. */
export const CONFIG_HASH_ANNOTATION = 'envmatrix.io/config-hash';

/** The label cdk8s-plus puts on pod templates; it encodes a construct path, so it is removed. */
export const CDK8S_ADDRESS_LABEL = kplus.Pod.ADDRESS_LABEL;

export interface WorkloadProps {
  readonly serviceAccount: kplus.IServiceAccount;
  /** The ConfigMap with the app's config, mounted as environment variables. @default no config */
  readonly configMap?: kplus.IConfigMap;
  /** Rolling-update settings; only meaningful when the Deployment is the workload. @default Kubernetes defaults */
  readonly rolling?: RollingStrategy;
  /** Label of the controller's pod-template hash, for spread constraints (see spread.ts). */
  readonly templateHashLabel: string;
}

/**
 * The workload contributor: the ServiceAccount, the ConfigMap and the Deployment (rolling) or the
 * Rollout (canary, blue-green) whose pod template a Deployment in the scratch scope donates.
 */
export const workloadContributor = cdk8sContributor({
  name: 'workload',
  build: (chart, ctx, scratch) => {
    checkSecretVolumeNames(ctx);
    const serviceAccount = addServiceAccount(chart, ctx);
    const configMap = addConfigMap(chart, ctx);
    const strategy = ctx.app.values.strategy;
    const props = { serviceAccount, ...(configMap && { configMap }) };
    // A scheduled app's pods are a CronJob's: the cron-job contributor (cron-job.ts) renders it.
    if (ctx.app.values.schedule) return;
    if (strategy.kind === 'rolling') {
      addDeployment(chart, ctx, {
        ...props,
        rolling: strategy,
        templateHashLabel: TEMPLATE_HASH_LABEL.deployment,
      });
      return;
    }
    // Each app's donor in its own scope: construct ids repeat from app to app in the one-App baseline.
    const template = addDeployment(new Construct(scratch(), ctx.app.name), ctx, {
      ...props,
      templateHashLabel: TEMPLATE_HASH_LABEL.rollout,
    });
    addRollout(chart, ctx, template, strategy);
  },
});

/** What an autoscaler or a policy points at: the app's Deployment, or its Rollout. */
export function workloadRef(app: ResolvedApp): { apiVersion: string; kind: string; name: string } {
  return app.values.strategy.kind === 'rolling'
    ? { apiVersion: 'apps/v1', kind: 'Deployment', name: appObjectName(app) }
    : { apiVersion: ROLLOUT_API_VERSION, kind: ROLLOUT_KIND, name: appObjectName(app) };
}

/** Throws when a secret's `secret-<name>` volume would not be a valid DNS-1123 label. */
function checkSecretVolumeNames(ctx: AppContext): void {
  for (const secret of ctx.app.secrets) {
    const volume = secretVolumeName(secret.name);
    if (volume.length > MAX_LABEL_NAME) {
      throw new GeneratorError(
        GENERATOR_NAME,
        ctx.target.id,
        ctx.app.name,
        `secret "${secret.name}" is mounted as volume "${volume}", ${volume.length} characters long; volume names have at most ${MAX_LABEL_NAME}`,
        `shorten the secret name to at most ${MAX_LABEL_NAME - (volume.length - secret.name.length)} characters`,
      );
    }
  }
}

/** The app's Deployment, named after the app in the app's namespace. */
export function addDeployment(scope: Construct, ctx: AppContext, props: WorkloadProps): kplus.Deployment {
  const { app } = ctx;
  const scaling = app.values.scaling;
  const deployment = new kplus.Deployment(scope, 'deployment', {
    metadata: metaOf(ctx, appObjectName(app)),
    // The default selector is a hash of the construct path; select by the stable app labels instead.
    select: false,
    podMetadata: {
      labels: { ...ctx.labels },
      annotations: { [CONFIG_HASH_ANNOTATION]: sha256(canonicalJson(app.values.config)) },
    },
    // Fixed replicas only without autoscaling: an HPA owns the count otherwise.
    ...(scaling === undefined && { replicas: app.values.replicas }),
    ...(props.rolling && { strategy: rollingUpdate(props.rolling) }),
    serviceAccount: props.serviceAccount,
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true },
    containers: [container(scope, ctx, props.configMap)],
  });
  deployment.select(kplus.LabelSelector.of({ labels: { ...ctx.selector } }));
  // The autoscaling contributor's HPA owns the count: without this cdk8s-plus would write replicas: 2.
  if (scaling !== undefined) deployment.markHasAutoscaler();
  const patches = [
    JsonPatch.remove(`/spec/template/metadata/labels/${CDK8S_ADDRESS_LABEL.replace('/', '~1')}`),
    // Quantities go through verbatim: cdk8s-plus would rewrite 1Gi as 1024Mi and cannot express 500M.
    JsonPatch.add('/spec/template/spec/containers/0/resources', resources(ctx)),
  ];
  const spread = topologySpreadConstraints(ctx, props.templateHashLabel);
  if (spread) patches.push(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', spread));
  ApiObject.of(deployment).addJsonPatch(...patches);
  return deployment;
}

/** A container that runs to completion: no probes (a liveness probe would kill a long migration). */
export interface BatchRun {
  readonly command?: readonly string[];
  readonly image?: string;
  readonly name?: string;
  readonly batch?: boolean;
  /** Leave the app's ports off: the container serves nothing (a migration). @default false */
  readonly portless?: boolean;
}

/**
 * The app's hardened container. `command` replaces the image's entrypoint (a CronJob run, a migration);
 * `image` the app's image reference.
 */
export function container(
  scope: Construct,
  ctx: AppContext,
  configMap: kplus.IConfigMap | undefined,
  run: BatchRun = {},
): kplus.ContainerProps {
  const { app } = ctx;
  const portNames = Object.keys(app.ports);
  const probePort = app.ports[app.values.probes.port ?? portNames[0] ?? ''];
  const probe = (path: string | undefined): kplus.Probe | undefined =>
    path !== undefined && probePort !== undefined
      ? kplus.Probe.fromHttpGet(path, { port: probePort })
      : undefined;
  const readiness = run.batch ? undefined : probe(app.values.probes.readiness);
  const liveness = run.batch ? undefined : probe(app.values.probes.liveness);
  const secretMounts = app.secrets.map((secret) => ({
    path: secretMountPath(secret.name),
    readOnly: true,
    volume: kplus.Volume.fromSecret(
      scope,
      `secret-volume-${secret.name}`,
      kplus.Secret.fromSecretName(scope, `secret-${secret.name}`, secret.name),
      { name: secretVolumeName(secret.name) },
    ),
  }));
  const image = run.image ?? app.imageRef;
  return {
    name: run.name ?? app.name,
    image,
    ...(run.command && { command: [...run.command] }),
    // A digest never changes what it points at, so the node's copy is good; a bare tag may move. Judged
    // on the image this container runs: a migration image of its own may have no digest where the app's has.
    imagePullPolicy: image.includes('@')
      ? kplus.ImagePullPolicy.IF_NOT_PRESENT
      : kplus.ImagePullPolicy.ALWAYS,
    ports: run.portless ? [] : Object.entries(app.ports).map(([name, number]) => ({ name, number })),
    ...(configMap && { envFrom: [kplus.Env.fromConfigMap(configMap)] }),
    ...(readiness && { readiness }),
    ...(liveness && { liveness }),
    // Empty here, set verbatim by JSON patch (see addDeployment); undefined would mean cdk8s-plus defaults.
    resources: {},
    securityContext: {
      ensureNonRoot: true,
      privileged: false,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: [kplus.Capability.ALL] },
      seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
    },
    volumeMounts: [
      // The root filesystem is read-only; most runtimes still need a writable /tmp.
      { path: '/tmp', volume: kplus.Volume.fromEmptyDir(scope, 'tmp-volume', TMP_VOLUME) },
      ...secretMounts,
    ],
  };
}

/**
 * Requests as written; a memory limit always (equal to the request unless set: a pod over its request
 * is the first to be killed anyway, and a hard limit keeps one leak from starving the node), a CPU limit
 * only when asked for. Quantities, not strings: the patch is applied before cdk8s's typed serializer,
 * which reads `Quantity` objects.
 */
export function resources(ctx: AppContext): kplus.k8s.ResourceRequirements {
  const { cpu, memory, cpuLimit, memoryLimit } = ctx.app.values.resources;
  const quantity = (value: string): kplus.k8s.Quantity => kplus.k8s.Quantity.fromString(value);
  return {
    limits: {
      ...(cpuLimit !== undefined && { cpu: quantity(cpuLimit) }),
      memory: quantity(memoryLimit ?? memory),
    },
    requests: { cpu: quantity(cpu), memory: quantity(memory) },
  };
}

function rollingUpdate(strategy: RollingStrategy): kplus.DeploymentStrategy {
  return kplus.DeploymentStrategy.rollingUpdate({
    maxSurge: percentOrAbsolute(strategy.maxSurge ?? '25%'),
    maxUnavailable: percentOrAbsolute(strategy.maxUnavailable ?? 0),
  });
}

/** `'25%'` or `2`, as validated by the matrix (validate.ts checks the form). */
function percentOrAbsolute(value: string | number): kplus.PercentOrAbsolute {
  return typeof value === 'number'
    ? kplus.PercentOrAbsolute.absolute(value)
    : kplus.PercentOrAbsolute.percent(Number.parseFloat(value));
}
