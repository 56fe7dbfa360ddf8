/**
 * Jobs and schedules: a scheduled app (`schedule`) has a cron Kubernetes reads, a known time zone and a
 * concurrency policy, and none of what only a long-running app has (autoscaling, a progressive strategy,
 * a route); `migrate` has a command; `scaling.schedules` windows parse and keep min ≤ scaling.max.
 */
import type { MatrixIssue } from '../errors.ts';
import type { AppValues } from '../types.ts';
import { forEachAppInstance, type ValueReport } from './app-values.ts';
import { cronProblem, timeZoneProblem } from './calendar.ts';
import type { ValidationInput } from './rule.ts';

const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

export function validateJobs(input: ValidationInput): MatrixIssue[] {
  const issues: MatrixIssue[] = [];
  forEachAppInstance(input, issues, ({ app, report }) => {
    validateSchedule(app.values, report);
    validateMigration(app.values, report);
    validateScalingWindows(app.values, report);
  });
  return issues;
}

function isCommand(command: unknown): boolean {
  return (
    Array.isArray(command) &&
    command.length > 0 &&
    command.every((part) => typeof part === 'string' && part.length > 0)
  );
}

function validateSchedule(values: AppValues, report: ValueReport): void {
  const { schedule } = values;
  if (!schedule) return;
  const cron = cronProblem(schedule.cron);
  if (cron)
    report(
      'schedule.cron',
      `schedule cron ${JSON.stringify(schedule.cron)} ${cron}`,
      'write five fields, e.g. "0 2 * * *" for 02:00 every day',
    );
  const zone = schedule.timeZone !== undefined && timeZoneProblem(schedule.timeZone);
  if (zone) report('schedule.timeZone', `schedule ${zone.message}`, zone.fix);
  if (schedule.concurrencyPolicy !== undefined && !CONCURRENCY_POLICIES.includes(schedule.concurrencyPolicy))
    report(
      'schedule.concurrencyPolicy',
      `schedule concurrencyPolicy ${JSON.stringify(schedule.concurrencyPolicy)} is not one of ${CONCURRENCY_POLICIES.join(', ')}`,
      'use Forbid (skip a run while the last one runs), Replace or Allow',
    );
  if (schedule.command !== undefined && !isCommand(schedule.command))
    report(
      'schedule.command',
      `schedule command ${JSON.stringify(schedule.command)} is not a list of words`,
      'write the command as a list, e.g. ["./report", "--nightly"]',
    );
  // What a scheduled app cannot have: each names the value to drop.
  if (values.scaling)
    report(
      ['schedule', 'scaling'],
      'a scheduled app runs a CronJob, which nothing autoscales; it has scaling',
      'remove scaling from this app (or schedule, to run it as a Deployment)',
    );
  if (values.strategy.kind !== 'rolling')
    report(
      ['schedule', 'strategy'],
      `a scheduled app runs a CronJob, which has no ${values.strategy.kind} strategy`,
      'remove strategy from this app; each run starts the version pinned at that time',
    );
  if (values.expose !== false)
    report(
      ['schedule', 'expose'],
      'a scheduled app runs a CronJob, whose pods come and go; it cannot be exposed',
      'remove expose from this app, or expose a long-running app instead',
    );
}

function validateMigration({ migrate }: AppValues, report: ValueReport): void {
  if (!migrate) return;
  if (!isCommand(migrate.command))
    report(
      'migrate.command',
      `migrate command ${JSON.stringify(migrate.command)} is not a list of words`,
      'write the command as a list, e.g. ["./migrate", "up"]',
    );
  if (migrate.image !== undefined && !isRepository(migrate.image))
    report(
      'migrate.image',
      `migrate image ${JSON.stringify(migrate.image)} is not an image repository`,
      "name a repository without tag or digest, e.g. ghcr.io/acme/api-migrations; it runs at the app's pinned tag",
    );
}

/** `registry[:port]/path`, lowercase, without a tag (a `:` in the last segment) or a digest. */
function isRepository(image: unknown): boolean {
  return (
    typeof image === 'string' &&
    /^[a-z0-9]([a-z0-9._/:-]*[a-z0-9])?$/.test(image) &&
    !image.slice(image.lastIndexOf('/') + 1).includes(':')
  );
}

function validateScalingWindows({ scaling }: AppValues, report: ValueReport): void {
  (scaling?.schedules ?? []).forEach((window, index) => {
    const at = `scaling.schedules[${index}]`;
    for (const field of ['start', 'end'] as const) {
      const problem = cronProblem(window[field]);
      if (problem)
        report(
          'scaling.schedules',
          `${at}.${field} ${JSON.stringify(window[field])} ${problem}`,
          'write five fields, e.g. "0 7 * * MON-FRI"',
        );
    }
    if (window.start === window.end)
      report(
        'scaling.schedules',
        `${at} starts and ends at the same time (${JSON.stringify(window.start)})`,
        'give the window an end that differs from its start (KEDA rejects equal ones)',
      );
    if (!(Number.isInteger(window.min) && window.min >= 1))
      report(
        'scaling.schedules',
        `${at}.min ${window.min} is not a whole number ≥ 1`,
        'set min to 1 or more',
      );
    else if (scaling && Number.isInteger(scaling.max) && window.min > scaling.max)
      report(
        ['scaling.schedules', 'scaling.max'],
        `${at}.min ${window.min} > scaling.max ${scaling.max}`,
        `lower the window's min to ${scaling.max} or less, or raise scaling.max`,
      );
    const zone = window.timeZone !== undefined && timeZoneProblem(window.timeZone);
    if (zone) report('scaling.schedules', `${at} ${zone.message}`, zone.fix);
  });
}
