/**
 * Every k8s contributor's constructs in one chart of a shared cdk8s App: how a user of plain cdk8s
 * would write an app, kept only for the benchmark's naive baseline (bench/baselines.ts). The generator
 * itself composes each contributor's objects (render.ts).
 */
import { Chart } from './cdk8s.ts';
import type { App } from 'cdk8s';
import type { Construct } from 'constructs';
import type { AppFolderContributor, AppInput } from '../app-folder.ts';
import type { Cdk8sContributor } from './chart.ts';
import { appContext } from './context.ts';
import { K8S_CONTRIBUTORS } from './contributors.ts';

const isCdk8s = (contributor: AppFolderContributor): contributor is Cdk8sContributor =>
  'build' in contributor;

/** The chart of `input.app`; `templates` is a scope that is never written, for donor Deployments. */
export function addAppChart(cdkApp: App, templates: Construct, input: AppInput): Chart {
  const chart = new Chart(cdkApp, input.app.name);
  const instance = { ...input, provenance: new Map() };
  const ingress = K8S_CONTRIBUTORS.flatMap((contributor) => contributor.ingress?.(instance) ?? []);
  const ctx = appContext({ ...instance, ingress });
  for (const contributor of K8S_CONTRIBUTORS.filter(isCdk8s)) contributor.build(chart, ctx, () => templates);
  return chart;
}
