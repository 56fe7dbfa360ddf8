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
const noZones = (): readonly string[] => [];

// Sources, checked on 2026-11-30 (zone letters of AWS differ per account, so clusters may name their
// `zones`):
//   AWS:   https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html, the
//          commercial partition only (GovCloud, China and the European Sovereign Cloud are partitions of
//          their own). ap-southeast-6 (Asia Pacific (New Zealand), 3 AZs) as listed in the AWS docs'
//          per-service endpoint tables (e.g. Amazon Redshift endpoints).
//   GCP:   https://cloud.google.com/compute/docs/regions-zones; asia-southeast3 (Bangkok, zones a–c) as
//          listed on https://docs.cloud.google.com/infrastructure-manager/docs/locations.
//   Azure: https://learn.microsoft.com/azure/reliability/regions-list (MicrosoftDocs/reliability-docs
//          articles/reliability/regions-list.md, ms.date 09/23/2025): its regions, with availability
//          zones where it marks them (regions without have none here: a cluster there is one zone, and
//          `minZones` says so). Regions it marks "coming soon" (denmarkeast) are left out until they
//          open; jioindiacentral and jioindiawest are not on it (they serve Jio customers only).
// The README's region table is generated from this object (test/matrix/regions.test.ts keeps it current).
export const REGIONS = {
  aws: {
    'us-east-1': { jurisdiction: 'us', zones: awsZones('us-east-1', 'abcdef') },
    'us-east-2': { jurisdiction: 'us', zones: awsZones('us-east-2') },
    'us-west-1': { jurisdiction: 'us', zones: awsZones('us-west-1', 'ab') },
    'us-west-2': { jurisdiction: 'us', zones: awsZones('us-west-2', 'abcd') },
    'af-south-1': { jurisdiction: 'other', zones: awsZones('af-south-1') },
    'ap-east-1': { jurisdiction: 'apac', zones: awsZones('ap-east-1') },
    'ap-east-2': { jurisdiction: 'apac', zones: awsZones('ap-east-2') },
    'ap-south-1': { jurisdiction: 'apac', zones: awsZones('ap-south-1') },
    'ap-south-2': { jurisdiction: 'apac', zones: awsZones('ap-south-2') },
    'ap-southeast-1': { jurisdiction: 'apac', zones: awsZones('ap-southeast-1') },
    'ap-southeast-2': { jurisdiction: 'apac', zones: awsZones('ap-southeast-2') },
    'ap-southeast-3': { jurisdiction: 'apac', zones: awsZones('ap-southeast-3') },
    'ap-southeast-4': { jurisdiction: 'apac', zones: awsZones('ap-southeast-4') },
    'ap-southeast-5': { jurisdiction: 'apac', zones: awsZones('ap-southeast-5') },
    'ap-southeast-6': { jurisdiction: 'apac', zones: awsZones('ap-southeast-6') },
    'ap-southeast-7': { jurisdiction: 'apac', zones: awsZones('ap-southeast-7') },
    'ap-northeast-1': { jurisdiction: 'apac', zones: awsZones('ap-northeast-1', 'acd') },
    'ap-northeast-2': { jurisdiction: 'apac', zones: awsZones('ap-northeast-2', 'abcd') },
    'ap-northeast-3': { jurisdiction: 'apac', zones: awsZones('ap-northeast-3') },
    'ca-central-1': { jurisdiction: 'other', zones: awsZones('ca-central-1', 'abd') },
    'ca-west-1': { jurisdiction: 'other', zones: awsZones('ca-west-1') },
    'eu-central-1': { jurisdiction: 'eu', zones: awsZones('eu-central-1') },
    'eu-central-2': { jurisdiction: 'other', zones: awsZones('eu-central-2') },
    'eu-west-1': { jurisdiction: 'eu', zones: awsZones('eu-west-1') },
    'eu-west-2': { jurisdiction: 'other', zones: awsZones('eu-west-2') },
    'eu-west-3': { jurisdiction: 'eu', zones: awsZones('eu-west-3') },
    'eu-south-1': { jurisdiction: 'eu', zones: awsZones('eu-south-1') },
    'eu-south-2': { jurisdiction: 'eu', zones: awsZones('eu-south-2') },
    'eu-north-1': { jurisdiction: 'eu', zones: awsZones('eu-north-1') },
    'il-central-1': { jurisdiction: 'other', zones: awsZones('il-central-1') },
    'me-south-1': { jurisdiction: 'other', zones: awsZones('me-south-1') },
    'me-central-1': { jurisdiction: 'other', zones: awsZones('me-central-1') },
    'mx-central-1': { jurisdiction: 'other', zones: awsZones('mx-central-1') },
    'sa-east-1': { jurisdiction: 'other', zones: awsZones('sa-east-1') },
  },
  gcp: {
    'africa-south1': { jurisdiction: 'other', zones: gcpZones('africa-south1', 'abc') },
    'asia-east1': { jurisdiction: 'apac', zones: gcpZones('asia-east1', 'abc') },
    'asia-east2': { jurisdiction: 'apac', zones: gcpZones('asia-east2', 'abc') },
    'asia-northeast1': { jurisdiction: 'apac', zones: gcpZones('asia-northeast1', 'abc') },
    'asia-northeast2': { jurisdiction: 'apac', zones: gcpZones('asia-northeast2', 'abc') },
    'asia-northeast3': { jurisdiction: 'apac', zones: gcpZones('asia-northeast3', 'abc') },
    'asia-south1': { jurisdiction: 'apac', zones: gcpZones('asia-south1', 'abc') },
    'asia-south2': { jurisdiction: 'apac', zones: gcpZones('asia-south2', 'abc') },
    'asia-southeast1': { jurisdiction: 'apac', zones: gcpZones('asia-southeast1', 'abc') },
    'asia-southeast2': { jurisdiction: 'apac', zones: gcpZones('asia-southeast2', 'abc') },
    'asia-southeast3': { jurisdiction: 'apac', zones: gcpZones('asia-southeast3', 'abc') },
    'australia-southeast1': { jurisdiction: 'apac', zones: gcpZones('australia-southeast1', 'abc') },
    'australia-southeast2': { jurisdiction: 'apac', zones: gcpZones('australia-southeast2', 'abc') },
    'europe-central2': { jurisdiction: 'eu', zones: gcpZones('europe-central2', 'abc') },
    'europe-north1': { jurisdiction: 'eu', zones: gcpZones('europe-north1', 'abc') },
    'europe-north2': { jurisdiction: 'eu', zones: gcpZones('europe-north2', 'abc') },
    'europe-southwest1': { jurisdiction: 'eu', zones: gcpZones('europe-southwest1', 'abc') },
    'europe-west1': { jurisdiction: 'eu', zones: gcpZones('europe-west1') },
    'europe-west2': { jurisdiction: 'other', zones: gcpZones('europe-west2', 'abc') },
    'europe-west3': { jurisdiction: 'eu', zones: gcpZones('europe-west3', 'abc') },
    'europe-west4': { jurisdiction: 'eu', zones: gcpZones('europe-west4', 'abc') },
    'europe-west6': { jurisdiction: 'other', zones: gcpZones('europe-west6', 'abc') },
    'europe-west8': { jurisdiction: 'eu', zones: gcpZones('europe-west8', 'abc') },
    'europe-west9': { jurisdiction: 'eu', zones: gcpZones('europe-west9', 'abc') },
    'europe-west10': { jurisdiction: 'eu', zones: gcpZones('europe-west10', 'abc') },
    'europe-west12': { jurisdiction: 'eu', zones: gcpZones('europe-west12', 'abc') },
    'me-central1': { jurisdiction: 'other', zones: gcpZones('me-central1', 'abc') },
    'me-central2': { jurisdiction: 'other', zones: gcpZones('me-central2', 'abc') },
    'me-west1': { jurisdiction: 'other', zones: gcpZones('me-west1', 'abc') },
    'northamerica-northeast1': { jurisdiction: 'other', zones: gcpZones('northamerica-northeast1', 'abc') },
    'northamerica-northeast2': { jurisdiction: 'other', zones: gcpZones('northamerica-northeast2', 'abc') },
    'northamerica-south1': { jurisdiction: 'other', zones: gcpZones('northamerica-south1', 'abc') },
    'southamerica-east1': { jurisdiction: 'other', zones: gcpZones('southamerica-east1', 'abc') },
    'southamerica-west1': { jurisdiction: 'other', zones: gcpZones('southamerica-west1', 'abc') },
    'us-central1': { jurisdiction: 'us', zones: gcpZones('us-central1', 'abcf') },
    'us-east1': { jurisdiction: 'us', zones: gcpZones('us-east1') },
    'us-east4': { jurisdiction: 'us', zones: gcpZones('us-east4', 'abc') },
    'us-east5': { jurisdiction: 'us', zones: gcpZones('us-east5', 'abc') },
    'us-south1': { jurisdiction: 'us', zones: gcpZones('us-south1', 'abc') },
    'us-west1': { jurisdiction: 'us', zones: gcpZones('us-west1', 'abc') },
    'us-west2': { jurisdiction: 'us', zones: gcpZones('us-west2', 'abc') },
    'us-west3': { jurisdiction: 'us', zones: gcpZones('us-west3', 'abc') },
    'us-west4': { jurisdiction: 'us', zones: gcpZones('us-west4', 'abc') },
  },
  azure: {
    australiacentral: { jurisdiction: 'apac', zones: noZones() },
    australiacentral2: { jurisdiction: 'apac', zones: noZones() },
    australiaeast: { jurisdiction: 'apac', zones: azureZones() },
    australiasoutheast: { jurisdiction: 'apac', zones: noZones() },
    austriaeast: { jurisdiction: 'eu', zones: azureZones() },
    belgiumcentral: { jurisdiction: 'eu', zones: azureZones() },
    brazilsouth: { jurisdiction: 'other', zones: azureZones() },
    brazilsoutheast: { jurisdiction: 'other', zones: noZones() },
    canadacentral: { jurisdiction: 'other', zones: azureZones() },
    canadaeast: { jurisdiction: 'other', zones: noZones() },
    centralindia: { jurisdiction: 'apac', zones: azureZones() },
    centralus: { jurisdiction: 'us', zones: azureZones() },
    chilecentral: { jurisdiction: 'other', zones: azureZones() },
    eastasia: { jurisdiction: 'apac', zones: azureZones() },
    eastus: { jurisdiction: 'us', zones: azureZones() },
    eastus2: { jurisdiction: 'us', zones: azureZones() },
    francecentral: { jurisdiction: 'eu', zones: azureZones() },
    francesouth: { jurisdiction: 'eu', zones: noZones() },
    germanynorth: { jurisdiction: 'eu', zones: noZones() },
    germanywestcentral: { jurisdiction: 'eu', zones: azureZones() },
    indonesiacentral: { jurisdiction: 'apac', zones: azureZones() },
    israelcentral: { jurisdiction: 'other', zones: azureZones() },
    italynorth: { jurisdiction: 'eu', zones: azureZones() },
    japaneast: { jurisdiction: 'apac', zones: azureZones() },
    japanwest: { jurisdiction: 'apac', zones: azureZones() },
    koreacentral: { jurisdiction: 'apac', zones: azureZones() },
    koreasouth: { jurisdiction: 'apac', zones: noZones() },
    malaysiawest: { jurisdiction: 'apac', zones: azureZones() },
    mexicocentral: { jurisdiction: 'other', zones: azureZones() },
    newzealandnorth: { jurisdiction: 'apac', zones: azureZones() },
    northcentralus: { jurisdiction: 'us', zones: noZones() },
    northeurope: { jurisdiction: 'eu', zones: azureZones() },
    norwayeast: { jurisdiction: 'other', zones: azureZones() },
    norwaywest: { jurisdiction: 'other', zones: noZones() },
    polandcentral: { jurisdiction: 'eu', zones: azureZones() },
    qatarcentral: { jurisdiction: 'other', zones: azureZones() },
    southafricanorth: { jurisdiction: 'other', zones: azureZones() },
    southafricawest: { jurisdiction: 'other', zones: noZones() },
    southcentralus: { jurisdiction: 'us', zones: azureZones() },
    southeastasia: { jurisdiction: 'apac', zones: azureZones() },
    southindia: { jurisdiction: 'apac', zones: noZones() },
    spaincentral: { jurisdiction: 'eu', zones: azureZones() },
    swedencentral: { jurisdiction: 'eu', zones: azureZones() },
    switzerlandnorth: { jurisdiction: 'other', zones: azureZones() },
    switzerlandwest: { jurisdiction: 'other', zones: noZones() },
    uaecentral: { jurisdiction: 'other', zones: noZones() },
    uaenorth: { jurisdiction: 'other', zones: azureZones() },
    uksouth: { jurisdiction: 'other', zones: azureZones() },
    ukwest: { jurisdiction: 'other', zones: noZones() },
    westcentralus: { jurisdiction: 'us', zones: noZones() },
    westeurope: { jurisdiction: 'eu', zones: azureZones() },
    westindia: { jurisdiction: 'apac', zones: noZones() },
    westus: { jurisdiction: 'us', zones: noZones() },
    westus2: { jurisdiction: 'us', zones: azureZones() },
    westus3: { jurisdiction: 'us', zones: azureZones() },
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
