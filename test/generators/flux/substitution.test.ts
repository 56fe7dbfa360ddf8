/**
 * Issue 11, finding 10: a config value holding `${…}` or `$$` must reach the pod as written whichever
 * engine applies the app. The fixture's `api` runs on an Argo CD cluster (prod/aws/eu-west-1) and on a
 * Flux cluster (prod/onprem/dc1); both folders are built with `kubectl kustomize`, and the Flux build
 * then goes through Flux's post-build substitution (test/support/flux-envsubst.ts, a port of
 * fluxcd/pkg envsubst) with the Kustomization's own `postBuild`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argocdGenerator } from '../../../src/generators/argocd/index.ts';
import { fluxGenerator } from '../../../src/generators/flux/index.ts';
import {
  FLUX_SUBSTITUTE_ANNOTATION,
  fluxWouldSubstitute,
  withLiteralDollars,
} from '../../../src/generators/flux/substitute-opt-out.ts';
import { compose, loadRenderers } from '../../../src/generators/index.ts';
import { k8sGenerator } from '../../../src/generators/k8s/index.ts';
import { defineApp } from '../../../src/matrix/index.ts';
import { checkedMatrix } from '../../../src/matrix/load.ts';
import { expandApplicationSet } from '../argocd/expand.ts';
import type { FluxKustomizationDoc } from '../argocd/render.ts';
import { envsubstEval, substituteObject, type Mapping } from '../../support/flux-envsubst.ts';
import { kubectlAvailable, kustomizeBuild, parseYamlDocuments } from '../../support/kustomize.ts';
import { fixtureApps, fixtureMatrix, fixturePins } from '../../support/matrix-fixture.ts';

const kubectl = kubectlAvailable();

/** Values Flux's envsubst would change, each in its own way. */
const CONFIG = {
  GREETING: 'Hello ${USER}', // unset: "" without strict mode, a failed reconciliation with it
  REGION_HINT: 'near ${cluster_region}', // one of the Kustomization's own variables
  LOG_LEVEL: '${LOG_LEVEL:=info}', // a default
  TEMPLATE: 'Dear $${name}', // Flux's escape for a literal `${`
  SHELL_PID: 'echo $$', // `$$` loses a `$`
  PLAIN: 'no dollars here',
} as const;

const FLUX_APP = 'flux/prod/onprem/dc1/main/apps/api.yaml';
const ARGO_TARGET = 'prod/aws/eu-west-1/main';

function matrixWithConfig() {
  const apps = fixtureApps().map((app) =>
    app.name === 'api' ? defineApp({ ...app, config: { ...CONFIG } }) : app,
  );
  return checkedMatrix(fixtureMatrix({ apps }), fixturePins()).resolved;
}

interface ConfigMapDoc {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  data?: Record<string, string>;
}

/** The documents of a `kubectl kustomize` output, as the text kustomize wrote for each. */
function documentTexts(stdout: string): string[] {
  return stdout.split(/^---\n/m).filter((text) => text.trim() !== '');
}

const u =
  (vars: Record<string, string>): Mapping =>
  (name) => [vars[name] ?? '', true];
const strictOf =
  (vars: Record<string, string>): Mapping =>
  (name) => [vars[name] ?? '', name in vars];

describe('the Flux envsubst port (test/support/flux-envsubst.ts)', () => {
  // Cases from fluxcd/pkg envsubst/eval_test.go (TestExpand, TestExpandStrict).
  it.each([
    ['abcdEFGH28ij', {}, 'abcdEFGH28ij'],
    ['${#var01}', { var01: 'abcdEFGH28ij' }, '12'],
    ['${var01^^}', { var01: 'abcdEFGH28ij' }, 'ABCDEFGH28IJ'],
    ['${var01,}', { var01: 'ABCDEFGH28IJ' }, 'aBCDEFGH28IJ'],
    ['${path_name:11:5}', { path_name: '/home/bozo/ideas/thoughts.for.today' }, 'ideas'],
    ['${var=xyz}', {}, 'xyz'],
    ['${var:=xyz}', {}, 'xyz'],
    ['foo: ${var=prefix${default_var}-suffix}', { default_var: 'foo1' }, 'foo: prefixfoo1-suffix'],
    ['${stringZ/%abc/XYZ}', { stringZ: 'abcABC123ABCabc' }, 'abcABC123ABCXYZ'],
    ['${stringZ//abc/xyz}', { stringZ: 'abcABC123ABCabc' }, 'xyzABC123ABCxyz'],
    ['${filename##*.}', { filename: 'bash.string.txt' }, 'txt'],
    ['${filename%.*}', { filename: 'bash.string.txt' }, 'bash.string'],
    ['${stringZ//\\//-}', { stringZ: 'foo/bar/baz' }, 'foo-bar-baz'],
    ['$${var01}', { var01: 'abcdEFGH28ij' }, '${var01}'],
    [
      'some text ${var01}$${var$${var01}$var01${var01}',
      { var01: 'abcdEFGH28ij' },
      'some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij',
    ],
    ['\\\\something ${var=${default_var}}', { default_var: 'foo' }, '\\\\something foo'],
  ])('expands %s as upstream does', (input, vars: Record<string, string>, output) => {
    expect(envsubstEval(input, u(vars))).toBe(output);
  });

  it('fails in strict mode on an unset variable without a default, and on an unclosed ${', () => {
    expect(() => envsubstEval('${unset}', strictOf({}))).toThrow('variable not set (strict mode): "unset"');
    expect(envsubstEval('${unset:=fallback}', strictOf({}))).toBe('fallback');
    expect(() => envsubstEval('${oops', u({}))).toThrow('missing closing brace');
  });
});

