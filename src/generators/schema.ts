/** `generated/schema/releases.schema.json`: the JSON Schema pins files point at, for editors. */
import { pinsJsonSchema } from '../matrix/pins.ts';
import type { Generator } from './types.ts';

export const schemaGenerator: Generator = {
  name: 'schema',
  version: '1',
  units: () => [
    {
      scope: '*',
      input: 'releases',
      render: () => [{ path: 'schema/releases.schema.json', format: 'json', data: pinsJsonSchema() }],
    },
  ],
};
