import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  classifyValue,
  compareTargets,
  renderedDir,
  type Comparison,
  type RenderedApp,
} from '../../src/fleet/compare.ts';
import { formatComparison } from '../../src/fleet/compare-text.ts';
import { checkedMatrix, loadMatrix, readPins } from '../../src/matrix/load.ts';
import type { ResolvedMatrix } from '../../src/matrix/types.ts';
import { readTree } from '../../src/output/tree.ts';
import { projectRoot } from '../support/tools.ts';

const STAGING = 'staging/aws/us-east-1/main';
const PROD = 'prod/aws/us-east-1/main';
const ONPREM = 'prod/onprem/dc1/main';

let example: ResolvedMatrix;
let generated: Map<string, string>;

/** The example's rendered files from generated/, as the CLI reads them; `edit` changes one file. */
function renderedFrom(tree: ReadonlyMap<string, string>) {
  return (target: string, app: string): RenderedApp => {
    const dir = `${renderedDir(target, app)}/`;
    return new Map([...tree].filter(([path]) => path.startsWith(dir)));
  };
}

beforeAll(async () => {
  example = (await loadMatrix({ root: projectRoot })).resolved;
  generated = await readTree(join(projectRoot, 'generated'));
});

function compare(a: string, b: string, app?: string, tree = generated): Comparison {
  return compareTargets({
    matrix: example,
    a,
    b,
    ...(app !== undefined && { app }),
    rendered: renderedFrom(tree),
  });
}