describe('the substitute opt-out', () => {
  const object = (data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'n', annotations: { keep: 'me' } },
    data,
  });

  it('annotates exactly the objects whose text holds ${ or $$, keeping their annotations', () => {
    for (const value of ['${x}', 'a$$b', '$${x}', 'x ${'])
      expect(withLiteralDollars(object({ K: value })).metadata.annotations).toEqual({
        keep: 'me',
        [FLUX_SUBSTITUTE_ANNOTATION]: 'disabled',
      });
    for (const value of ['$x', 'cost: 5$', '{}', '$ {x}']) {
      expect(fluxWouldSubstitute(object({ K: value }))).toBe(false);
      expect(withLiteralDollars(object({ K: value }))).toEqual(object({ K: value }));
    }
  });
});

describe.skipIf(!kubectl.available)('finding 10: `${…}` means the same on Argo CD and Flux', () => {
  let root: string;
  const texts = new Map<string, string>();

  beforeAll(async () => {
    const generators = [k8sGenerator, argocdGenerator, fluxGenerator];
    await loadRenderers(generators);
    root = await mkdtemp(join(tmpdir(), 'envmatrix-substitution-'));
    for (const [path, file] of compose(matrixWithConfig(), { generators })) {
      texts.set(path, file.content);
      await mkdir(dirname(join(root, 'generated', path)), { recursive: true });
      await writeFile(join(root, 'generated', path), file.content);
    }
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  /** The app's ConfigMap, as `kubectl kustomize` builds the repository path an engine points at. */
  async function build(repoPath: string): Promise<string> {
    const result = await kustomizeBuild(join(root, repoPath.replace(/^\.\//, '')));
    expect(result.stderr).toBe('');
    return result.stdout;
  }
  const configMapOf = (objects: unknown[]): ConfigMapDoc => {
    const found = (objects as ConfigMapDoc[]).find((o) => o.kind === 'ConfigMap');
    if (!found) throw new Error('no ConfigMap in the build');
    return found;
  };

  it('the pod sees the configured values on both engines', async () => {
    const application = expandApplicationSet(
      parseYamlDocuments(texts.get('argocd/prod/applicationset.yaml')!)[0],
    ).filter((app) => app.spec.source.path === `generated/k8s/${ARGO_TARGET}/api`);
    expect(application).toHaveLength(1);
    // Argo CD applies the build as it is.
    const argo = configMapOf(parseYamlDocuments(await build(application[0]!.spec.source.path)));

    const kustomization = parseYamlDocuments(texts.get(FLUX_APP)!)[0] as FluxKustomizationDoc;
    expect(Object.keys(kustomization.spec.postBuild.substitute)).toContain('cluster_region');
    const fluxBuild = await build(kustomization.spec.path);
    // Flux substitutes each object of the build with the Kustomization's postBuild, strict by default.
    const flux = configMapOf(
      documentTexts(fluxBuild).map((text) => substituteObject(text, kustomization.spec.postBuild)),
    );
    expect(argo.data).toEqual(CONFIG);
    expect(flux.data).toEqual(argo.data);
    // The same holds without strict mode (a controller started with StrictPostBuildSubstitutions=false).
    const lenient = configMapOf(
      documentTexts(fluxBuild).map((text) =>
        substituteObject(text, kustomization.spec.postBuild, { strict: false }),
      ),
    );
    expect(lenient.data).toEqual(CONFIG);
    expect(flux.metadata.annotations?.[FLUX_SUBSTITUTE_ANNOTATION]).toBe('disabled');
  });

  it('leaves objects without ${ or $$ to Flux, which then changes nothing in them', async () => {
    const kustomization = parseYamlDocuments(texts.get(FLUX_APP)!)[0] as FluxKustomizationDoc;
    const fluxBuild = await build(kustomization.spec.path);
    const others = documentTexts(fluxBuild).filter((text) => !text.includes('kind: ConfigMap'));
    expect(others.length).toBeGreaterThan(3);
    for (const text of others) {
      expect(text).not.toContain(FLUX_SUBSTITUTE_ANNOTATION);
      expect(substituteObject(text, kustomization.spec.postBuild)).toEqual(parseYamlDocuments(text)[0]);
    }
  });
});
