/**
 * The shape every rule family has: the written matrix, its pins and what resolution made of them in,
 * the problems out. The orchestrator (../validate.ts) runs the families in order and collects them all.
 */
import type { MatrixIssue } from '../errors.ts';
import type { MatrixDefinition, PinsByEnvironment, ResolvedMatrix } from '../types.ts';

export interface ValidationInput {
  readonly matrix: MatrixDefinition;
  readonly pins: PinsByEnvironment;
  readonly resolved: ResolvedMatrix;
  /** The moment rules that follow a calendar (Kubernetes version support) judge the matrix at. @default now */
  readonly now?: Date;
}

export type RuleFamily = (input: ValidationInput) => MatrixIssue[];

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The issue for a name that is not a DNS-1123 label (what Kubernetes and the output paths require). */
export function nameIssue(kind: string, name: unknown, path: string, source?: string): MatrixIssue[] {
  if (typeof name === 'string' && DNS1123_LABEL.test(name) && name.length <= 63) return [];
  return [
    {
      path,
      message: `${kind} name ${JSON.stringify(name)} is not a DNS-1123 label`,
      ...(source && { source }),
      fix: 'use lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
    },
  ];
}
