/** The `fleet` generator: `generated/FLEET.md`, one file for the whole matrix (see markdown.ts). */
import type { Generator, OutputFile } from '../types.ts';
import { fleetGrid } from './grid.ts';
import { fleetMarkdown } from './markdown.ts';

export const FLEET_MD_PATH = 'FLEET.md';

export const fleetGenerator: Generator = {
  name: 'fleet',
  version: '1',
  units: (matrix) => {
    const grid = fleetGrid(matrix);
    // The grid is everything the page shows besides the environments' folders (names, engines, clouds).
    const input = {
      grid,
      environments: matrix.environments.map((env) => env.name),
      terraform: matrix.terraform !== undefined,
    };
    return [
      {
        scope: '*',
        input,
        render: (): OutputFile[] => [
          { path: FLEET_MD_PATH, format: 'text', data: fleetMarkdown(matrix, grid) },
        ],
      },
    ];
  },
};
