/**
 * The Flux generator imports FLUX_BOOTSTRAP_NAME from this path; the delivery rules themselves live in
 * ./validation/delivery.ts. The constant is defined here, not re-exported from there: that module
 * reaches resolve.ts and the pins schema (zod), which a synth that renders nothing should not load.
 */

/** The Kustomization `flux bootstrap` creates; an app Kustomization may not take its name. */
export const FLUX_BOOTSTRAP_NAME = 'flux-system';
