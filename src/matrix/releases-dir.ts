/**
 * Where pins files live, relative to the project root. Its own module, without pins.ts's schema
 * library, so the matrix cache can find the pins without loading zod.
 */
export const RELEASES_DIR = 'src/environments/releases';