describe('compare: effective values', () => {
  it('an override layer makes a difference intended, named with its layer and file', () => {
    const api = compare(STAGING, PROD, 'api').apps[0]!;
    const min = api.values.find((v) => v.path === 'scaling.min');
    expect(min).toEqual({
      path: 'scaling.min',
      a: { value: '2', layer: 'app', source: expect.stringMatching(/^src\/apps\/api\.ts:\d+$/) as string },
      b: {
        value: '6',
        layer: 'environment',
        source: expect.stringMatching(/^src\/environments\/index\.ts:\d+ \(overrides\[0\]\)$/) as string,
      },
      group: 'intended',
      reason: 'override',
      explanation: expect.stringMatching(
        /^environment \(src\/environments\/index\.ts:\d+ \(overrides\[0\]\)\) sets 6 on prod\/aws\/us-east-1\/main$/,
      ) as string,
    });
  });

  it('a pin that lags is unexpected, names the lagging target and its pins file, and counts once (tag and digest)', () => {
    const api = compare(STAGING, PROD, 'api').apps[0]!;
    const pins = api.values.filter((v) => v.path.startsWith('image.'));
    expect(pins).toEqual([
      expect.objectContaining({
        path: 'image.tag',
        group: 'unexpected',
        reason: 'pin-lags',
        explanation:
          'prod/aws/us-east-1/main lags: it runs 1.4.2 (src/environments/releases/prod.json), staging/aws/us-east-1/main runs 1.5.0',
      }),
    ]);
  });

  it('a migration digest that lags is a pin that lags, named with its pins file, not an unexplained value', async () => {
    const definition = (await import('../../src/environments/index.ts')).default;
    const { pins } = await readPins(projectRoot);
    const ownImage = {
      ...definition,
      apps: definition.apps.map((app) =>
        app.name === 'api'
          ? { ...app, migrate: { command: ['migrate'], image: 'ghcr.io/acme/api-migrations' } }
          : app,
      ),
    };
    // staging and prod run one tag and digest; only the migration image's digest differs.
    const withApi = (env: string, migrateDigest: string) => ({
      ...pins[env]!,
      apps: { ...pins[env]!.apps, api: { ...pins.prod!.apps.api!, migrateDigest } },
    });
    const { resolved } = checkedMatrix(ownImage, {
      ...pins,
      staging: withApi('staging', `sha256:${'1'.repeat(64)}`),
      prod: withApi('prod', `sha256:${'2'.repeat(64)}`),
    });
    const api = compareTargets({
      matrix: resolved,
      a: STAGING,
      b: PROD,
      app: 'api',
      rendered: renderedFrom(generated),
    }).apps[0]!;
    expect(api.values.filter((v) => v.path.startsWith('image.') || v.path.startsWith('migrate.'))).toEqual([
      expect.objectContaining({
        path: 'migrate.digest',
        a: {
          value: `sha256:${'1'.repeat(64)}`,
          layer: 'pin',
          source: 'src/environments/releases/staging.json',
        },
        b: { value: `sha256:${'2'.repeat(64)}`, layer: 'pin', source: 'src/environments/releases/prod.json' },
        group: 'unexpected',
        reason: 'pin-lags',
      }),
    ]);
  });

  it('two targets of one environment and wave differ in nothing', () => {
    const result = compare(PROD, PROD);
    expect(result.counts).toEqual({ intended: 0, unexpected: 0 });
    expect(result.apps.map((a) => [a.app, a.values.length, a.objects.length])).toEqual([
      ['api', 0, 0],
      ['report', 0, 0],
      ['web', 0, 0],
      ['worker', 0, 0],
    ]);
  });

  it('a cloud override is intended; an app placed on one side only is reported as placed there', () => {
    const result = compare(PROD, ONPREM);
    const api = result.apps.find((a) => a.app === 'api')!;
    expect(api.values.map((v) => [v.path, v.a?.value, v.b?.value, v.group, v.b?.layer])).toEqual([
      ['resources.cpu', '200m', '250m', 'intended', 'cloud'],
    ]);
    expect(result.apps.find((a) => a.app === 'worker')).toMatchObject({ placed: 'a', values: [] });
  });

  it('a value difference that no override layer sets is unexpected', () => {
    // A resolved matrix cannot produce one (only overrides and pins vary by target), so the facts are
    // made by hand: both sides set by the app's own definition, yet different.
    const value = (v: string) => ({
      path: 'replicas',
      value: v,
      layer: 'app' as const,
      source: 'src/apps/x.ts:3',
    });
    expect(classifyValue('replicas', { id: 'a', value: value('2') }, { id: 'b', value: value('3') })).toEqual(
      {
        path: 'replicas',
        a: { value: '2', layer: 'app', source: 'src/apps/x.ts:3' },
        b: { value: '3', layer: 'app', source: 'src/apps/x.ts:3' },
        group: 'unexpected',
        reason: 'unexplained',
        explanation:
          'no override explains it: app (src/apps/x.ts:3) sets 2 on a; app (src/apps/x.ts:3) sets 3 on b',
      },
    );
  });
});

