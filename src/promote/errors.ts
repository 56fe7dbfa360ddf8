/** Errors of the promotion planner and gates. */
import { EnvmatrixError } from '../core/errors.ts';

/** A promotion gate refused an app. */
export class PromotionBlocked extends EnvmatrixError {
  override readonly name = 'PromotionBlocked';
  constructor(
    readonly app: string,
    readonly gate: string,
    readonly evidence: string,
    readonly passesAt?: string,
  ) {
    super(`${app}: blocked by ${gate}: ${evidence}${passesAt ? ` (may pass at ${passesAt})` : ''}`);
  }
}
