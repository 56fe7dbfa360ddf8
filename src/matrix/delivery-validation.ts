/**
 * The Flux generator imports FLUX_BOOTSTRAP_NAME from this path; the delivery rules themselves live in
 * ./validation/delivery.ts. Delete this file once src/generators/flux/kustomization.ts imports from there.
 */
export { FLUX_BOOTSTRAP_NAME } from './validation/delivery.ts';
