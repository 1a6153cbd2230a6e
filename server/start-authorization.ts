/**
 * The authorization policy (REBOUND_AUTHZ_FILE) on the webhook: an alert may start (or join) a
 * recovery only when the policy lets the sender's credential (`webhook:<name>`) start that
 * runbook; the policy is pinned into every recovery it starts. A refused payload is a 403 and
 * nothing is sent, like one outside the credential's scope.
 */
import type { Logger } from 'pino';
import { authorizationDenial, webhookIdentity, type AuthzPolicy } from '../model/authz-policy';
import type { AlertDelivery } from './alert-delivery';
import type { Principal } from './auth';
import { HttpError } from './http-errors';

export function authorizeDeliveries(deliveries: AlertDelivery[], policy: AuthzPolicy | undefined, principal: Principal, logger: Logger): AlertDelivery[] {
  if (policy === undefined) return deliveries;
  const identity = webhookIdentity(principal.name);
  const refused = [...new Set(deliveries.filter((delivery) => delivery.kind === 'start-or-join').map((delivery) => delivery.runbook))].flatMap((runbook) => {
    const denial = authorizationDenial(policy, 'start', runbook, identity);
    return denial === undefined ? [] : [{ runbook, denial }];
  });
  if (refused.length > 0) {
    for (const { runbook, denial } of refused) logger.warn({ identity, act: 'start', runbook, reason: denial }, 'alert refused by the authorization policy');
    throw new HttpError('forbidden', `${refused.map(({ denial }) => denial).join('; ')}; nothing was started`, { identity, runbooks: refused.map(({ runbook }) => runbook) });
  }
  return deliveries.map((delivery) => (delivery.kind === 'start-or-join' ? { ...delivery, input: { ...delivery.input, authz: policy } } : delivery));
}
