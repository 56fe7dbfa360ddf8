/**
 * Hostname patterns (`{app}.{region}.acme.example`): a Gateway's per-cluster names, which external-dns
 * publishes, and the global names of `terraform.traffic`, which Route 53 routes to them.
 */

/** The pattern with each `{key}` that `values` has replaced; unknown placeholders stay (validation reports them). */
export function fillHostname(pattern: string, values: Readonly<Record<string, string>>): string {
  return pattern.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** Where a hostname pattern is filled in: a target's coordinates. */
export interface HostnameCoordinates {
  readonly env: string;
  readonly cloud: string;
  readonly region: string;
  readonly cluster: string;
}

/**
 * An app's name on a cluster's Gateway: `{app}.{region}.{env}.example.com` → `api.eu-west-1.prod.example.com`.
 * One function for the HTTPRoute, the Route 53 records that point at it, and `compare`, so they agree.
 */
export function gatewayHostname(pattern: string, app: string, target: HostnameCoordinates): string {
  const { env, cloud, region, cluster } = target;
  return fillHostname(pattern, { app, env, cloud, region, cluster });
}
