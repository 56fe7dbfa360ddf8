/**
 * Files in generated/ that another tool owns. `flux bootstrap --path generated/flux/<target>` commits
 * Flux's own manifests to `<path>/flux-system/`; synth leaves them alone and `synth --check` does not
 * count them as extra, so bootstrapping a cluster does not break the drift check.
 */
const FLUX_BOOTSTRAP = /^flux\/[^/]+\/[^/]+\/[^/]+\/[^/]+\/flux-system\//;

export function ownedByBootstrap(path: string): boolean {
  return FLUX_BOOTSTRAP.test(path);
}
