import { defineApp } from '../matrix/index.ts';

/** Background jobs fed by the API; runs in the public clouds only. */
export const worker = defineApp({
  name: 'worker',
  image: 'ghcr.io/acme/worker',
  ports: { metrics: 9090 },
  resources: { cpu: '250m', memory: '512Mi', memoryLimit: '1Gi' },
  replicas: 2,
  config: { QUEUE: 'jobs', CONCURRENCY: '4' },
  placement: { exclude: [{ cloud: 'onprem' }] },
  dependsOn: ['api'],
  metrics: { port: 'metrics', interval: '1m' },
});
