import { defineApp, rolling } from '../matrix/index.ts';

/** The public web front end: exposed through the ingress, scales on CPU. */
export const web = defineApp({
  name: 'web',
  image: 'ghcr.io/acme/web',
  ports: { http: 8080 },
  resources: { cpu: '100m', memory: '128Mi' },
  probes: { readiness: '/ready', liveness: '/healthz' },
  scaling: { min: 2, max: 8, cpuPercent: 75 },
  strategy: rolling({ maxSurge: '25%', maxUnavailable: 0 }),
  expose: true,
  dependsOn: ['api'],
  config: { API_URL: 'http://api.api.svc.cluster.local:8080', LOG_LEVEL: 'info' },
});
