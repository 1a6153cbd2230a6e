/** What a `permissions` step changes, as a pure function: shared by the step and `rebound plan`. */
import type { Grant, GrantDiff } from './drivers';

/** `principal:role`, how grants are named in messages. */
export const grantKey = (grant: Pick<Grant, 'principal' | 'role'>) => `${grant.principal}:${grant.role}`;

/** What must be added and removed so that the (non-break-glass) grants equal the desired ones. */
export function grantDiff(actual: Grant[], desired: Pick<Grant, 'principal' | 'role'>[]): GrantDiff {
  const managed = actual.filter((grant) => !grant.breakGlass);
  const have = new Set(managed.map(grantKey));
  const want = new Set(desired.map(grantKey));
  return {
    add: desired.filter((grant) => !have.has(grantKey(grant))).map(({ principal, role }) => ({ principal, role })),
    remove: managed.filter((grant) => !want.has(grantKey(grant))).map(({ principal, role }) => ({ principal, role })),
  };
}
