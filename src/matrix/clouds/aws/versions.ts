/**
 * EKS Kubernetes versions as data: when each leaves standard and extended support, and the managed
 * add-on versions pinned for it. Judged against a clock the caller passes (validation and resolution
 * take `now`), never read here, so a test fixes the date and a stale table shows up as a warning or an
 * error at synth time rather than as a refused `CreateCluster` on the first apply.
 *
 * Source of the calendar: AWS, "Understand the Kubernetes version lifecycle on EKS"
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html;
 * awsdocs/amazon-eks-user-guide latest/ug/versioning/kubernetes-versions.adoc @0138560 for 1.29–1.34,
 * @8596db8 for 1.28). Policy stated there: 14 months of standard support from the EKS release, then 12
 * months of extended support; dates are UTC. 1.35's row is confirmed by two secondary sources
 * (endoflife.date/amazon-eks, aws-samples eks-operation-review) only. 1.36 is left out until AWS's own
 * row is confirmed (its dates come from a third-party post): add it here when it is.
 * At run time the authoritative list is `aws eks describe-cluster-versions`.
 */

export interface EksVersion {
  /** `major.minor`, as `aws_eks_cluster.version` takes it. */
  readonly version: string;
  /** First day EKS no longer gives standard support (UTC, `YYYY-MM-DD`). */
  readonly endOfStandardSupport: string;
  /** First day a cluster on this version is no longer supported at all; EKS refuses new clusters. */
  readonly endOfExtendedSupport: string;
}

/** Oldest first. */
export const EKS_VERSIONS: readonly EksVersion[] = [
  { version: '1.28', endOfStandardSupport: '2024-11-26', endOfExtendedSupport: '2025-11-26' },
  { version: '1.29', endOfStandardSupport: '2025-03-23', endOfExtendedSupport: '2026-03-23' },
  { version: '1.30', endOfStandardSupport: '2025-07-23', endOfExtendedSupport: '2026-07-23' },
  { version: '1.31', endOfStandardSupport: '2025-11-26', endOfExtendedSupport: '2026-11-26' },
  { version: '1.32', endOfStandardSupport: '2026-03-23', endOfExtendedSupport: '2027-03-23' },
  { version: '1.33', endOfStandardSupport: '2026-07-29', endOfExtendedSupport: '2027-07-29' },
  { version: '1.34', endOfStandardSupport: '2026-12-02', endOfExtendedSupport: '2027-12-02' },
  { version: '1.35', endOfStandardSupport: '2027-03-27', endOfExtendedSupport: '2028-03-27' },
];

export type EksSupport =
  | { readonly status: 'standard' | 'extended' | 'ended'; readonly row: EksVersion }
  | { readonly status: 'unknown'; readonly row?: undefined };

/** Where `version` stands on `now`'s date. */
export function eksSupport(
  version: string,
  now: Date,
  table: readonly EksVersion[] = EKS_VERSIONS,
): EksSupport {
  const row = table.find((entry) => entry.version === version);
  if (!row) return { status: 'unknown' };
  const today = now.toISOString().slice(0, 10);
  if (today >= row.endOfExtendedSupport) return { status: 'ended', row };
  if (today >= row.endOfStandardSupport) return { status: 'extended', row };
  return { status: 'standard', row };
}

/**
 * The newest version in standard support on `now`'s date: the default for a cluster that names none.
 * When the table is so stale that none is, the newest it knows (validation then reports it).
 */
export function defaultEksVersion(now: Date, table: readonly EksVersion[] = EKS_VERSIONS): string {
  const inStandard = table.filter((entry) => eksSupport(entry.version, now, table).status === 'standard');
  return (inStandard.at(-1) ?? table.at(-1)!).version;
}

// ---------------------------------------------------------------------------------------------------
// Managed add-ons

export const EKS_ADDONS = [
  'vpc-cni',
  'kube-proxy',
  'coredns',
  'eks-pod-identity-agent',
  'aws-ebs-csi-driver',
] as const;
export type EksAddon = (typeof EKS_ADDONS)[number];

