import { defineApp, rolling } from '../matrix/index.ts';

/** The public web front end: exposed through the cluster's Gateway, scales on CPU. */
export const web = defineApp({
  name: 'web',
  image: 'ghcr.io/acme/web',
  ports: { http: 8080 },
  resources: { cpu: '100m', memory: '128Mi' },
  probes: { readiness: '/ready', liveness: '/healthz' },
  scaling: { min: 2, max: 8, cpuPercent: 75 },
  strategy: rolling({ maxSurge: '25%', maxUnavailable: 0 }),
  // Routed from the cluster's Gateway (HTTPRoute); only the Gateway's namespace reaches the port.
  expose: { paths: ['/'], port: 'http' },
  dependsOn: ['api'],
  config: { API_URL: 'http://api.api.svc.cluster.local:8080', LOG_LEVEL: 'info' },
});
