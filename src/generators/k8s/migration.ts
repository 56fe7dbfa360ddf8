/**
 * Migrations (expand and contract): an app with `migrate` gets a Job `<app>-migrate` that runs the
 * migration command with the app's image (or `migrate.image` at the app's tag, by the pin's
 * `migrateDigest` when it has one), ServiceAccount, config
 * and secrets, before the app's new version rolls out:
 *
 * - Argo CD: a Sync-phase hook in wave 0, with the workload and its autoscaler in wave 1
 *   (migration-order.ts says why not PreSync: on an app's first sync a PreSync Job would wait
 *   for Secrets that the sync has not applied yet). BeforeHookCreation deletes the last run's Job just
 *   before the next sync creates it again, so a fixed name works and the last run stays inspectable
 *   (https://argo-cd.readthedocs.io/en/stable/user-guide/resource_hooks/).
 * - Flux: the Job sits in the app folder's `migrate/` subfolder, applied by a Kustomization of its own
 *   with `wait: true` and `force: true` that the app's Kustomization dependsOn (flux/kustomization.ts),
 *   as in Flux's "Running pre and post-deployment jobs" guide (https://fluxcd.io/flux/use-cases/running-jobs/):
 *   a Job's pod template is immutable, and `force` recreates it when the version changes.
 *
 * The Job's pods carry labels of their own (`<app>-migrate`), so the app's Service, PDB and autoscaler
 * never count them, and their own NetworkPolicy gives them the app's declared egress (the database) and
 * DNS, nothing else.
 */
import { ApiObject, kplus } from './cdk8s.ts';
import { GeneratorError } from '../errors.ts';
import { cdk8sContributor } from './chart.ts';
import { metaOf, type AppContext } from './context.ts';
import { appPodSettings, jobPod, jobPodPatches } from './cron-job.ts';
import { GENERATOR_NAME } from './generator-name.ts';
import { selectorLabels } from './labels.ts';
import { MAX_LABEL_NAME } from './names.ts';
import { addEgressOnlyPolicy } from './network-policy.ts';

export const ARGOCD_HOOK = 'argocd.argoproj.io/hook';
export const ARGOCD_HOOK_DELETE_POLICY = 'argocd.argoproj.io/hook-delete-policy';
/** The label that marks a migration Job (and its pods); the promotion risk check looks for it. */
export const MIGRATION_COMPONENT = { 'app.kubernetes.io/component': 'migration' } as const;
/** The subfolder of the app folder a Flux cluster applies before the app (flux/kustomization.ts). */
export const MIGRATION_FOLDER = 'migrate';
/** Retries of a failed migration before the rollout stops: a migration that fails twice needs a person. */
export const MIGRATION_BACKOFF_LIMIT = 1;

export function migrationName(app: { readonly name: string }): string {
  return `${app.name}-migrate`;
}

export const migrationContributor = cdk8sContributor({
  name: 'migration',
  folder: ({ app, engine }) => (app.values.migrate && engine === 'flux' ? MIGRATION_FOLDER : undefined),
  build: (chart, ctx) => {
    const { app } = ctx;
    const migrate = app.values.migrate;
    if (!migrate) return;
    const name = checkedName(ctx);
    const podLabels = { ...selectorLabels(ctx.target, name), ...MIGRATION_COMPONENT };
    const labels = { ...ctx.labels, ...podLabels };
    const hook = ctx.engine === 'argocd' && {
      annotations: { [ARGOCD_HOOK]: 'Sync', [ARGOCD_HOOK_DELETE_POLICY]: 'BeforeHookCreation' },
    };
    const pod = appPodSettings(chart, ctx);
    const image = app.migrateImageRef ?? app.imageRef;
    const job = new kplus.Job(chart, 'job', {
      metadata: { ...metaOf(ctx, name), labels, ...hook },
      backoffLimit: MIGRATION_BACKOFF_LIMIT,
      ...jobPod(chart, ctx, pod, podLabels, {
        portless: true,
        name: 'migrate',
        image,
        command: migrate.command,
      }),
    });
    ApiObject.of(job).addJsonPatch(...jobPodPatches('/spec/template', ctx));
    addEgressOnlyPolicy(chart, ctx, name, podLabels);
  },
});

/** `<app>-migrate`, which Kubernetes copies into the `job-name` pod label (at most 63 characters). */
function checkedName(ctx: AppContext): string {
  const name = migrationName(ctx.app);
  if (name.length > MAX_LABEL_NAME)
    throw new GeneratorError(
      GENERATOR_NAME,
      ctx.target.id,
      ctx.app.name,
      `the migration Job "${name}" is ${name.length} characters long; Job names have at most ${MAX_LABEL_NAME}`,
      `shorten the app name to at most ${MAX_LABEL_NAME - (name.length - ctx.app.name.length)} characters`,
    );
  return name;
}
