/**
 * The authorization policy pinned in a recovery's input, applied to operator acts (control and
 * approval updates). A refused act is accepted by the update's validator and refused by its
 * handler: so the refusal is recorded in the recovery's state (`refusals`, part of the report)
 * and in the worker's log, and stays in history, whoever sent it.
 */
import { ApplicationFailure, log } from '@temporalio/workflow';
import { authorizationDenial } from '../model/authz-policy';
import { maxRecordedRefusals, type OperatorActKind, type RecoveryInput, type RecoveryState } from '../model/recovery';

/** ApplicationFailure type of an act the policy does not allow. */
export const authorizationFailureType = 'OperatorActNotAuthorized';

export class ActAuthorization {
  constructor(
    private readonly input: Pick<RecoveryInput, 'authz' | 'runbook'>,
    private readonly state: RecoveryState,
  ) {}

  /** Why the policy refuses `act` by `identity`; undefined when it is allowed (or there is no policy). */
  denial(act: OperatorActKind, identity: string): string | undefined {
    return authorizationDenial(this.input.authz, act, this.input.runbook.metadata.name, identity);
  }

  /** Records and logs the refusal, then fails the update with it. Call from a handler, never a validator (validators must not change state). */
  refuse(act: OperatorActKind, identity: string, refusal: string, step?: string): never {
    const refusals = (this.state.refusals ??= []);
    refusals.push({ act, identity, ...(step === undefined ? {} : { step }), refusal, at: new Date().toISOString() });
    if (refusals.length > maxRecordedRefusals) refusals.splice(0, refusals.length - maxRecordedRefusals);
    log.warn('operator act refused by the authorization policy', { runbook: this.input.runbook.metadata.name, act, identity, step, reason: refusal });
    throw ApplicationFailure.nonRetryable(refusal, authorizationFailureType);
  }
}
