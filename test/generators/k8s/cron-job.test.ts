/**
 * Jobs (issue 13, "Missing kinds: no CronJob"): an app with `schedule` runs as a cdk8s-plus CronJob,
 * not a Deployment, with the app's pods as they would be (labels, ServiceAccount, config, secrets), so
 * its NetworkPolicy and ExternalSecrets apply to each run; the schedule is layered (explain) and
 * validated at load with path, source and fix.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { explain } from '../../../src/matrix/explain.ts';
import { defineApp } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import type { AppDefinition, MatrixDefinition, PinsByEnvironment } from '../../../src/matrix/types.ts';
import { validateStrict } from '../../support/k8s-validate.ts';
import { NetworkPolicyModel, type Endpoint } from '../../support/network-policy-eval.ts';
import { issuesOf } from '../../support/problems.ts';
import {
  DIGEST,
  objectAt,
  objectsIn,
  problemsOf,
  renderValid,
  threeEnvApps,
  threeEnvMatrix,
  threeEnvPins,
  type K8sObject,
} from './helpers.ts';

const PROD = 'k8s/prod/aws/eu-west-1/main';

function reportApp(change: Partial<AppDefinition> = {}): AppDefinition {
  return {
    ...defineApp({
      name: 'report',
      image: 'ghcr.io/acme/report',
      resources: { cpu: '100m', memory: '256Mi' },
      schedule: { cron: '0 2 * * *', timeZone: 'Europe/Berlin', command: ['./report', '--nightly'] },
      config: { REPORT_BUCKET: 'acme-reports' },
      dependsOn: ['api'],
      egress: { external: ['postgres'] },
      secrets: [{ name: 'report-db', store: 'vault', key: 'report/db', property: 'password' }],
    }),
    ...change,
  };
}

function withReport(change: Partial<MatrixDefinition> = {}, app = reportApp()): MatrixDefinition {
  const base = threeEnvMatrix();
  return threeEnvMatrix({
    apps: [...threeEnvApps(), app],
    destinations: [{ name: 'postgres', cidrs: ['10.30.64.0/24'], ports: [5432] }],
    overrides: [
      ...(base.overrides ?? []),
      { env: 'prod', app: 'report', set: { schedule: { cron: '30 1 * * *' } } },
    ],
    ...change,
  });
}

/** The three-environment pins, with the report pinned everywhere. */
function reportPins(): PinsByEnvironment {
  const base = threeEnvPins();
  return threeEnvPins(
    Object.fromEntries(
      Object.entries(base).map(([env, { apps }]) => [
        env,
        { ...apps, report: { tag: '1.0.0', digest: DIGEST } },
      ]),
    ),
  );
}

const podLabels = (cronJob: K8sObject): Record<string, string> =>
  (cronJob.spec?.jobTemplate as { spec: { template: { metadata: { labels: Record<string, string> } } } }).spec
    .template.metadata.labels;

