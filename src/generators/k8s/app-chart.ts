/**
 * One app on one target as a cdk8s Chart: the constructs of every concern (workload, Service, scaling,
 * disruption budget, network policy, secrets, namespace), chosen by the app's resolved values and the
 * environment's policy.
 */
import { Chart, type App } from 'cdk8s';
import { Construct } from 'constructs';
import { addAutoscaler, rolloutScalingTarget } from './autoscaling.ts';
import { addConfigMap } from './config-map.ts';
import type { AppContext } from './context.ts';
import { addExternalSecrets } from './external-secrets.ts';
import { appObjectName } from './names.ts';
import { addNamespace } from './namespace.ts';
import { addAppNetworkPolicy } from './network-policy.ts';
import { addDisruptionBudget } from './pdb.ts';
import { addRollout } from './rollout.ts';
import { addBlueGreenServices, addService } from './service.ts';
import { addServiceAccount } from './service-account.ts';
import { TEMPLATE_HASH_LABEL } from './spread.ts';
import { addDeployment } from './workload.ts';

/**
 * The chart of `ctx.app`, whose objects are what the app's folder holds. `templates` is a chart that is
 * never written out, for the donor Deployments of Rollouts.
 */
export function addAppChart(cdkApp: App, templates: Construct, ctx: AppContext): Chart {
  const { app, target, settings } = ctx;
  const chart = new Chart(cdkApp, app.name);
  if (ctx.ownsNamespace) addNamespace(chart, target, app.namespace, settings.partOf);
  const serviceAccount = addServiceAccount(chart, ctx);
  const configMap = addConfigMap(chart, ctx);
  const strategy = app.values.strategy;
  if (strategy.kind === 'rolling') {
    const deployment = addDeployment(chart, ctx, {
      serviceAccount,
      ...(configMap && { configMap }),
      rolling: strategy,
      templateHashLabel: TEMPLATE_HASH_LABEL.deployment,
    });
    addAutoscaler(chart, ctx, deployment);
  } else {
    // Each app's donor in its own scope: construct ids repeat from app to app.
    const template = addDeployment(new Construct(templates, app.name), ctx, {
      serviceAccount,
      ...(configMap && { configMap }),
      templateHashLabel: TEMPLATE_HASH_LABEL.rollout,
    });
    addRollout(chart, ctx, template, strategy);
    addAutoscaler(chart, ctx, rolloutScalingTarget(appObjectName(app), template));
  }
  if (strategy.kind === 'blueGreen') addBlueGreenServices(chart, ctx);
  else addService(chart, ctx);
  addDisruptionBudget(chart, ctx);
  addAppNetworkPolicy(chart, ctx);
  addExternalSecrets(chart, ctx);
  return chart;
}
