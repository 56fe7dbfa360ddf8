/**
 * The region catalogue: which regions each cloud has, the jurisdiction each sits in (for data residency)
 * and its zones. Typed per cloud, so `aws('prod', 'europe-west1')` is a compile error, not a synth error.
 */

/** Where data lives, for residency rules (`placement.residency`). */
export type Jurisdiction = 'eu' | 'us' | 'apac' | 'other';

interface RegionInfo {
  readonly jurisdiction: Jurisdiction;
  /** Zone names in the provider's own spelling. */
  readonly zones: readonly string[];
}

const awsZones = (region: string, letters = 'abc') => [...letters].map((letter) => `${region}${letter}`);
const gcpZones = (region: string, letters = 'bcd') => [...letters].map((letter) => `${region}-${letter}`);
const azureZones = () => ['1', '2', '3'];

export const REGIONS = {
  aws: {
    'us-east-1': { jurisdiction: 'us', zones: awsZones('us-east-1', 'abcdef') },
    'us-east-2': { jurisdiction: 'us', zones: awsZones('us-east-2') },
    'us-west-2': { jurisdiction: 'us', zones: awsZones('us-west-2', 'abcd') },
    'ca-central-1': { jurisdiction: 'other', zones: awsZones('ca-central-1', 'abd') },
    'eu-west-1': { jurisdiction: 'eu', zones: awsZones('eu-west-1') },
    'eu-west-2': { jurisdiction: 'other', zones: awsZones('eu-west-2') },
    'eu-central-1': { jurisdiction: 'eu', zones: awsZones('eu-central-1') },
    'eu-north-1': { jurisdiction: 'eu', zones: awsZones('eu-north-1') },
    'ap-southeast-1': { jurisdiction: 'apac', zones: awsZones('ap-southeast-1') },
    'ap-southeast-2': { jurisdiction: 'apac', zones: awsZones('ap-southeast-2') },
    'ap-northeast-1': { jurisdiction: 'apac', zones: awsZones('ap-northeast-1', 'acd') },
  },
  gcp: {
    'us-central1': { jurisdiction: 'us', zones: gcpZones('us-central1', 'abcf') },
    'us-east1': { jurisdiction: 'us', zones: gcpZones('us-east1') },
    'europe-west1': { jurisdiction: 'eu', zones: gcpZones('europe-west1') },
    'europe-west3': { jurisdiction: 'eu', zones: gcpZones('europe-west3', 'abc') },
    'europe-west4': { jurisdiction: 'eu', zones: gcpZones('europe-west4', 'abc') },
    'asia-southeast1': { jurisdiction: 'apac', zones: gcpZones('asia-southeast1', 'abc') },
  },
  azure: {
    eastus: { jurisdiction: 'us', zones: azureZones() },
    eastus2: { jurisdiction: 'us', zones: azureZones() },
    westus3: { jurisdiction: 'us', zones: azureZones() },
    westeurope: { jurisdiction: 'eu', zones: azureZones() },
    northeurope: { jurisdiction: 'eu', zones: azureZones() },
    germanywestcentral: { jurisdiction: 'eu', zones: azureZones() },
    southeastasia: { jurisdiction: 'apac', zones: azureZones() },
  },
} as const satisfies Record<string, Record<string, RegionInfo>>;

export type PublicCloud = keyof typeof REGIONS;
export type Cloud = PublicCloud | 'onprem';
export const CLOUDS: readonly Cloud[] = ['aws', 'gcp', 'azure', 'onprem'];

/**
 * On-prem sites are the user's own data centres, so any DNS label is a region; the cluster entry says
 * where it is (`jurisdiction`) and which zones (racks, rooms) it has.
 */
export type RegionOf<C extends Cloud> = C extends PublicCloud ? keyof (typeof REGIONS)[C] & string : string;

/** Catalogue facts for a public-cloud region, or undefined for on-prem and unknown regions. */
export function regionInfo(cloud: Cloud, region: string): RegionInfo | undefined {
  if (cloud === 'onprem') return undefined;
  const regions: Record<string, RegionInfo> = REGIONS[cloud];
  return Object.hasOwn(regions, region) ? regions[region] : undefined;
}