describe('compare: rendered objects', () => {
  it('rendered fields that follow from a value difference are attributed to it; the targets’ own names are not differences', () => {
    const api = compare(STAGING, PROD, 'api').apps[0]!;
    const hpa = api.objects.find((o) => o.object === 'HorizontalPodAutoscaler api/api')!;
    expect(hpa.fields.map((f) => [f.path, f.a, f.b, f.explainedBy])).toEqual([
      ['metadata.labels["app.kubernetes.io/version"]', '1.5.0', '1.4.2', 'image.tag'],
      ['spec.behavior.scaleDown.policies[0].value', '2', '6', 'scaling.min'],
      ['spec.maxReplicas', '10', '30', 'scaling.max'],
      ['spec.minReplicas', '2', '6', 'scaling.min'],
    ]);
    // The env label and the instance names differ (staging vs prod) but are the targets' identity.
    expect(api.objects.flatMap((o) => o.fields).some((f) => f.path.includes('envmatrix.io/env'))).toBe(false);
  });

  it('a strategy override explains the workload kind switch and the objects only one side has', () => {
    const web = compare(STAGING, PROD, 'web').apps[0]!;
    expect(
      web.objects.filter((o) => o.status !== 'changed').map((o) => [o.object, o.status, o.explainedBy]),
    ).toEqual([
      ['Deployment web/web', 'only-a', 'strategy'],
      ['Rollout web/web', 'only-b', 'strategy'],
      ['Service web/web-preview', 'only-b', 'strategy'],
    ]);
    // Besides those: api's and report's postgres range and web's hostname pattern (intended, target
    // settings), each app's sloAlerts (ticket in staging, page in prod), and the three lagging pins
    // (unexpected; report runs one version everywhere).
    expect(compare(STAGING, PROD).counts).toEqual({ intended: 14, unexpected: 3 });
  });

  it('a destination defined per region is intended, named with its layer and entry, and explains the egress rule', () => {
    const api = compare(PROD, 'prod/aws/eu-west-1/main', 'api').apps[0]!;
    expect(api.values).toEqual([
      {
        path: 'target.destinations.postgres.cidrs',
        a: {
          value: '["10.30.64.0/24"]',
          layer: 'environment',
          source: expect.stringMatching(/\(destinations\[2\]\)$/) as string,
        },
        b: {
          value: '["10.31.64.0/24"]',
          layer: 'region',
          source: expect.stringMatching(/\(destinations\[3\]\)$/) as string,
        },
        group: 'intended',
        reason: 'override',
        explanation: expect.stringMatching(
          /^environment \(src\/environments\/index\.ts:\d+ \(destinations\[2\]\)\) sets \["10\.30\.64\.0\/24"\] on prod\/aws\/us-east-1\/main; region \(.*\(destinations\[3\]\)\) sets \["10\.31\.64\.0\/24"\] on prod\/aws\/eu-west-1\/main$/,
        ) as string,
      },
    ]);
    expect(
      api.objects.flatMap((o) => o.fields.map((f) => [o.object, f.path, f.a, f.b, f.group, f.explainedBy])),
    ).toEqual([
      [
        'NetworkPolicy api/api',
        'spec.egress[0].to[0].ipBlock.cidr',
        '10.30.64.0/24',
        '10.31.64.0/24',
        'intended',
        'target.destinations.postgres.cidrs',
      ],
      // The migration Job's own policy reaches the same database.
      [
        'NetworkPolicy api/api-migrate',
        'spec.egress[0].to[0].ipBlock.cidr',
        '10.30.64.0/24',
        '10.31.64.0/24',
        'intended',
        'target.destinations.postgres.cidrs',
      ],
    ]);
  });

  it('one hostname pattern over two regions is no difference; another pattern is intended and explains the route', () => {
    expect(compare(PROD, 'prod/aws/eu-west-1/main', 'web').counts).toEqual({ intended: 0, unexpected: 0 });
    const web = compare(STAGING, PROD, 'web').apps[0]!;
    expect(web.values.find((v) => v.path === 'target.hostnamePattern')).toMatchObject({
      a: { value: '{app}.{region}.staging.acme.example', layer: 'environment' },
      b: { value: '{app}.{region}.acme.example', layer: 'environment' },
      group: 'intended',
    });
    const route = web.objects.find((o) => o.object === 'HTTPRoute web/web')!;
    expect(route.fields.find((f) => f.path === 'spec.hostnames[0]')).toEqual({
      path: 'spec.hostnames[0]',
      a: 'web.us-east-1.staging.acme.example',
      b: 'web.us-east-1.acme.example',
      group: 'intended',
      explainedBy: 'target.hostnamePattern',
    });
  });

  it('a hostname or a destination range edited by hand in generated/ is still unexpected', () => {
    const route = `${renderedDir(PROD, 'web')}/manifest.yaml`;
    const policy = `${renderedDir(PROD, 'api')}/manifest.yaml`;
    const edited = new Map(generated);
    edited.set(route, generated.get(route)!.replace('web.us-east-1.acme.example', 'web.us-east-1.acme.evil'));
    edited.set(policy, generated.get(policy)!.replace('10.30.64.0/24', '10.30.0.0/16'));
    expect(edited.get(route)).not.toBe(generated.get(route));
    expect(edited.get(policy)).not.toBe(generated.get(policy));
    const result = compare(PROD, 'prod/aws/eu-west-1/main', undefined, edited);
    const unexplained = result.apps.flatMap((app) =>
      app.objects.flatMap((o) =>
        o.fields.filter((f) => f.group === 'unexpected').map((f) => [o.object, f.path, f.a, f.b]),
      ),
    );
    expect(unexplained).toEqual([
      ['NetworkPolicy api/api', 'spec.egress[0].to[0].ipBlock.cidr', '10.30.0.0/16', '10.31.64.0/24'],
      ['HTTPRoute web/web', 'spec.hostnames[0]', 'web.us-east-1.acme.evil', 'web.eu-west-1.acme.example'],
    ]);
  });

  it('a dependent app placed on one side only explains the NetworkPolicy rule that lets it in', () => {
    const api = compare(PROD, ONPREM, 'api').apps[0]!;
    const policy = api.objects.find((o) => o.object === 'NetworkPolicy api/api')!;
    expect(new Set(policy.fields.map((f) => f.explainedBy))).toEqual(new Set(['placement of worker']));
    expect(policy.group).toBe('intended');
  });

  it('a rendered field no value explains (generated/ edited by hand) is unexpected, field by field', () => {
    const path = `${renderedDir(PROD, 'api')}/manifest.yaml`;
    const edited = new Map(generated);
    edited.set(path, generated.get(path)!.replace('type: ClusterIP', 'type: LoadBalancer'));
    expect(edited.get(path)).not.toBe(generated.get(path));
    const result = compare(PROD, 'prod/aws/eu-west-1/main', 'api', edited);
    // Only the edited object: the regions' postgres ranges differ too, but a region's destination sets that.
    expect(result.apps[0]!.objects.filter((o) => o.object.startsWith('Service '))).toEqual([
      {
        object: 'Service api/api',
        status: 'changed',
        group: 'unexpected',
        fields: [{ path: 'spec.type', a: 'LoadBalancer', b: 'ClusterIP', group: 'unexpected' }],
      },
    ]);
    expect(result.counts).toEqual({ intended: 1, unexpected: 1 }); // the postgres range, and the Service
    expect(formatComparison(result)).toContain(
      '    Service api/api: rendered differently, and no value explains it\n      spec.type: LoadBalancer ↔ ClusterIP',
    );
  });
});

