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
import { loadMatrix } from '../../src/matrix/load.ts';
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
    // Known gap (issue 16 stays open): compare does not yet model target-level settings as layers, so a
    // destination CIDR (the NetworkPolicy egress of api, its migration and the report) and the
    // environment's hostname pattern (web's HTTPRoute) count as unexpected beside the three lagging pins.
    expect(compare(STAGING, PROD).counts).toEqual({ intended: 7, unexpected: 7 });
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
    // Only the edited object (the regions' postgres ranges differ too: see the known gap above).
    expect(result.apps[0]!.objects.filter((o) => o.object.startsWith('Service '))).toEqual([
      {
        object: 'Service api/api',
        status: 'changed',
        group: 'unexpected',
        fields: [{ path: 'spec.type', a: 'LoadBalancer', b: 'ClusterIP', group: 'unexpected' }],
      },
    ]);
    // The Service, and the postgres range of api's and its migration's policies (known gap).
    expect(result.counts).toEqual({ intended: 0, unexpected: 3 });
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
      '  unexpected (3)\n    image.tag: 1.5.0 ↔ 1.4.2\n      prod/aws/us-east-1/main lags: it runs 1.4.2 (src/environments/releases/prod.json), staging/aws/us-east-1/main runs 1.5.0\n',
    );
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('2 intended, 3 unexpected differences.');
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
