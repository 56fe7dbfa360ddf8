/**
 * One meaning for `$` in every engine: what an app's values say reaches the pod as written, on Argo CD
 * (which never substitutes) and on Flux (whose Kustomizations carry `postBuild.substitute`).
 *
 * Flux runs post-build substitution over each object's YAML with fluxcd/pkg/envsubst, a fork of
 * drone/envsubst. Its scanner changes text at exactly two places: `${…}` (an expansion; an unset
 * variable becomes "", and an unclosed `${` fails the whole Kustomization) and `$$` (an escape that
 * drops one `$`, so `pa$$word` reaches the pod as `pa$word`) — fluxcd/pkg envsubst/parse/scan.go,
 * `scanLbrack` and `scanEscaped`. An object labelled or annotated
 * `kustomize.toolkit.fluxcd.io/substitute: disabled` is skipped whole — fluxcd/pkg
 * kustomize/kustomize_varsub.go, `SubstituteVariables`; documented in fluxcd/kustomize-controller
 * docs/spec/v1/kustomizations.md, "Post build variable substitution".
 *
 * Why the annotation and not escaping (`$` → `$$`): an escaped manifest is right only where
 * substitution runs, so the app folder would differ by engine (Argo CD would apply the `$$`), and
 * would still be wrong on Flux whenever substitution is skipped (`substituteStrategy: WithVariables`
 * with no variables). The annotation is inert outside Flux, so one folder means the same thing to both
 * engines. It goes only on objects that hold `${` or `$$`: every other object is left to Flux
 * unchanged, and Flux leaves it unchanged too, having nothing to act on.
 */

import { withAnnotation, type AnnotatableObject as KubeObject } from '../annotate.ts';

/** The label/annotation key Flux reads, and the one value that turns substitution off. */
export const FLUX_SUBSTITUTE_ANNOTATION = 'kustomize.toolkit.fluxcd.io/substitute';
export const FLUX_SUBSTITUTE_DISABLED = 'disabled';

/**
 * The two sequences Flux's envsubst acts on. Tested on the JSON text of the object: JSON leaves `$`
 * and `{` as they are and puts `"` after the last character of every string, so a match lies inside
 * one key or value, as it would in the YAML Flux reads.
 */
const SUBSTITUTED = /\$[{$]/;

/** Whether Flux's post-build substitution would change the object. */
export function fluxWouldSubstitute(object: KubeObject): boolean {
  return SUBSTITUTED.test(JSON.stringify(object));
}

/** The object, annotated so that Flux applies it as written when it holds `${` or `$$`. */
export function withLiteralDollars<T extends KubeObject>(object: T): T {
  return fluxWouldSubstitute(object)
    ? withAnnotation(object, FLUX_SUBSTITUTE_ANNOTATION, FLUX_SUBSTITUTE_DISABLED)
    : object;
}
