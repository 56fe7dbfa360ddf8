import { defineApp } from '../matrix/index.ts';

/** Background jobs fed by the API; runs in the public clouds only, busier in business hours. */
export const worker = defineApp({
  name: 'worker',
  image: 'ghcr.io/acme/worker',
  ports: { metrics: 9090 },
  resources: { cpu: '250m', memory: '512Mi', memoryLimit: '1Gi' },
  // Business hours keep a floor of 4 (a KEDA ScaledObject, cron and CPU triggers, instead of an HPA).
  scaling: {
    min: 2,
    max: 10,
    schedules: [{ start: '0 8 * * MON-FRI', end: '0 18 * * MON-FRI', min: 4, timeZone: 'Europe/Berlin' }],
  },
  config: { QUEUE: 'jobs', CONCURRENCY: '4' },
  placement: { exclude: [{ cloud: 'onprem' }] },
  dependsOn: ['api'],
  metrics: { port: 'metrics', interval: '1m' },
});
