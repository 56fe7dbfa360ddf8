/**
 * Issue 11, finding 12: blue-green promotion is an environment policy. With web blue-green in every
 * environment of the three-environment matrix, its Rollout promotes itself in dev and staging and waits
 * in prod, unless the environment's `policy.blueGreenAutoPromote` or a layer above it says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { blueGreen, type EnvironmentSpec, type MatrixDefinition } from '../../src/matrix/index.ts';
import { explain } from '../../src/matrix/explain.ts';
import { checkedMatrix } from '../../src/matrix/load.ts';
import {
  objectAt,
  problemsOf,
  renderValid,
  threeEnvMatrix,
  threeEnvPins,
  withApp,
} from '../generators/k8s/helpers.ts';

const TARGETS = {
  dev: 'dev/aws/us-east-1/main',
  staging: 'staging/gcp/europe-west1/main',
  prod: 'prod/aws/eu-west-1/main',
} as const;

/** web blue-green everywhere, as its own definition says (no override picks its strategy). */
function blueGreenWeb(change: Partial<MatrixDefinition> = {}): MatrixDefinition {
  const base = threeEnvMatrix({ apps: withApp('web', { strategy: blueGreen() }) });
  const overrides = (base.overrides ?? []).map((o) =>
    o.app === 'web' && o.env === 'prod' ? { ...o, set: { scaling: { min: 3 } } } : o,
  );
  return { ...base, overrides, ...change };
}

function withPolicy(env: string, blueGreenAutoPromote: unknown): Partial<MatrixDefinition> {
  const environments = blueGreenWeb().environments;
  const spec = environments[env] ?? {};
  return {
    environments: {
      ...environments,
      [env]: { ...spec, policy: { ...spec.policy, blueGreenAutoPromote } } as EnvironmentSpec,
    },
  };
}

/** `autoPromotionEnabled` of web's Rollout on each environment's cluster. */
function autoPromotion(definition: MatrixDefinition): Record<string, unknown> {
  const files = renderValid(definition, threeEnvPins());
  return Object.fromEntries(
    Object.entries(TARGETS).map(([env, target]) => {
      const rollout = objectAt(files, `k8s/${target}/web/Rollout/web`);
      const strategy = rollout.spec?.strategy as { blueGreen: { autoPromotionEnabled: unknown } };
      return [env, strategy.blueGreen.autoPromotionEnabled];
    }),
  );
}

describe('finding 12: blue-green promotion is an environment policy', () => {
  it('promotes by itself in dev and staging and waits in prod by default', () => {
    expect(autoPromotion(blueGreenWeb())).toEqual({ dev: true, staging: true, prod: false });
  });

  it('follows the environment’s policy.blueGreenAutoPromote', () => {
    expect(autoPromotion(blueGreenWeb(withPolicy('staging', false)))).toEqual({
      dev: true,
      staging: false,
      prod: false,
    });
    expect(autoPromotion(blueGreenWeb(withPolicy('prod', true)))).toEqual({
      dev: true,
      staging: true,
      prod: true,
    });
  });

  it('yields to an app or override that sets autoPromote itself', () => {
    const definition = blueGreenWeb({
      apps: withApp('web', { strategy: blueGreen({ autoPromote: false }) }),
      overrides: [
        ...(blueGreenWeb().overrides ?? []),
        { env: 'prod', app: 'web', set: { strategy: blueGreen({ autoPromote: true }) } },
      ],
    });
    expect(autoPromotion(definition)).toEqual({ dev: false, staging: false, prod: true });
  });

  it('explains where the value came from', () => {
    const definition = blueGreenWeb(withPolicy('staging', false));
    const { resolved } = checkedMatrix(definition, threeEnvPins());
    const source = definition.source;
    expect(explain(resolved, TARGETS.staging, 'web', 'strategy.autoPromote')).toMatchObject({
      value: false,
      chains: [
        {
          path: 'strategy.autoPromote',
          steps: [
            {
              layer: 'environment',
              value: false,
              source: `${source} (environments.staging.policy.blueGreenAutoPromote)`,
            },
          ],
        },
      ],
    });
    expect(explain(resolved, TARGETS.dev, 'web', 'strategy.autoPromote').chains[0]?.steps).toEqual([
      {
        layer: 'environment',
        value: true,
        source: 'envmatrix default: dev promotes to staging, so automatic',
      },
    ]);
    expect(explain(resolved, TARGETS.prod, 'web', 'strategy.autoPromote').chains[0]?.steps).toEqual([
      {
        layer: 'environment',
        value: false,
        source: 'envmatrix default: prod is the last environment, so manual',
      },
    ]);
  });

  it('rejects a value that is not a boolean, and a misspelt key, naming the fix', () => {
    expect(problemsOf(blueGreenWeb(withPolicy('prod', 'manual')), threeEnvPins())).toEqual([
      '[environments.prod.policy.blueGreenAutoPromote] blueGreenAutoPromote "manual" is not true or false | write true (blue-green Rollouts promote themselves) or false (they wait for `kubectl argo rollouts promote`)',
    ]);
    const environments = blueGreenWeb().environments;
    const misspelt = {
      ...environments,
      prod: { ...environments.prod, policy: { ...environments.prod?.policy, blueGreenAutoPromot: true } },
    } as Record<string, EnvironmentSpec>;
    expect(problemsOf(blueGreenWeb({ environments: misspelt }), threeEnvPins())).toEqual([
      expect.stringMatching(/blueGreenAutoPromot.*did you mean "blueGreenAutoPromote"/),
    ]);
  });
});