describe('scheduled apps', () => {
  const files = renderValid(withReport(), reportPins());
  const cronJob = objectAt(files, `${PROD}/report/CronJob/report`);

  it('renders a CronJob instead of a Deployment, with no autoscaler or disruption budget (reviewed snapshot)', async () => {
    await expect(stringify(cronJob)).toMatchFileSnapshot('__snapshots__/cronjob-report.yaml');
    expect([...objectsIn(files, `${PROD}/report`).keys()]).toEqual([
      'Namespace/report',
      'ServiceAccount/report',
      'ConfigMap/report-config',
      'CronJob/report',
      'NetworkPolicy/default-deny',
      'NetworkPolicy/report',
      'ExternalSecret/report-db',
    ]);
  });

  it('passes the Kubernetes schema walk, with schedule, zone and concurrency as written (the prod override wins)', () => {
    expect(validateStrict(cronJob)).toEqual([]);
    expect(cronJob.spec).toMatchObject({
      schedule: '30 1 * * *',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
    });
    const dev = objectAt(files, 'k8s/dev/aws/us-east-1/main/report/CronJob/report');
    expect(dev.spec?.schedule).toBe('0 2 * * *');
  });

  it('runs the app pods as a Deployment would: labels, ServiceAccount, config, secret mounts, the command', () => {
    const pod = (
      cronJob.spec?.jobTemplate as {
        spec: { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
      }
    ).spec.template.spec;
    expect(podLabels(cronJob)).toEqual(cronJob.metadata.labels);
    expect(pod.serviceAccountName).toBe('report');
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers[0]).toMatchObject({
      command: ['./report', '--nightly'],
      image: `ghcr.io/acme/report:1.0.0@${DIGEST}`,
      envFrom: [{ configMapRef: { name: 'report-config' } }],
      volumeMounts: [
        { mountPath: '/tmp', name: 'tmp' },
        { mountPath: '/var/run/secrets/report-db', name: 'secret-report-db', readOnly: true },
      ],
    });
    expect(pod.containers[0]).not.toHaveProperty('livenessProbe');
  });

  it('its pods get exactly the NetworkPolicy flows the app declares (evaluated over the rendered objects)', () => {
    const objects = [...files]
      .filter(([path]) => path.startsWith(`${PROD}/`))
      .flatMap(([, file]) => file.objects);
    const model = new NetworkPolicyModel(objects);
    const run: Endpoint = { pod: 'report-28999-abcde', namespace: 'report', labels: podLabels(cronJob) };
    const apiLabels = objectAt(files, `${PROD}/api/Rollout/api`).spec?.template?.metadata.labels ?? {};
    const api: Endpoint = { pod: 'api', namespace: 'api', labels: apiLabels };
    const stranger: Endpoint = { pod: 'debug', namespace: 'default', labels: { run: 'debug' } };
    expect(model.allows({ from: run, to: api, port: 8080 })).toBe(true);
    expect(model.allows({ from: run, to: api, port: 9090 })).toBe(false);
    expect(model.allows({ from: run, to: { ip: '10.30.64.7' }, port: 5432 })).toBe(true);
    expect(model.allows({ from: run, to: { ip: '10.30.65.7' }, port: 5432 })).toBe(false);
    expect(model.allows({ from: run, to: { ip: '1.1.1.1' }, port: 443 })).toBe(false);
    expect(model.allows({ from: stranger, to: run, port: 8080 })).toBe(false);
    expect(model.allows({ from: api, to: run, port: 8080 })).toBe(false);
  });

  it('explain names the layer of each schedule value', () => {
    const { resolved } = checkedMatrix(withReport(), reportPins());
    const { chains } = explain(resolved, 'prod/aws/eu-west-1/main', 'report', 'schedule');
    expect(chains.map((c) => [c.path, c.steps.map((s) => s.layer)])).toEqual([
      ['schedule.command', ['app']],
      ['schedule.cron', ['app', 'environment']],
      ['schedule.timeZone', ['app']],
    ]);
  });

  it('rejects a bad cron, an unknown or misspelt zone, a bad policy, and what a CronJob cannot have', () => {
    const bad = reportApp({
      schedule: {
        cron: '0 2 * *',
        timeZone: 'Mars/Olympus',
        // @ts-expect-error: the value a typo in a JavaScript matrix would give
        concurrencyPolicy: 'Sometimes',
        command: [],
      },
      scaling: { min: 1, max: 2 },
      expose: true,
    });
    // Every target repeats them; dev's stand for all.
    expect(
      problemsOf(withReport({ overrides: [] }, bad), reportPins()).filter((p) => p.startsWith('[dev/')),
    ).toEqual([
      '[dev/aws/us-east-1/main/report] is exposed but has no ports to expose | give the app ports, or set expose: false',
      '[dev/aws/us-east-1/main/report] schedule cron "0 2 * *" does not have five fields (minute hour day-of-month month day-of-week) | write five fields, e.g. "0 2 * * *" for 02:00 every day',
      '[dev/aws/us-east-1/main/report] schedule unknown time zone "Mars/Olympus" | use an IANA zone such as Europe/Berlin or UTC',
      '[dev/aws/us-east-1/main/report] schedule concurrencyPolicy "Sometimes" is not one of Allow, Forbid, Replace | use Forbid (skip a run while the last one runs), Replace or Allow',
      '[dev/aws/us-east-1/main/report] schedule command [] is not a list of words | write the command as a list, e.g. ["./report", "--nightly"]',
      '[dev/aws/us-east-1/main/report] a scheduled app runs a CronJob, which nothing autoscales; it has scaling | remove scaling from this app (or schedule, to run it as a Deployment)',
      '[dev/aws/us-east-1/main/report] a scheduled app runs a CronJob, whose pods come and go; it cannot be exposed | remove expose from this app, or expose a long-running app instead',
    ]);
    const zone = issuesOf(
      withReport({
        overrides: [
          { env: 'prod', app: 'report', set: { schedule: { timeZone: 'europe/berlin', cron: '0 2 * * L' } } },
        ],
      }),
      reportPins(),
    );
    // Blamed on the override that set the values, not the app file.
    expect(
      zone
        .filter((i) => i.path.endsWith('/report'))
        .map((i) => `[${i.path}] ${i.message} | ${i.fix} @ ${i.source}`),
    ).toEqual([
      '[prod/aws/eu-west-1/main/report] schedule cron "0 2 * * L" uses L, W or #, which Kubernetes cron does not know | write five fields, e.g. "0 2 * * *" for 02:00 every day @ ' +
        `${threeEnvMatrix().source} (overrides[0])`,
      '[prod/aws/eu-west-1/main/report] schedule time zone "europe/berlin" is not spelt as in the IANA database | write Europe/Berlin @ ' +
        `${threeEnvMatrix().source} (overrides[0])`,
    ]);
  });
});
