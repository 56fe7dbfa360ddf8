/**
 * The generator contract: pure functions from the resolved matrix to files. A generator splits its work
 * into units (one per target, environment or the whole matrix) so that `--only` and the cache can skip
 * units, and so index.json can say which input produced each file.
 */
import type { ResolvedMatrix } from '../matrix/types.ts';

export type OutputFormat = 'yaml' | 'json' | 'text';

export interface OutputFile {
  /** Path under generated/, with forward slashes. */
  readonly path: string;
  /** `yaml`: data is one object or an array of documents; `json`: any JSON value; `text`: a string. */
  readonly format: OutputFormat;
  readonly data: unknown;
  /** The app the file belongs to, when it belongs to one. */
  readonly app?: string;
  /** JSON keys keep the generator's order instead of being sorted (e.g. Terraform JSON). @default false */
  readonly keepKeyOrder?: boolean;
}

export interface GeneratorUnit {
  /**
   * What the unit covers: a target id (`prod/aws/us-east-1/main`), an environment (`prod`), an
   * environment's cloud region (`prod/aws/us-east-1`), or `*` for the whole matrix.
   */
  readonly scope: string;
  /** Everything the unit's output depends on; hashed into index.json and the cache key. */
  readonly input: unknown;
  readonly render: () => readonly OutputFile[];
}

export interface Generator {
  /** Short name, also the top-level folder it writes under generated/ by convention. */
  readonly name: string;
  /** Bump when the output for the same input changes (folded into input hashes). */
  readonly version: string;
  readonly units: (matrix: ResolvedMatrix) => readonly GeneratorUnit[];
}
