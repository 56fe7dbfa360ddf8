/**
 * Bad app definitions fail synth with a message naming the app, the target (where one is involved) and
 * the fix, and leave generated/ exactly as it was: matrix problems through validation (every problem at
 * once), problems only the generator sees through GeneratorError.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compose, loadRenderers } from '../../../src/generators/index.ts';
import { checkSharedNamespaces } from '../../../src/generators/k8s/checks.ts';
import type { Generator } from '../../../src/generators/types.ts';
import { k8sGenerator } from '../../../src/generators/k8s/index.ts';
import { GeneratorError } from '../../../src/generators/errors.ts';
import { MatrixError } from '../../../src/matrix/errors.ts';
import { blueGreen, canary, defineApp } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import type { MatrixDefinition, PinsByEnvironment, ResolvedMatrix } from '../../../src/matrix/types.ts';
import { synth } from '../../../src/output/synth.ts';
import { readTree } from '../../../src/output/tree.ts';
import { DIGEST, resolveUnchecked, threeEnvApps, threeEnvMatrix, threeEnvPins, withApp } from './helpers.ts';

let outDir: string;
let before: Map<string, string>;

beforeAll(async () => {
  outDir = join(await mkdtemp(join(tmpdir(), 'envmatrix-k8s-fail-')), 'generated');
  const { resolved } = checkedMatrix(threeEnvMatrix(), threeEnvPins());
  await synth(resolved, { outDir, generators: [k8sGenerator] });
  before = await readTree(outDir);
  // 3 targets × 3 apps, a manifest.yaml and a kustomization.yaml each, and index.json.
  expect(before.size).toBe(19);
});

afterAll(async () => {
  if (outDir) await rm(join(outDir, '..'), { recursive: true, force: true });
});

/** Load (validate) and synth, as `npm run synth` does; returns the error with source lines masked. */
async function failedSynth(
  definition: MatrixDefinition,
  pins: PinsByEnvironment = threeEnvPins(),
  resolve: () => ResolvedMatrix = () => checkedMatrix(definition, pins).resolved,
): Promise<Error> {
  try {
    await synth(resolve(), { outDir, generators: [k8sGenerator] });
  } catch (error) {
    expect(await readTree(outDir)).toEqual(before);
    const failure = error as Error;
    failure.message = failure.message
      .replace(/helpers\.ts:\d+/g, 'helpers.ts:N')
      .replace(/failures\.test\.ts:\d+/g, 'failures.test.ts:N');
    return failure;
  }
  throw new Error('synth succeeded');
}

