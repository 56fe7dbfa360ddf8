/**
 * Kubernetes minors GKE offers for new clusters, per release channel. Source: the "Current versions"
 * table of the GKE release notes (https://cloud.google.com/kubernetes-engine/docs/release-notes),
 * snapshot read 2026-11-30 (undated; Rapid offers 1.37, so autumn 2026), and the release schedule
 * https://cloud.google.com/kubernetes-engine/docs/release-schedule for how long each minor stays.
 * GKE moves a minor through the channels about every four months, so the table is only trusted until
 * REVIEW_BY; past it, validation asks for a refresh instead of guessing.
 */
import type { GkeReleaseChannel } from './settings.ts';

export const GKE_VERSIONS_AS_OF = '2026-11-30';
/** About one GKE minor cadence after AS_OF. */
export const GKE_VERSIONS_REVIEW_BY = '2027-03-31';
export const GKE_VERSIONS_SOURCE =
  'https://cloud.google.com/kubernetes-engine/docs/release-notes (Current versions)';

/** Minors available for cluster creation, per channel. */
export const GKE_CHANNEL_MINORS: Readonly<Record<GkeReleaseChannel, readonly string[]>> = {
  RAPID: ['1.34', '1.35', '1.36', '1.37'],
  REGULAR: ['1.34', '1.35', '1.36'],
  STABLE: ['1.34', '1.35'],
  EXTENDED: ['1.31', '1.32', '1.33', '1.34', '1.35', '1.36'],
};

export type GkeVersionCheck =
  { readonly ok: true } | { readonly ok: false; readonly message: string; readonly fix: string };

/** Whether `version` (a minor, `1.35`) can be created in `channel` on `today`. */
export function checkGkeVersion(version: string, channel: GkeReleaseChannel, today: Date): GkeVersionCheck {
  const minors = GKE_CHANNEL_MINORS[channel];
  if (today.toISOString().slice(0, 10) > GKE_VERSIONS_REVIEW_BY) {
    return {
      ok: false,
      message: `the GKE version table (src/matrix/clouds/gcp/versions.ts, as of ${GKE_VERSIONS_AS_OF}) is past its review date ${GKE_VERSIONS_REVIEW_BY}`,
      fix: `refresh GKE_CHANNEL_MINORS from ${GKE_VERSIONS_SOURCE} and move GKE_VERSIONS_REVIEW_BY`,
    };
  }
  if (!minors.includes(version)) {
    return {
      ok: false,
      message: `kubernetesVersion ${version} is not offered in the GKE ${channel} channel (it offers ${minors.join(', ')} as of ${GKE_VERSIONS_AS_OF})`,
      fix: `set kubernetesVersion to one of ${minors.join(', ')} (source: ${GKE_VERSIONS_SOURCE})`,
    };
  }
  return { ok: true };
}
