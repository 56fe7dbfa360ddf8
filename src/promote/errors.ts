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

/** `pin --push` was refused by a gate of the environment it writes (today: its freeze). */
export class PinBlocked extends EnvmatrixError {
  override readonly name = 'PinBlocked';
  constructor(
    readonly env: string,
    readonly gate: string,
    readonly evidence: string,
    fix: string,
  ) {
    super(`pin ${env}: blocked by ${gate}: ${evidence}`, { fix });
  }
}
