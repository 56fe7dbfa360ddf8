/**
 * src/generators/k8s/cdk8s.ts loads cdk8s, cdk8s-plus-28 and constructs with require. Code that imports
 * them with `import` (tests, other generators) must get the very same classes, or `instanceof` and
 * construct-tree checks between the two would fail.
 */
import * as cdk8s from 'cdk8s';
import * as kplusEsm from 'cdk8s-plus-28';
import * as constructs from 'constructs';
import { describe, expect, it } from 'vitest';
import { ApiObject, App, Chart, Construct, JsonPatch, kplus } from '../../../src/generators/k8s/cdk8s.ts';

describe('the cdk8s module', () => {
  it('hands out the same package instances an import does', () => {
    expect(ApiObject).toBe(cdk8s.ApiObject);
    expect(App).toBe(cdk8s.App);
    expect(Chart).toBe(cdk8s.Chart);
    expect(JsonPatch).toBe(cdk8s.JsonPatch);
    expect(Construct).toBe(constructs.Construct);
    expect(kplus.Deployment).toBe(kplusEsm.Deployment);
    const app = new cdk8s.App();
    expect(new Chart(app, 'c')).toBeInstanceOf(cdk8s.Chart);
  });
});
