/** `generated/schema/releases.schema.json`: the JSON Schema pins files point at, for editors. */
// Type-only, so erased: pins.ts pulls in zod (about 95 modules), which a synth that renders nothing
// (every unit cached) does without.
import type * as Pins from '../matrix/pins.ts';
import type { Generator } from './types.ts';

let pins: typeof Pins | undefined;

export const schemaGenerator: Generator = {
  name: 'schema',
  version: '1',
  load: async () => {
    pins ??= await import('../matrix/pins.ts');
  },
  units: () => [
    {
      scope: '*',
      input: 'releases',
      render: () => {
        if (!pins) throw new Error('the schema generator is not loaded: await loadRenderers() first');
        return [{ path: 'schema/releases.schema.json', format: 'json', data: pins.pinsJsonSchema() }];
      },
    },
  ],
};
