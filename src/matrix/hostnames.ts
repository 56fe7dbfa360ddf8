/**
 * Hostname patterns (`{app}.{region}.acme.example`): a Gateway's per-cluster names, which external-dns
 * publishes, and the global names of `terraform.traffic`, which Route 53 routes to them.
 */

/** The pattern with each `{key}` that `values` has replaced; unknown placeholders stay (validation reports them). */
export function fillHostname(pattern: string, values: Readonly<Record<string, string>>): string {
  return pattern.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}
