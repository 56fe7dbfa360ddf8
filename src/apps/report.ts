import { defineApp } from '../matrix/index.ts';

/** The nightly report: a CronJob that reads the database and the API, then exits. */
export const report = defineApp({
  name: 'report',
  image: 'ghcr.io/acme/report',
  resources: { cpu: '100m', memory: '256Mi' },
  // Runs as a CronJob instead of a Deployment: 02:00 Berlin time, never two runs at once.
  schedule: {
    cron: '0 2 * * *',
    timeZone: 'Europe/Berlin',
    concurrencyPolicy: 'Forbid',
    command: ['./report', '--nightly'],
  },
  config: { REPORT_BUCKET: 'acme-reports' },
  // The API admits its pods on http; the database is the environment's postgres destination.
  dependsOn: ['api'],
  egress: { external: ['postgres'] },
  secrets: [{ name: 'report-db', store: 'vault', key: 'report/db', property: 'password' }],
});