/**
 * Pinned add-on versions per Kubernetes minor. A pin changes only in a reviewed commit (the plan then
 * shows the add-on update), never because AWS published a build. Sources, as of 2026-11-30:
 * - coredns, kube-proxy: the "latest version of the Amazon EKS add-on type for each Kubernetes
 *   version" tables of https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html and
 *   managing-kube-proxy.html (1.33: coredns v1.12.4-eksbuild.1 / kube-proxy v1.33.5-eksbuild.2;
 *   1.34: coredns v1.13.2-eksbuild.7 / kube-proxy v1.34.1-eksbuild.2; 1.35: coredns
 *   v1.14.2-eksbuild.4 per docs.amazonaws.cn managing-coredns.md).
 * - vpc-cni: managing-vpc-cni.adoc (awsdocs @057948d) lists v1.20.1-eksbuild.3 for every minor
 *   1.27–1.33; its builds do not follow the Kubernetes minor.
 * - kube-proxy for 1.35: v1.35.3-eksbuild.2, the same table in a later snapshot
 *   (https://docs.amazonaws.cn/zh_cn/eks/latest/userguide/managing-kube-proxy.md: 1.35
 *   v1.35.3-eksbuild.2, 1.34 v1.34.6-eksbuild.2, 1.33 v1.33.10-eksbuild.2; a still later
 *   docs.aws.amazon.com/ja_jp snapshot lists v1.35.3-eksbuild.13). The earlier pin v1.35.0-eksbuild.2
 *   appeared in no source. The 1.33/1.34 pins are older builds of the same tables, kept: a pin moves in
 *   its own reviewed commit.
 * - Not confirmed from a primary source (confirm with `aws eks describe-addon-versions
 *   --kubernetes-version <v> --addon-name <a>` before the first apply, then correct the pin):
 *   vpc-cni for 1.34/1.35 (the newest vpc-cni table found, docs.aws.amazon.com/ja_jp
 *   managing-vpc-cni.html, still ends at 1.33 with v1.20.1-eksbuild.3), eks-pod-identity-agent
 *   (`v1.3.9-eksbuild.3`, as public Terraform pins it; the add-on page add-ons-pod-id.html lists no
 *   versions), aws-ebs-csi-driver (`v1.48.0-eksbuild.2`).
 * Only minors with sourced coredns/kube-proxy rows are here; validation refuses a cluster on any other.
 */
export const EKS_ADDON_VERSIONS: Readonly<Record<string, Readonly<Record<EksAddon, string>>>> = {
  '1.33': {
    'vpc-cni': 'v1.20.1-eksbuild.3',
    'kube-proxy': 'v1.33.5-eksbuild.2',
    coredns: 'v1.12.4-eksbuild.1',
    'eks-pod-identity-agent': 'v1.3.9-eksbuild.3',
    'aws-ebs-csi-driver': 'v1.48.0-eksbuild.2',
  },
  '1.34': {
    'vpc-cni': 'v1.20.1-eksbuild.3',
    'kube-proxy': 'v1.34.1-eksbuild.2',
    coredns: 'v1.13.2-eksbuild.7',
    'eks-pod-identity-agent': 'v1.3.9-eksbuild.3',
    'aws-ebs-csi-driver': 'v1.48.0-eksbuild.2',
  },
  '1.35': {
    'vpc-cni': 'v1.20.1-eksbuild.3',
    'kube-proxy': 'v1.35.3-eksbuild.2',
    coredns: 'v1.14.2-eksbuild.4',
    'eks-pod-identity-agent': 'v1.3.9-eksbuild.3',
    'aws-ebs-csi-driver': 'v1.48.0-eksbuild.2',
  },
};

/** The pinned add-on versions of a Kubernetes minor, or undefined when the table has none. */
export function eksAddonVersions(version: string): Readonly<Record<EksAddon, string>> | undefined {
  return EKS_ADDON_VERSIONS[version];
}
