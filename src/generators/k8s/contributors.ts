/**
 * The contributors of every app folder, in the order their ingress requests are opened. A new per-app
 * kind is one contributor module plus one line here (and its model field in src/matrix). Imported only
 * by the lazily loaded renderer: every contributor pulls in cdk8s.
 */
import type { AppFolderContributor } from '../app-folder.ts';
import { autoscalingContributor } from './autoscaling.ts';
import { cronJobContributor } from './cron-job.ts';
import { externalSecretsContributor } from './external-secrets.ts';
import { namespaceContributor } from './namespace.ts';
import { httpRouteContributor } from './http-route.ts';
import { migrationContributor } from './migration.ts';
import { networkPolicyContributor } from './network-policy.ts';
import { disruptionBudgetContributor } from './pdb.ts';
import { podMonitorContributor } from './pod-monitor.ts';
import { prometheusRuleContributor } from './prometheus-rule.ts';
import { serviceContributor } from './service.ts';
import { serviceMonitorContributor } from './service-monitor.ts';
import { workloadContributor } from './workload.ts';

export const K8S_CONTRIBUTORS: readonly AppFolderContributor[] = [
  namespaceContributor,
  workloadContributor,
  cronJobContributor,
  serviceContributor,
  autoscalingContributor,
  disruptionBudgetContributor,
  serviceMonitorContributor,
  podMonitorContributor,
  prometheusRuleContributor,
  httpRouteContributor,
  networkPolicyContributor,
  externalSecretsContributor,
  migrationContributor,
];
