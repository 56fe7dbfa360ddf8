/**
 * The generator contract: pure functions from the resolved matrix to files. A generator splits its work
 * into units (one per target, environment or the whole matrix, or finer: one per app of a target) so
 * that `--only` and the cache can skip units, and so index.json can say which input produced each file.
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
  /**
   * The unit's identity within its generator, for the render cache. Units that split one scope (the k8s
   * generator renders each app of a target on its own) need one each; unique within the generator.
   * @default scope
   */
  readonly key?: string;
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
  /**
   * Loads what `render` needs (cdk8s, cdktf: a second or more of imports). Called only when a unit has to
   * render, so a synth served from the cache never pays for it; `render` throws if it was not called.
   * @default nothing to load
   */
  readonly load?: () => Promise<void>;
  /**
   * A check across units, over the files of every selected unit whether rendered or taken from the
   * cache: what no unit sees alone, such as two apps' folders holding one Kubernetes object. Throws
   * (a GeneratorError) to fail the synth. Keep it cheap: it runs on every synth, even a no-op.
   * @default no check
   */
  readonly checkFiles?: (matrix: ResolvedMatrix, files: readonly RenderedFile[]) => void;
}

/** One generated file with what index.json records about it. */
export interface RenderedFile {
  readonly path: string;
  readonly content: string;
  readonly generator: string;
  readonly scope: string;
  readonly app?: string;
  readonly inputHash: string;
  /** sha256 of `content`, computed once when rendered (and kept in the render cache). */
  readonly sha256: string;
}
