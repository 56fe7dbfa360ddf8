import { describe, expect, it } from 'vitest';
import { explain } from '../../src/matrix/explain.ts';
import { aws, blueGreen, defineMatrix } from '../../src/matrix/index.ts';
import { checkedMatrix, loadMatrix } from '../../src/matrix/load.ts';
import { projectRoot } from '../support/tools.ts';
import { fixtureApps, fixturePins } from '../support/matrix-fixture.ts';

/** A matrix where every layer sets `resources.cpu` on exactly one target, so each layer can be asked for. */
function layeredMatrix() {
  return defineMatrix({
    repo: { url: 'https://github.com/acme/platform.git' },
    environments: { dev: { promotesTo: 'prod' }, prod: {} },
    clusters: [
      aws('dev', 'us-east-1'),
      aws('prod', 'us-east-1'),
      aws('prod', 'eu-west-1'),
      aws('prod', 'eu-west-1', { name: 'blue' }),
    ],
    apps: fixtureApps(),
    overrides: [
      { cluster: 'blue', set: { resources: { cpu: '900m' } } },
      { region: 'eu-west-1', set: { resources: { cpu: '800m' } } },
      { cloud: 'aws', env: 'prod', set: { resources: { cpu: '700m' } } },
      { env: 'prod', set: { resources: { cpu: '600m' }, strategy: blueGreen() } },
      { app: 'api', set: { resources: { cpu: '500m' } } },
    ],
  });
}

const pins = fixturePins({ prod: { api: { tag: '1.0.0' }, worker: { tag: '0.1.0' } } });

describe('resolve', () => {
  const { resolved } = checkedMatrix(layeredMatrix(), pins);
  const chain = (target: string, app: string, path: string) =>
    explain(resolved, target, app, path).chains[0]!.steps.map(
      (step) => `${step.layer}=${JSON.stringify(step.value)}`,
    );

  it('layers default → app → app override → environment → cloud → region → cluster, most specific last', () => {
    expect(chain('prod/aws/eu-west-1/blue', 'api', 'resources.cpu')).toEqual([
      'default="100m"',
      'app override="500m"',
      'environment="600m"',
      'cloud="700m"',
      'region="800m"',
      'cluster="900m"',
    ]);
    expect(chain('prod/aws/eu-west-1/main', 'worker', 'resources.cpu')).toEqual([
      'default="100m"',
      'environment="600m"',
      'cloud="700m"',
      'region="800m"',
    ]);
    expect(chain('dev/aws/us-east-1/main', 'worker', 'resources.cpu')).toEqual(['default="100m"']);
  });

  it('records the app definition and the pin as layers too', () => {
    expect(chain('dev/aws/us-east-1/main', 'api', 'scaling.min')).toEqual(['app=2']);
    expect(chain('dev/aws/us-east-1/main', 'api', 'image.tag')).toEqual(['pin="1.1.0"']);
    const pinStep = explain(resolved, 'dev/aws/us-east-1/main', 'api', 'image.tag').chains[0]!.steps[0]!;
    expect(pinStep.source).toBe('src/environments/releases/dev.json');
  });

  it('replaces a strategy whole instead of merging a canary into a blue-green', () => {
    const api = resolved.targets
      .find((t) => t.id === 'prod/aws/us-east-1/main')!
      .apps.find((a) => a.name === 'api')!;
    // No canary `steps`; autoPromote comes from prod's blue-green policy (manual: the last environment).
    expect(api.values.strategy).toEqual({ kind: 'blueGreen', autoPromote: false });
    expect(explain(resolved, 'prod/aws/us-east-1/main', 'api', 'strategy.steps').chains[0]!.path).toBe(
      'strategy',
    );
  });

  it('names the source file and line of each override', () => {
    const steps = explain(resolved, 'prod/aws/eu-west-1/blue', 'api', 'resources.cpu').chains[0]!.steps;
    expect(steps.at(-1)!.source).toMatch(/^test\/matrix\/resolve\.test\.ts:\d+ \(overrides\[0\]\)$/);
    expect(steps[0]!.source).toBe('envmatrix default');
  });

  it('orders targets by promotion order, wave, cloud, region, cluster', () => {
    expect(resolved.targets.map((t) => t.id)).toEqual([
      'dev/aws/us-east-1/main',
      'prod/aws/eu-west-1/blue',
      'prod/aws/eu-west-1/main',
      'prod/aws/us-east-1/main',
    ]);
  });

  it('explains unknown targets, apps and paths with the choices there are', () => {
    expect(() => explain(resolved, 'prod/aws/us-west-2/main', 'api', 'replicas')).toThrow(
      'unknown target "prod/aws/us-west-2/main"; targets are: dev/aws/us-east-1/main, prod/aws/eu-west-1/blue, prod/aws/eu-west-1/main, prod/aws/us-east-1/main',
    );
    expect(() => explain(resolved, 'dev/aws/us-east-1/main', 'web', 'replicas')).toThrow(
      'app "web" is not placed on dev/aws/us-east-1/main; apps there: api, worker',
    );
    expect(() => explain(resolved, 'dev/aws/us-east-1/main', 'api', 'scalling.min')).toThrow(
      /^"scalling\.min" is not a value of api on dev\/aws\/us-east-1\/main; values set there: expose, image\.repository/,
    );
  });
});

describe('the example matrix', () => {
  it('loads, and explains the DESIGN example: api scaling.min in prod is 6 from the override over the app value 2', async () => {
    const { resolved } = await loadMatrix({ root: projectRoot });
    const explanation = explain(resolved, 'prod/aws/eu-west-1/main', 'api', 'scaling.min');
    expect(explanation.value).toBe(6);
    const steps = explanation.chains[0]!.steps;
    expect(steps.map((s) => [s.layer, s.value])).toEqual([
      ['app', 2],
      ['environment', 6],
    ]);
    expect(steps[0]!.source).toMatch(/^src\/apps\/api\.ts:\d+$/);
    expect(steps[1]!.source).toMatch(/^src\/environments\/index\.ts:\d+ \(overrides\[0\]\)$/);
  });

  it('places each cluster on exactly one engine and onprem on Flux', async () => {
    const { resolved } = await loadMatrix({ root: projectRoot });
    const engines = Object.fromEntries(resolved.targets.map((t) => [t.id, t.engine]));
    expect(engines['prod/onprem/dc1/main']).toBe('flux');
    expect(Object.values(engines).filter((e) => e === 'argocd')).toHaveLength(6);
  });
});
