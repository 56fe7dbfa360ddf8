import { apps } from '../apps/index.ts';
import { aws, azure, blueGreen, defineMatrix, gcp, onprem } from '../matrix/index.ts';

// Every cluster's Gateway API Gateway: exposed apps attach their HTTPRoutes to it.
const gateway = { name: 'public', namespace: 'gateway' };

export default defineMatrix({
  repo: { url: 'https://github.com/acme/platform.git', branch: 'main' },
  // kube-prometheus-stack (Helm release kube-prometheus-stack, namespace monitoring) selects only the
  // ServiceMonitors, PodMonitors and PrometheusRules labelled with its release.
  monitoring: { namespace: 'monitoring', labels: { release: 'kube-prometheus-stack' } },
  // Every Terraform stack (generated/terraform/<env>/aws/<region>/) keeps its state in this bucket.
  terraform: {
    state: { bucket: 'acme-platform-tfstate', region: 'us-east-1' },
    costCentre: 'platform',
    // GKE stacks (generated/terraform/<env>/gcp/<region>/) keep state in GCS, AKS stacks in Azure Storage.
    gcp: { state: { bucket: 'acme-platform-tfstate-gcp' }, project: 'acme-platform-staging' },
    azure: {
      state: { storageAccount: 'acmeplatformtfstate', container: 'tfstate', resourceGroup: 'acme-tfstate' },
    },
    // Prod's exposed apps span two AWS regions: generated/terraform/prod/aws/global/ routes their global
    // names (web: www.acme.example) to the nearest healthy region, with a health check per region.
    traffic: { zoneId: 'Z04159442S4ZXEXAMPLE' },
  },
  environments: {
    dev: {
      promotesTo: 'staging',
      healthChecks: ['argocd/dev'],
      hostnamePattern: '{app}.{region}.dev.acme.example',
    },
    staging: {
      promotesTo: 'prod',
      hostnamePattern: '{app}.{region}.staging.acme.example',
      policy: { minReplicas: 2, minZones: 2, soak: '2h' },
      healthChecks: ['argocd/staging'],
    },
    prod: {
      hostnamePattern: '{app}.{region}.acme.example',
      policy: {
        minReplicas: 3,
        minZones: 3,
        requireDigest: true,
        soak: '24h',
        freeze: [
          { cron: '0 16 * * FRI', duration: '64h', timeZone: 'Europe/Berlin', reason: 'weekend freeze' },
        ],
        applicationsSync: 'create-update',
        onDemandPercent: 30,
        natPerZone: true,
      },
      reviewers: { teams: ['sre'] },
      riskReviewers: { teams: ['security'] },
    },
  },
  clusters: [
    aws('dev', 'us-east-1', { network: { vpcCidr: '10.10.0.0/16' }, gateway }),
    aws('staging', 'us-east-1', { network: { vpcCidr: '10.20.0.0/16' }, gateway }),
    // GKE and AKS take a Kubernetes minor their provider supports (src/matrix/clouds/*/versions.ts).
    gcp('staging', 'europe-west1', {
      kubernetesVersion: '1.35',
      network: { vpcCidr: '10.21.0.0/16' },
      gateway,
    }),
    // VPC ranges of one environment must not overlap, so its regions can be peered.
    // Wave 0 is the canary region: it gets each release a soak ahead of the rest of prod.
    aws('prod', 'us-east-1', {
      wave: 0,
      network: { vpcCidr: '10.30.0.0/16' },
      nodes: { min: 6, max: 30, desired: 9 },
      gateway,
    }),
    aws('prod', 'eu-west-1', {
      wave: 1,
      network: { vpcCidr: '10.31.0.0/16' },
      nodes: { min: 6, max: 30, desired: 9 },
      gateway,
    }),
    azure('prod', 'westeurope', {
      wave: 1,
      kubernetesVersion: '1.35',
      network: { vpcCidr: '10.32.0.0/16' },
      gateway,
    }),
    onprem('prod', 'dc1', {
      engine: 'flux',
      wave: 2,
      zones: ['room-a', 'room-b', 'room-c'],
      jurisdiction: 'eu',
      // The data centre's own Gateway, with site hostnames.
      gateway: { name: 'edge', namespace: 'gateway', hostnamePattern: '{app}.dc1.acme.internal' },
    }),
  ],
  apps,
  // External destinations apps name in egress.external: defined per environment, narrowed per region.
  destinations: [
    { name: 'postgres', env: 'dev', cidrs: ['10.10.64.0/24'], ports: [5432] },
    { name: 'postgres', env: 'staging', cidrs: ['10.20.64.0/24'], ports: [5432] },
    { name: 'postgres', env: 'prod', cidrs: ['10.30.64.0/24'], ports: [5432] },
    { name: 'postgres', env: 'prod', region: 'eu-west-1', cidrs: ['10.31.64.0/24'], ports: [5432] },
  ],
  overrides: [
    { env: 'prod', app: 'api', set: { scaling: { min: 6, max: 30 } } },
    {
      env: 'prod',
      app: 'web',
      // The global hostname, served by every prod cluster besides its regional one.
      set: {
        scaling: { min: 3 },
        strategy: blueGreen({ autoPromote: false }),
        expose: { host: 'www.acme.example' },
      },
    },
    { env: 'prod', app: 'worker', set: { scaling: { min: 3, max: 12 } } },
    { env: 'dev', set: { config: { LOG_LEVEL: 'debug' } } },
    // SLO budgets burning outside prod open tickets; only prod pages (the default).
    { env: 'dev', set: { sloAlerts: 'ticket' } },
    { env: 'staging', set: { sloAlerts: 'ticket' } },
    { env: 'dev', app: 'api', set: { scaling: { min: 1 } } },
    { env: 'dev', app: 'web', set: { scaling: { min: 1 } } },
    { env: 'dev', app: 'worker', set: { scaling: { min: 1 } } },
    { cloud: 'onprem', set: { resources: { cpu: '250m' } } },
  ],
});
