/**
 * Crons and time zones as Kubernetes and KEDA read them. Both parse crons with Go's robfig/cron
 * standard parser (five fields: minute hour day-of-month month day-of-week, or a descriptor such as
 * `@daily`) and load zones with Go's time.LoadLocation, which is case-sensitive.
 * https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax,
 * https://keda.sh/docs/latest/scalers/cron/ ("Linux format cron").
 */
import { Cron } from 'croner';

/** Quartz extensions croner accepts and robfig/cron does not: `L`, `W`, `#`. */
const QUARTZ_ONLY = /#|(^|[\s,/-])(\d*L|L\d*|LW|\d+W)(?=$|[\s,/-])/;

/** Why `expression` is not a cron Kubernetes accepts, or undefined when it is one. */
export function cronProblem(expression: unknown): string | undefined {
  if (typeof expression !== 'string') return 'is not a string';
  const text = expression.trim();
  if (!text.startsWith('@') && text.split(/\s+/).length !== 5)
    return 'does not have five fields (minute hour day-of-month month day-of-week)';
  if (QUARTZ_ONLY.test(text)) return 'uses L, W or #, which Kubernetes cron does not know';
  try {
    new Cron(text, { paused: true });
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern: /, '');
  }
}

/**
 * Undefined for an IANA zone as written, else the fix: the zone's canonical spelling when Intl knows it
 * in another case (`europe/berlin`), else a generic example. Intl ignores case; Go does not.
 */
export function timeZoneProblem(zone: unknown): { message: string; fix: string } | undefined {
  const unknown = {
    message: `unknown time zone ${JSON.stringify(zone)}`,
    fix: 'use an IANA zone such as Europe/Berlin or UTC',
  };
  if (typeof zone !== 'string') return unknown;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return unknown;
  }
  if (resolved === zone || Intl.supportedValuesOf('timeZone').includes(zone)) return undefined;
  return resolved.toLowerCase() === zone.toLowerCase()
    ? {
        message: `time zone ${JSON.stringify(zone)} is not spelt as in the IANA database`,
        fix: `write ${resolved}`,
      }
    : unknown;
}
