import { describe, expect, it } from 'vitest';
import { MatrixError, formatIssue } from '../../src/matrix/errors.ts';
import { aws, blueGreen, canary, defineApp, gcp } from '../../src/matrix/index.ts';
import { checkedMatrix } from '../../src/matrix/load.ts';
import { parsePins } from '../../src/matrix/pins.ts';
import { DIGEST, fixtureApps, fixtureMatrix, fixturePins } from '../support/matrix-fixture.ts';
import { problems } from '../support/problems.ts';

describe('validation', () => {
  it('accepts the fixture matrix', () => {
    expect(problems(fixtureMatrix())).toEqual([]);
  });

  it('rejects names that are not DNS-1123 labels', () => {
    const matrix = fixtureMatrix({
      environments: { Dev: { promotesTo: 'prod' }, prod: {} },
      clusters: [aws('Dev', 'us-east-1', { name: 'Main_1' }), aws('prod', 'eu-west-1')],
      apps: [defineApp({ name: 'API', image: 'x' })],
    });
    expect(problems(matrix, {})).toEqual([
      '[environments.Dev] environment name "Dev" is not a DNS-1123 label',
      '[clusters[0] Dev/aws/us-east-1/Main_1] cluster name "Main_1" is not a DNS-1123 label',
      '[apps.API] app name "API" is not a DNS-1123 label',
      '[Dev/aws/us-east-1/Main_1/API] no pin in src/environments/releases/Dev.json',
      '[prod/aws/eu-west-1/main/API] no pin in src/environments/releases/prod.json',
    ]);
  });

  it('rejects duplicate clusters and apps, naming where the first was defined', () => {
    const [api, worker] = fixtureApps();
    const matrix = fixtureMatrix({
      clusters: [...fixtureMatrix().clusters, aws('dev', 'us-east-1')],
      apps: [api!, worker!, defineApp({ name: 'api', image: 'other' })],
    });
    const found = problems(matrix);
    expect(
      found.filter((p) =>
        /^\[clusters\[4\] dev\/aws\/us-east-1\/main\] duplicate cluster dev\/aws\/us-east-1\/main \(also defined at test\/support\/matrix-fixture\.ts:\d+\)$/.test(
          p,
        ),
      ),
    ).toHaveLength(1);
    expect(
      found.filter((p) =>
        p.startsWith('[apps.api] duplicate app "api" (also defined at test/support/matrix-fixture.ts:'),
      ),
    ).toHaveLength(1);
  });

  it('rejects references to unknown environments, apps and clusters', () => {
    const [api] = fixtureApps();
    const matrix = fixtureMatrix({
      clusters: [...fixtureMatrix().clusters, aws('qa', 'us-east-2')],
      apps: [
        api!,
        defineApp({
          name: 'worker',
          image: 'w',
          replicas: 2,
          dependsOn: ['queue'],
          placement: { exclude: [{ env: 'test' }] },
        }),
      ],
      overrides: [
        { env: 'prod', app: 'web', set: { replicas: 3 } },
        { cluster: 'blue', set: { replicas: 3 } },
      ],
    });
    expect(problems(matrix)).toEqual([
      '[clusters[4] qa/aws/us-east-2/main] unknown environment "qa"',
      '[apps.worker.dependsOn] depends on unknown app "queue"',
      '[apps.worker.placement.exclude[0]] {env: test} names unknown environment "test"',
      '[overrides[0] {env: prod, app: web}] names unknown app "web"',
      '[overrides[1] {cluster: blue}] matches no cluster',
    ]);
  });

  it('rejects a promotion order with a cycle', () => {
    const matrix = fixtureMatrix({
      environments: {
        dev: { promotesTo: 'staging' },
        staging: { promotesTo: 'prod' },
        prod: { promotesTo: 'staging' },
      },
      clusters: [aws('dev', 'us-east-1')],
    });
    expect(problems(matrix, fixturePins({ prod: {} }))).toEqual([
      '[environments] promotion order has a cycle: staging → prod → staging',
    ]);
  });

  it('rejects an environment the promotion order never reaches', () => {
    const matrix = fixtureMatrix({
      environments: { dev: { promotesTo: 'prod' }, prod: {}, sandbox: {} },
      clusters: [aws('dev', 'us-east-1')],
    });
    expect(problems(matrix)).toEqual([
      '[environments.sandbox] environment "sandbox" is unreachable in the promotion order dev → prod',
    ]);
  });

  it('leaves an app restricted to the EU off a US region (residency), so what needs it there is reported', () => {
    const [api, worker] = fixtureApps();
    const euOnly = { ...api!, placement: { residency: 'eu' as const } };
    const matrix = fixtureMatrix({ apps: [euOnly, worker!] });
    expect(problems(matrix)).toEqual([
      '[dev/aws/us-east-1/main/worker] depends on "api", which is not placed on dev/aws/us-east-1/main',
    ]);
  });

  it('rejects replicas below the environment minimum, and too few zones', () => {
    const matrix = fixtureMatrix({
      clusters: [aws('dev', 'us-east-1'), aws('prod', 'eu-west-1', { zones: ['eu-west-1a', 'eu-west-1b'] })],
      overrides: [{ env: 'prod', app: 'worker', set: { replicas: 1 } }],
    });
    expect(problems(matrix)).toEqual([
      '[prod/aws/eu-west-1/main] spans 2 zones < policy minimum 3',
      '[prod/aws/eu-west-1/main/worker] replicas 1 < policy minimum 2',
    ]);
  });

  it('requires a migrateDigest in the pin of an app with its own migration image where digests are required', () => {
    const [api, worker] = fixtureApps();
    const migrate = { command: ['./migrate', 'up'], image: 'registry.example.com/api-migrations' };
    const withImage = fixtureMatrix({ apps: [{ ...api!, migrate }, worker!] });
    expect(problems(withImage)).toEqual(
      ['aws/eu-west-1', 'gcp/europe-west1', 'onprem/dc1'].map(
        (where) =>
          `[prod/${where}/main/api] migrate.image registry.example.com/api-migrations would run by tag 1.0.0, without a digest, and prod requires one`,
      ),
    );
    const byDigest = fixturePins({
      prod: {
        api: { tag: '1.0.0', digest: DIGEST, migrateDigest: `sha256:${'b'.repeat(64)}` },
        worker: { tag: '0.1.0', digest: DIGEST },
      },
    });
    expect(problems(withImage, byDigest)).toEqual([]);
    // Set for dev only, where digests are not required, it needs none; prod runs the app's own image.
    const devOnly = fixtureMatrix({
      apps: [{ ...api!, migrate: { command: migrate.command } }, worker!],
      overrides: [{ env: 'dev', app: 'api', set: { migrate } }],
    });
    expect(problems(devOnly)).toEqual([]);
  });

  it('warns, once per pin, of a migrateDigest that no target runs by', () => {
    const [api, worker] = fixtureApps();
    const migrate = { command: ['./migrate', 'up'], image: 'registry.example.com/api-migrations' };
    const migrateDigest = `sha256:${'b'.repeat(64)}`;
    const pins = fixturePins({
      prod: {
        api: { tag: '1.0.0', digest: DIGEST, migrateDigest },
        worker: { tag: '0.1.0', digest: DIGEST },
      },
    });
    const warnings = (matrix: ReturnType<typeof fixtureMatrix>) =>
      (checkedMatrix(matrix, pins).warnings ?? []).map(
        (issue) => `[${issue.path}] ${issue.message} | ${issue.fix}`,
      );
    const unused =
      '[src/environments/releases/prod.json apps.api] migrateDigest is set, but api has no migration image of its own in prod (migrate.image): nothing runs by it | remove "migrateDigest" from apps.api in src/environments/releases/prod.json, or give api a migrate.image';
    // The app migrates by its own image nowhere: one warning, though three prod targets run the pin.
    expect(warnings(fixtureMatrix())).toEqual([unused]);
    // Its own image in dev only: prod's pin still has nothing to run by it.
    const devOnly = fixtureMatrix({
      apps: [{ ...api!, migrate: { command: migrate.command } }, worker!],
      overrides: [{ env: 'dev', app: 'api', set: { migrate } }],
    });
    expect(warnings(devOnly)).toEqual([unused]);
    // Its own image in one prod region is enough: that target runs by the digest.
    const oneRegion = fixtureMatrix({
      apps: [{ ...api!, migrate: { command: migrate.command } }, worker!],
      overrides: [{ env: 'prod', region: 'eu-west-1', app: 'api', set: { migrate } }],
    });
    expect(warnings(oneRegion)).toEqual([]);
    expect(warnings(fixtureMatrix({ apps: [{ ...api!, migrate }, worker!] }))).toEqual([]);
  });

  it('rejects a prod pin without a digest, and an app placed where it has no pin', () => {
    const pins = fixturePins({ prod: { api: { tag: '1.0.0' } } });
    expect(problems(fixtureMatrix(), pins)).toEqual([
      '[prod/aws/eu-west-1/main/api] pin 1.0.0 has no digest, and prod requires one',
      '[prod/aws/eu-west-1/main/worker] no pin in src/environments/releases/prod.json',
      '[prod/gcp/europe-west1/main/api] pin 1.0.0 has no digest, and prod requires one',
      '[prod/gcp/europe-west1/main/worker] no pin in src/environments/releases/prod.json',
      '[prod/onprem/dc1/main/api] pin 1.0.0 has no digest, and prod requires one',
      '[prod/onprem/dc1/main/worker] no pin in src/environments/releases/prod.json',
    ]);
  });

  it('rejects pins for unknown apps and environments', () => {
    const pins = {
      ...fixturePins({ dev: { api: { tag: '1.1.0' }, worker: { tag: '0.2.0' }, web: { tag: '1.0.0' } } }),
      qa: { file: 'src/environments/releases/qa.json', apps: {} },
    };
    expect(problems(fixtureMatrix(), pins)).toEqual([
      '[src/environments/releases/dev.json apps.web] pin for unknown app "web"',
      '[src/environments/releases/qa.json] pins file for unknown environment "qa"',
    ]);
  });

  it('reports malformed pins files: invalid JSON, unknown fields, bad digests', () => {
    expect(
      parsePins('r/prod.json', '{"apps": {\n  "api": {"tag": "1.0",}\n}}').issues.map(formatIssue),
    ).toEqual([
      '[r/prod.json] is not valid JSON: Expected double-quoted property name at line 2, column 24\n    fix: fix the JSON syntax (a trailing comma or a missing quote is the usual cause)',
    ]);
    expect(
      parsePins('r/prod.json', '{"apps": {"api": {"tag": "1.0", "sha": "x"}}}').issues.map(
        (i) => `[${i.path}] ${i.message}`,
      ),
    ).toEqual(['[r/prod.json apps.api] unknown field(s) sha']);
    expect(
      parsePins('r/prod.json', '{"apps": {"api": {"tag": "1.0", "digest": "sha256:abc"}}}').issues.map(
        (i) => `[${i.path}] ${i.message}`,
      ),
    ).toEqual([
      '[r/prod.json apps.api.digest] "sha256:abc" is not a digest (sha256: followed by 64 lowercase hex digits)',
    ]);
    expect(
      parsePins('r/prod.json', '{"apps": {"api": {"tag": "-bad"}}}').issues.map(
        (i) => `[${i.path}] ${i.message}`,
      ),
    ).toEqual([
      '[r/prod.json apps.api.tag] "-bad" is not an image tag (letters, digits, _ . -; at most 128; not starting with . or -)',
    ]);
  });

  it('rejects app values that cannot be deployed, per target after overrides', () => {
    const apps = [
      defineApp({
        name: 'api',
        image: 'a',
        ports: { http: 80 },
        scaling: { min: 4, max: 2 },
        strategy: canary({ steps: [50, 20, 100], pause: '1m' }),
      }),
      defineApp({
        name: 'worker',
        image: 'w',
        replicas: 2,
        probes: { port: 'grpc' },
        resources: { cpu: 'lots', memory: '1Gi' },
      }),
    ];
    const matrix = fixtureMatrix({ clusters: [aws('dev', 'us-east-1')], apps });
    expect(problems(matrix)).toEqual([
      '[dev/aws/us-east-1/main/api] scaling.min 4 > scaling.max 2',
      '[dev/aws/us-east-1/main/api] canary steps [50, 20, 100] must increase strictly from above 0 and end at 100',
      '[dev/aws/us-east-1/main/worker] resources.cpu "lots" is not a Kubernetes quantity',
      '[dev/aws/us-east-1/main/worker] probe port "grpc" is not one of the app\'s ports (none)',
    ]);
  });

  it('rejects credentials in config and fields other than references in secrets', () => {
    const apps = [
      defineApp({
        name: 'api',
        image: 'a',
        replicas: 2,
        config: { DB_PASSWORD: 'hunter2' },
        secrets: [{ name: 'db', store: 'vault', key: 'api/db', value: 'hunter2' } as never],
      }),
    ];
    const matrix = fixtureMatrix({ clusters: [aws('dev', 'us-east-1')], apps });
    expect(problems(matrix, fixturePins({ dev: { api: { tag: '1' } }, prod: {} }))).toEqual([
      '[apps.api.secrets[0]] secret reference has field(s) value',
      '[dev/aws/us-east-1/main/api] config key "DB_PASSWORD" looks like a credential',
    ]);
  });

  it('rejects regions and zones that a cloud does not have (for JavaScript callers the compiler cannot check)', () => {
    const matrix = fixtureMatrix({
      clusters: [
        aws('dev', 'europe-west1' as never),
        gcp('prod', 'europe-west1', { zones: ['europe-west1-z', 'europe-west1-b', 'europe-west1-c'] }),
      ],
    });
    expect(problems(matrix)).toEqual([
      '[clusters[0] dev/aws/europe-west1/main] "europe-west1" is not a aws region',
      '[clusters[1] prod/gcp/europe-west1/main] zone "europe-west1-z" is not in europe-west1',
    ]);
  });

  it('rejects a dependency on an app that is not placed on the same cluster, and dependency cycles', () => {
    const apps = [
      defineApp({
        name: 'api',
        image: 'a',
        replicas: 2,
        dependsOn: ['worker'],
        placement: { exclude: [{ cloud: 'gcp' }] },
      }),
      defineApp({ name: 'worker', image: 'w', replicas: 2, dependsOn: ['api'] }),
    ];
    const found = problems(fixtureMatrix({ apps }));
    expect(found).toContain('[apps.api.dependsOn] dependency cycle: api → worker → api');
    expect(found).toContain(
      '[prod/gcp/europe-west1/main/worker] depends on "api", which is not placed on prod/gcp/europe-west1/main',
    );
  });

  it('collects every problem, with source and fix, into one error', () => {
    const [api, worker] = fixtureApps();
    const matrix = fixtureMatrix({
      environments: {
        dev: { promotesTo: 'prod', policy: { soak: 'forever' as never } },
        prod: { policy: { minReplicas: 3, requireDigest: true } },
      },
      apps: [{ ...api!, strategy: blueGreen() }, worker!],
    });
    let error: unknown;
    try {
      checkedMatrix(matrix, fixturePins());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MatrixError);
    const issues = (error as MatrixError).issues;
    expect(issues.length).toBe(7);
    expect(issues[0]).toEqual({
      path: 'environments.dev.policy.soak',
      message: 'soak "forever" is not a duration',
      source: expect.stringMatching(/^test\/support\/matrix-fixture\.ts:\d+$/) as unknown,
      fix: 'write a number and a unit: 30m, 24h, 2d',
    });
    expect(issues[1]).toMatchObject({
      path: 'prod/aws/eu-west-1/main/api',
      message: 'replicas 2 < policy minimum 3',
      fix: 'raise scaling.min to 3 or more for prod',
    });
    expect((error as MatrixError).message).toMatch(
      /^The matrix has 7 problems:\n {2}\[environments\.dev\.policy\.soak\]/,
    );
  });
});

describe('digest and pins', () => {
  it('uses the digest in the image reference when the pin has one', () => {
    const { resolved } = checkedMatrix(fixtureMatrix(), fixturePins());
    const prodApi = resolved.targets
      .find((t) => t.id === 'prod/aws/eu-west-1/main')
      ?.apps.find((a) => a.name === 'api');
    const devApi = resolved.targets
      .find((t) => t.id === 'dev/aws/us-east-1/main')
      ?.apps.find((a) => a.name === 'api');
    expect(prodApi?.imageRef).toBe(`ghcr.io/acme/api:1.0.0@${DIGEST}`);
    expect(devApi?.imageRef).toBe('ghcr.io/acme/api:1.1.0');
  });
});