describe('a bad app definition', () => {
  it('fails on a canary whose weights do not increase, naming target, app and the fix', async () => {
    const bad = threeEnvMatrix();
    const error = await failedSynth({
      ...bad,
      overrides: [
        ...(bad.overrides ?? []),
        { env: 'prod', app: 'api', set: { strategy: canary({ steps: [5, 50, 20, 100], pause: '5m' }) } },
      ],
    });
    expect(error).toBeInstanceOf(MatrixError);
    expect(error.message).toBe(
      'The matrix has 1 problem:\n' +
        '  [prod/aws/eu-west-1/main/api] canary steps [5, 50, 20, 100] must increase strictly from above 0 and end at 100 (test/generators/k8s/helpers.ts:N (overrides[6]))\n' +
        '      fix: write weights such as [5, 20, 50, 100]',
    );
  });

  it('fails on a port name clash, naming the app, its source and the fix', async () => {
    const error = await failedSynth(
      threeEnvMatrix({ apps: withApp('web', { ports: { http: 8080, web: 8080 } }) }),
    );
    expect(error).toBeInstanceOf(MatrixError);
    expect(error.message).toBe(
      'The matrix has 1 problem:\n' +
        '  [apps.web.ports] port names "http" and "web" clash: both name port 8080 (test/generators/k8s/helpers.ts:N)\n' +
        '      fix: a container port has one name: keep "http" or "web", or give one of them another number',
    );
  });

  it('fails on an HPA with min > max on one target, naming target, app and the fix', async () => {
    const bad = threeEnvMatrix();
    const error = await failedSynth({
      ...bad,
      overrides: [...(bad.overrides ?? []), { env: 'staging', app: 'web', set: { scaling: { min: 9 } } }],
    });
    expect(error).toBeInstanceOf(MatrixError);
    expect(error.message).toBe(
      'The matrix has 1 problem:\n' +
        '  [staging/gcp/europe-west1/main/web] scaling.min 9 > scaling.max 8 (test/generators/k8s/helpers.ts:N (overrides[6]))\n' +
        '      fix: make scaling.max at least scaling.min',
    );
  });

  it('reports every problem at once', async () => {
    const apps = threeEnvApps().map((app) =>
      app.name === 'web'
        ? { ...app, ports: { http: 8080, web: 8080 } }
        : app.name === 'api'
          ? { ...app, scaling: { min: 4, max: 3 }, strategy: canary({ steps: [50, 20], pause: '1m' }) }
          : app,
    );
    const error = await failedSynth(threeEnvMatrix({ apps, overrides: [] }));
    expect((error as MatrixError).issues.map((i) => `[${i.path}] ${i.message}`)).toEqual([
      '[dev/aws/us-east-1/main/api] scaling.min 4 > scaling.max 3',
      '[dev/aws/us-east-1/main/api] canary steps [50, 20] must increase strictly from above 0 and end at 100',
      '[staging/gcp/europe-west1/main/api] scaling.min 4 > scaling.max 3',
      '[staging/gcp/europe-west1/main/api] canary steps [50, 20] must increase strictly from above 0 and end at 100',
      '[prod/aws/eu-west-1/main/api] scaling.min 4 > scaling.max 3',
      '[prod/aws/eu-west-1/main/api] canary steps [50, 20] must increase strictly from above 0 and end at 100',
      '[prod/aws/eu-west-1/main/web] replicas 2 < policy minimum 3',
      '[prod/aws/eu-west-1/main/worker] replicas 2 < policy minimum 3',
      '[apps.web.ports] port names "http" and "web" clash: both name port 8080',
    ]);
  });
});

/** `web-preview` in web's namespace: its Service clashes with blue-green web's preview Service in prod. */
function withShadowApp(): [MatrixDefinition, PinsByEnvironment] {
  const shadow = defineApp({
    name: 'web-preview',
    image: 'ghcr.io/acme/shadow',
    namespace: 'web',
    ports: { http: 8080 },
    replicas: 3,
  });
  const pins = threeEnvPins({
    prod: { ...threeEnvPins().prod!.apps, 'web-preview': { tag: '1.0.0', digest: DIGEST } },
  });
  return [
    threeEnvMatrix({ apps: [...threeEnvApps(), { ...shadow, placement: { include: [{ env: 'prod' }] } }] }),
    pins,
  ];
}

const SHADOW_CLASH =
  '[k8s] prod/aws/eu-west-1/main/web-preview: Service web/web-preview is not unique: apps "web" and "web-preview" both render it\n' +
  '    fix: rename one of them, or move "web-preview" to a namespace of its own with namespace: "…"';

