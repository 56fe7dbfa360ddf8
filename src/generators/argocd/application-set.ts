/**
 * The environment's ApplicationSet: a list generator with one explicit element per (cluster, app), so a
 * reviewer sees every Application in the diff and a broken cluster generator can never return nothing
 * (the mass-deletion bug class of argo-cd #18780 / #18480).
 *
 * Templates use goTemplate with `missingkey=error`: an element without a field the template uses is an
 * error in the controller, not an empty string in a path or a name.
 */
import { compareStrings } from '../../core/compare.ts';
import type { ApplicationEntry, ArgoEnvironmentInput } from './input.ts';
import {
  API_VERSION,
  ARGOCD_NAMESPACE,
  applicationSetName,
  appsProjectName,
  commonLabels,
  LABELS,
} from './names.ts';

/**
 * Retry a failed sync with backoff: 10s, 20s, 40s… capped at 3m, five times. A first sync often fails
 * only because a CRD or namespace is not there yet.
 */
export const SYNC_RETRY = {
  limit: 5,
  backoff: { duration: '10s', factor: 2, maxDuration: '3m' },
} as const;

/** `{{.field}}` of a list element, for the template. */
function field(name: keyof ListElement): string {
  return `{{.${name}}}`;
}

/** One list element. Every value is a string: labels need strings, and so the rendering is exact. */
export interface ListElement {
  readonly name: string;
  readonly app: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly path: string;
  readonly wave: string;
  readonly dependencyLevel: string;
}

export function listElement(entry: ApplicationEntry): ListElement {
  return {
    name: entry.name,
    app: entry.app,
    cluster: entry.cluster,
    namespace: entry.namespace,
    path: entry.path,
    wave: String(entry.wave),
    dependencyLevel: String(entry.dependencyLevel),
  };
}

/**
 * RollingSync steps: wave by wave, and within a wave dependency level by level. The ApplicationSet
 * controller syncs a step only once every Application of the previous steps is Healthy, so a region
 * wave waits for the one before it and an app for what it depends on.
 */
export function rollingSyncSteps(applications: readonly ApplicationEntry[]): unknown[] {
  const steps = new Map<string, { wave: number; level: number }>();
  for (const { wave, dependencyLevel: level } of applications) steps.set(`${wave}/${level}`, { wave, level });
  return [...steps.values()]
    .sort((a, b) => a.wave - b.wave || a.level - b.level)
    .map(({ wave, level }) => ({
      matchExpressions: [
        { key: LABELS.wave, operator: 'In', values: [String(wave)] },
        { key: LABELS.dependencyLevel, operator: 'In', values: [String(level)] },
      ],
    }));
}

/** The Application every element becomes. */
function template(input: ArgoEnvironmentInput): unknown {
  return {
    metadata: {
      name: field('name'),
      labels: {
        ...commonLabels(input.env),
        [LABELS.app]: field('app'),
        [LABELS.wave]: field('wave'),
        [LABELS.dependencyLevel]: field('dependencyLevel'),
      },
      annotations: {
        // Relative to the source path: a commit outside the app's folder does not refresh it.
        'argocd.argoproj.io/manifest-generate-paths': '.',
        // Dependency order, for whatever syncs these Applications as resources (an app of apps).
        'argocd.argoproj.io/sync-wave': field('dependencyLevel'),
      },
    },
    spec: {
      project: appsProjectName(input.env),
      source: { repoURL: input.repoUrl, targetRevision: input.branch, path: field('path') },
      destination: { name: field('cluster'), namespace: field('namespace') },
      syncPolicy: {
        ...(input.sync === 'automated' && { automated: { prune: true, selfHeal: true } }),
        syncOptions: ['CreateNamespace=true'],
        retry: SYNC_RETRY,
      },
    },
  };
}

export function applicationSet(input: ArgoEnvironmentInput): unknown {
  const elements = [...input.applications]
    .sort(
      (a, b) =>
        a.wave - b.wave ||
        a.dependencyLevel - b.dependencyLevel ||
        compareStrings(a.cluster, b.cluster) ||
        compareStrings(a.app, b.app),
    )
    .map(listElement);
  // RollingSync syncs Applications itself, so in a manual environment it would defeat the policy:
  // there the strategy is left out and people sync wave by wave (labels make that one command).
  const rolling = input.sync === 'automated' && elements.length > 0;
  return {
    apiVersion: API_VERSION,
    kind: 'ApplicationSet',
    metadata: {
      name: applicationSetName(input.env),
      namespace: ARGOCD_NAMESPACE,
      labels: commonLabels(input.env),
      // An automated prune of the ApplicationSet would delete every Application at once.
      annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' },
    },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements } }],
      ...(rolling && {
        strategy: { type: 'RollingSync', rollingSync: { steps: rollingSyncSteps(input.applications) } },
      }),
      syncPolicy: {
        applicationsSync: input.applicationsSync,
        // Removing an Application (or this ApplicationSet) never deletes what it deployed.
        preserveResourcesOnDeletion: true,
      },
      template: template(input),
    },
  };
}
