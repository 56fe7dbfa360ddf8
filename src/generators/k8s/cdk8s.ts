/**
 * cdk8s, cdk8s-plus-28 and constructs, loaded with `require` (as src/matrix/zod.ts loads zod). An ESM
 * `import` of a CommonJS package makes Node find its export names by lexing its source and every file
 * it re-exports (cjs-module-lexer): for cdk8s-plus-28 that is its whole library, about 0.13 s of CPU on
 * every synth that renders an app, work `require` skips (Node 20 under tsx, side by side: 337 → 205 ms
 * of CPU to load the three). Same packages and versions: a test that imports them with `import` gets
 * these very objects, as Node keeps one instance of a CommonJS module.
 *
 * Under the CLI bundle the three come from one pre-bundled file (src/core/bundled-library.ts), in
 * which cdk8s-plus-28 shares cdk8s's and constructs' copies. The Terraform generator's cdktf requires
 * constructs from node_modules, a second copy in such a process: harmless, as the two construct trees
 * never meet, and constructs recognises its constructs by a `Symbol.for` mark, not by class.
 *
 * The values come from here; the types of cdk8s and constructs through `import type`, which loads
 * nothing. The kplus namespace's types are listed below, as a namespace that only declares types merges
 * with the value of the same name.
 */
import { createRequire } from 'node:module';
import type * as Cdk8sModule from 'cdk8s';
import type * as KplusModule from 'cdk8s-plus-28';
import type * as ConstructsModule from 'constructs';
import { requireBundled } from '../../core/bundled-library.ts';

const require = createRequire(import.meta.url);

interface Libraries {
  readonly cdk8s: typeof Cdk8sModule;
  readonly constructs: typeof ConstructsModule;
  readonly kplus: typeof KplusModule;
}

const libraries = (requireBundled(require, 'cdk8s') as Libraries | undefined) ?? {
  cdk8s: require('cdk8s') as typeof Cdk8sModule,
  constructs: require('constructs') as typeof ConstructsModule,
  kplus: require('cdk8s-plus-28') as typeof KplusModule,
};

const { cdk8s } = libraries;
export const { ApiObject, App, Chart, Cron, Duration, JsonPatch } = cdk8s;
export type ApiObject = Cdk8sModule.ApiObject;
export type App = Cdk8sModule.App;
export type Chart = Cdk8sModule.Chart;
export type Cron = Cdk8sModule.Cron;
export type Duration = Cdk8sModule.Duration;
export type JsonPatch = Cdk8sModule.JsonPatch;

export const { Construct } = libraries.constructs;
export type Construct = ConstructsModule.Construct;

export const kplus = libraries.kplus;
// eslint-disable-next-line @typescript-eslint/no-namespace -- types only: merges with the value above
export declare namespace kplus {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- types only, as above
  export namespace k8s {
    export type Quantity = KplusModule.k8s.Quantity;
    export type ResourceRequirements = KplusModule.k8s.ResourceRequirements;
  }
  export type ConcurrencyPolicy = KplusModule.ConcurrencyPolicy;
  export type ConfigMap = KplusModule.ConfigMap;
  export type ContainerProps = KplusModule.ContainerProps;
  export type CronJob = KplusModule.CronJob;
  export type Deployment = KplusModule.Deployment;
  export type DeploymentStrategy = KplusModule.DeploymentStrategy;
  export type IConfigMap = KplusModule.IConfigMap;
  export type INetworkPolicyPeer = KplusModule.INetworkPolicyPeer;
  export type IScalable = KplusModule.IScalable;
  export type IServiceAccount = KplusModule.IServiceAccount;
  export type JobProps = KplusModule.JobProps;
  export type NetworkPolicy = KplusModule.NetworkPolicy;
  export type NetworkPolicyPort = KplusModule.NetworkPolicyPort;
  export type PercentOrAbsolute = KplusModule.PercentOrAbsolute;
  export type Pods = KplusModule.Pods;
  export type Probe = KplusModule.Probe;
  export type Service = KplusModule.Service;
  export type ServiceAccount = KplusModule.ServiceAccount;
}