describe('what only the generator sees', () => {
  it('fails when two apps of a namespace render the same object', async () => {
    const error = await failedSynth(...withShadowApp());
    expect(error).toBeInstanceOf(GeneratorError);
    expect(error.message).toBe(SHADOW_CLASH);
  });

  it('fails on such a clash also when one app’s files come from the render cache', async () => {
    // Each app renders alone: web's unit is unchanged by the new app and is served from the cache.
    const dir = await mkdtemp(join(tmpdir(), 'envmatrix-k8s-clash-'));
    try {
      const options = {
        outDir: join(dir, 'generated'),
        cacheDir: join(dir, 'cache'),
        generators: [k8sGenerator],
      };
      await synth(checkedMatrix(threeEnvMatrix(), threeEnvPins()).resolved, options);
      const written = await readTree(options.outDir);
      const [definition, pins] = withShadowApp();
      await expect(synth(checkedMatrix(definition, pins).resolved, options)).rejects.toThrow(SHADOW_CLASH);
      expect(await readTree(options.outDir)).toEqual(written);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads only the manifests of namespaces that two apps share, and still finds their clash', async () => {
    // Every synth runs this check over every app folder, rendered or cached: an app alone in its
    // namespace can clash with no other app, so its manifest is not read at all (content throws if it is).
    const [definition, pins] = withShadowApp();
    const { resolved } = checkedMatrix(definition, pins);
    // The generator without its check, so compose hands back the clashing files.
    const { name, version, load, units } = k8sGenerator;
    const unchecked: Generator = { name, version, ...(load && { load }), units };
    await loadRenderers([unchecked]);
    const files = [...compose(resolved, { generators: [unchecked] }).values()];
    const read: string[] = [];
    const watched = files.map((file) =>
      Object.defineProperty({ ...file }, 'content', {
        get: () => {
          read.push(file.path);
          return file.content;
        },
      }),
    );
    expect(() => checkSharedNamespaces(resolved, watched)).toThrow(SHADOW_CLASH);
    expect(read).toEqual([
      'k8s/prod/aws/eu-west-1/main/web/manifest.yaml',
      'k8s/prod/aws/eu-west-1/main/web-preview/manifest.yaml',
      // The two clashing documents, parsed for the message.
      'k8s/prod/aws/eu-west-1/main/web/manifest.yaml',
      'k8s/prod/aws/eu-west-1/main/web-preview/manifest.yaml',
    ]);
    // Without the second app of namespace web, no manifest is read.
    const { resolved: alone } = checkedMatrix(threeEnvMatrix(), threeEnvPins());
    read.length = 0;
    checkSharedNamespaces(alone, watched);
    expect(read).toEqual([]);
  });

  it('fails when a blue-green app’s preview Service name would pass 63 characters', async () => {
    const name = `a${'-b'.repeat(28)}`;
    const long = defineApp({
      name,
      image: 'ghcr.io/acme/long',
      ports: { http: 8080 },
      replicas: 3,
      strategy: blueGreen(),
    });
    const pins = threeEnvPins({
      prod: { ...threeEnvPins().prod!.apps, [name]: { tag: '1.0.0', digest: DIGEST } },
    });
    const error = await failedSynth(
      threeEnvMatrix({ apps: [...threeEnvApps(), { ...long, placement: { include: [{ env: 'prod' }] } }] }),
      pins,
    );
    expect(error).toBeInstanceOf(GeneratorError);
    expect(error.message).toBe(
      `[k8s] prod/aws/eu-west-1/main/${name}: the blue-green preview Service "${name}-preview" is 65 characters long; Service names have at most 63\n` +
        '    fix: shorten the app name to at most 55 characters, or use another strategy',
    );
  });

  it('names target and app when cdk8s-plus rejects values that skipped validation', async () => {
    const bad = threeEnvMatrix();
    const definition = {
      ...bad,
      overrides: [...(bad.overrides ?? []), { env: 'staging', app: 'web', set: { scaling: { min: 9 } } }],
    };
    const error = await failedSynth(definition, threeEnvPins(), () =>
      resolveUnchecked(definition, threeEnvPins()),
    );
    expect(error).toBeInstanceOf(GeneratorError);
    expect(error.message).toBe(
      "[k8s] staging/gcp/europe-west1/main/web: 'minReplicas' (9) must be less than or equal to 'maxReplicas' (8) in order for HorizontalPodAutoscaler to scale.\n" +
        '    fix: check the values of this app (definition and overrides); `envmatrix validate` lists every problem the matrix rules know about',
    );
  });
});
