/** What user content (src/apps, src/environments) imports: the define helpers and the types. */
export { aws, azure, blueGreen, canary, defineApp, defineMatrix, gcp, onprem, rolling } from './define.ts';
export type { Cloud, Jurisdiction, RegionOf } from './regions.ts';
export type * from './types.ts';
export type {
  AwsEndpointService,
  ClusterNetwork,
  NodeGroupOptions,
  TerraformSettings,
  TerraformStateSettings,
} from './infrastructure.ts';
