import { canary, defineApp } from '../matrix/index.ts';

/** The API: released by canary, reads its database credentials from Vault. */
export const api = defineApp({
  name: 'api',
  image: 'ghcr.io/acme/api',
  ports: { http: 8080, metrics: 9090 },
  resources: { cpu: '200m', memory: '256Mi' },
  probes: { readiness: '/ready', liveness: '/healthz', port: 'http' },
  scaling: { min: 2, max: 10, cpuPercent: 70 },
  strategy: canary({ steps: [5, 20, 50, 100], pause: '5m' }),
  config: { LOG_LEVEL: 'info', DB_POOL_SIZE: '10' },
  // Dependants (web, worker) reach http only; the metrics port stays closed to them.
  serves: ['http'],
  // Prometheus (monitoring namespace) scrapes the metrics port; nothing else reaches it.
  metrics: { port: 'metrics' },
  // 99.9% of requests succeed and 99% finish within 300 ms, over 30 days: burn-rate alerts (PrometheusRule)
  // on the default series http_requests_total and http_request_duration_seconds_bucket.
  slo: { availability: 99.9, latency: { quantile: 0.99, ms: 300 } },
  // The database is an external destination each environment defines (src/environments/index.ts).
  egress: { external: ['postgres'] },
  // Expand and contract: each release's schema change runs as a Job before its pods roll out (an Argo
  // CD Sync hook a sync wave ahead of the workload; on Flux a Kustomization the workload's waits for).
  migrate: { command: ['./migrate', 'up'] },
  secrets: [{ name: 'api-db', store: 'vault', key: 'api/db', property: 'password' }],
});
