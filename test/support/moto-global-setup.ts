/**
 * Vitest global setup: one moto server for the whole run, its endpoint handed to tests as
 * `inject('motoEndpoint')` (read it through `useMoto()` from ./moto.ts, which falls back to a private
 * server when this setup is not wired in). Under CI=true a missing moto fails the run here.
 *
 * Tests share this server concurrently, so none of them may reset it: use unique resource names.
 */
import type { TestProject } from 'vitest/node';
import { motoAvailable, startMoto } from './moto.ts';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (!motoAvailable().available) {
    project.provide('motoEndpoint', undefined);
    return undefined;
  }
  const moto = await startMoto();
  project.provide('motoEndpoint', moto.endpoint);
  return async () => {
    await moto.stop();
  };
}
