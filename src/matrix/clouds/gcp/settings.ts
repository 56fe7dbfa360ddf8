/**
 * GCP's part of the infrastructure model: where GKE stacks keep state (GCS), which project each
 * environment's resources live in, and the GKE release channel. Types only, so
 * src/matrix/infrastructure.ts can name them without importing the rules.
 */

/** GKE release channels a cluster can enrol in (google 6.50 `release_channel.channel`, minus UNSPECIFIED). */
export const GKE_RELEASE_CHANNELS = ['RAPID', 'REGULAR', 'STABLE', 'EXTENDED'] as const;
export type GkeReleaseChannel = (typeof GKE_RELEASE_CHANNELS)[number];

/** `terraform.gcp`: without it, GCP clusters get no stacks. */
export interface GcpTerraformSettings {
  /** GCS state: one bucket, one prefix per stack (`<prefix>/<env>/gcp/<region>`). */
  readonly state: {
    /** GCS bucket (create it, with object versioning, before the first apply). */
    readonly bucket: string;
    /** Start of every stack's state prefix. @default 'envmatrix' */
    readonly prefix?: string;
  };
  /** GCP project id for every environment, or one per environment name. */
  readonly project: string | Readonly<Record<string, string>>;
  /** GKE release channel, for every environment or per environment name. @default 'REGULAR' */
  readonly releaseChannel?: GkeReleaseChannel | Readonly<Record<string, GkeReleaseChannel>>;
}

export interface ResolvedGcpSettings {
  readonly state: { readonly bucket: string; readonly prefix: string };
  /** Project per environment name (environments without one get no GCP stacks: validation reports it). */
  readonly projects: Readonly<Record<string, string>>;
  readonly releaseChannels: Readonly<Record<string, GkeReleaseChannel>>;
}
