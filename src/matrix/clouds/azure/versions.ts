/**
 * The AKS Kubernetes version calendar. Source: "Supported Kubernetes versions in AKS",
 * https://learn.microsoft.com/azure/aks/supported-kubernetes-versions (MicrosoftDocs/azure-aks-docs
 * @fb060abe6a8fef960d4c487b543bf7b1e97808fe, articles/aks/supported-kubernetes-versions.md, 2026-08-21).
 * AKS supports a GA minor for 12 months; an end of life given as a month is its last day. LTS (Premium
 * tier) is not modelled: the stacks use the Standard tier.
 */
export const AKS_VERSIONS_SOURCE = 'https://learn.microsoft.com/azure/aks/supported-kubernetes-versions';

export interface AksVersion {
  readonly minor: string;
  /** First month of general availability, `YYYY-MM`. */
  readonly ga: string;
  /** Last month of community support in AKS, `YYYY-MM`. */
  readonly endOfLife: string;
}

export const AKS_VERSIONS: readonly AksVersion[] = [
  { minor: '1.32', ga: '2025-04', endOfLife: '2026-03' },
  { minor: '1.33', ga: '2025-06', endOfLife: '2026-07' },
  { minor: '1.34', ga: '2025-11', endOfLife: '2026-11' },
  { minor: '1.35', ga: '2026-03', endOfLife: '2027-03' },
  { minor: '1.36', ga: '2026-06', endOfLife: '2027-06' },
  { minor: '1.37', ga: '2026-10', endOfLife: '2027-10' },
];

export type AksVersionCheck =
  { readonly ok: true } | { readonly ok: false; readonly message: string; readonly fix: string };

const month = (today: Date): string => today.toISOString().slice(0, 7);

/** The GA minors on `today`, oldest first. */
export function supportedAksVersions(today: Date): string[] {
  const now = month(today);
  return AKS_VERSIONS.filter((v) => v.ga <= now && now <= v.endOfLife).map((v) => v.minor);
}

/** Whether AKS supports `version` (a minor, `1.35`) on `today`. */
export function checkAksVersion(version: string, today: Date): AksVersionCheck {
  const supported = supportedAksVersions(today);
  if (supported.includes(version)) return { ok: true };
  const entry = AKS_VERSIONS.find((v) => v.minor === version);
  const why =
    entry === undefined
      ? 'is not in the AKS calendar'
      : month(today) > entry.endOfLife
        ? `reached AKS end of life in ${entry.endOfLife}`
        : `is not generally available on AKS until ${entry.ga}`;
  return {
    ok: false,
    message: `kubernetesVersion ${version} ${why} (supported on ${today.toISOString().slice(0, 10)}: ${supported.join(', ') || 'none in the table'})`,
    fix: `set kubernetesVersion to one of ${supported.join(', ') || 'the supported minors'} (source: ${AKS_VERSIONS_SOURCE})`,
  };
}
