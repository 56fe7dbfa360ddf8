/**
 * The Flux generator imports these names from this path; the delivery rules themselves live in
 * ./validation/delivery.ts. They are defined here, not re-exported from there: that module
 * reaches resolve.ts and the pins schema (zod), which a synth that renders nothing should not load.
 */

/** The Kustomization `flux bootstrap` creates; an app Kustomization may not take its name. */
export const FLUX_BOOTSTRAP_NAME = 'flux-system';

/** The Kustomization that runs an app's migration: `<app>-migrate`. */
export function migrationKustomizationName(app: { readonly name: string }): string {
  return `${app.name}-migrate`;
}

/** The Kustomization of what an app's migration needs (its folder without the workload): `<app>-base`. */
export function baseKustomizationName(app: { readonly name: string }): string {
  return `${app.name}-base`;
}
