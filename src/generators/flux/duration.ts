/**
 * Go durations for Flux fields (`interval`, `timeout`): the CRDs accept `ms`, `s`, `m` and `h` only
 * (pattern `^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`), so a matrix `2d` must become `48h`.
 */

/** `300` → `5m`, `5400` → `90m`, `172800` → `48h`, `45` → `45s`; fractions round up to whole seconds. */
export function fluxDuration(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole % 3600 === 0) return `${whole / 3600}h`;
  if (whole % 60 === 0) return `${whole / 60}m`;
  return `${whole}s`;
}
