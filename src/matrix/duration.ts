import ms from 'ms';

/** Seconds in a duration such as `24h`; undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
  if (!/^\d+(\.\d+)?(s|m|h|d)$/.test(text)) return undefined;
  const millis = ms(text as ms.StringValue);
  return typeof millis === 'number' && Number.isFinite(millis) ? millis / 1000 : undefined;
}

/** `26h`, `1d 2h`, `45m`: a short human form for PR bodies and gate evidence. */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3_600);
  const minutes = Math.floor((s % 3_600) / 60);
  const parts = [days && `${days}d`, hours && `${hours}h`, minutes && `${minutes}m`].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : `${s}s`;
}