describe('compare: bad input', () => {
  it('names the unknown target and lists the real ones', () => {
    expect(() => compare(PROD, 'prod/aws/nowhere/main')).toThrow(
      `unknown target "prod/aws/nowhere/main"; targets are: ${example.targets.map((t) => t.id).join(', ')}`,
    );
  });

  it('names an app placed on neither target', () => {
    expect(() => compare(PROD, ONPREM, 'billing')).toThrow(
      'app "billing" is placed on neither prod/aws/us-east-1/main nor prod/onprem/dc1/main; apps there: api, report, web, worker',
    );
  });
});

describe('envmatrix compare (CLI)', () => {
  const run = promisify(execFile);
  const bin = join(projectRoot, 'bin/envmatrix.js');

  it('prints text by default and the same comparison as --json', async () => {
    const text = await run('node', [bin, 'compare', STAGING, PROD, 'api'], { cwd: projectRoot });
    expect(text.stdout).toContain(
      '  unexpected (1)\n    image.tag: 1.5.0 ↔ 1.4.2\n      prod/aws/us-east-1/main lags: it runs 1.4.2 (src/environments/releases/prod.json), staging/aws/us-east-1/main runs 1.5.0\n',
    );
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('4 intended, 1 unexpected difference.');
    const json = await run('node', [bin, 'compare', STAGING, PROD, 'api', '--json'], { cwd: projectRoot });
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(JSON.stringify(compare(STAGING, PROD, 'api'))));
  });

  it('exits 2 with the message for an unknown target', async () => {
    const failed = await run('node', [bin, 'compare', PROD, 'nope'], { cwd: projectRoot }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/^envmatrix: unknown target "nope"; targets are: /);
  });
});
