/**
 * `permissions` steps: read a service's grants, diff them against the desired policy, apply the
 * diff and verify equality. Break-glass grants are revoked by a finalizer when the recovery ends,
 * whatever its outcome.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { grantDiff, grantKey } from '../../model/grant-diff';
import type { PermissionsSpec } from '../../model/steps/permissions';
import { render } from '../expressions';
import { driverCall, driverFor } from './drivers';
import type { StepContext, StepExecutor } from './step-executor';

export const permissionsExecutor: StepExecutor<'permissions'> = {
  phase: 'mitigating',
  describe: (step) => `re-sync access to ${step.permissions.service} (${step.id})`,
  async execute(step, context) {
    const spec = render(step.permissions, context.expressionContext()) as PermissionsSpec;
    // Checked before anything changes: a policy file is read when the recovery is prepared.
    const desired = spec.desired;
    if (desired === undefined) {
      throw ApplicationFailure.nonRetryable(`policy file ${spec.policyFile} was not pinned when this recovery started; start it with \`rebound start\`, which reads policy files`, 'PolicyNotPinned');
    }
    const driver = driverFor(context, `re-sync access to ${spec.service}: read grants`);
    const target = `${spec.service}/grants`;
    // Registered first: whatever happens next, emergency access does not outlive the recovery.
    if (spec.revokeBreakGlass) {
      context.pushFinalizer({ description: `revoking break-glass access to ${spec.service}`, run: () => revokeBreakGlass(context, spec.service) });
    }
    if (spec.breakGlass.length > 0) {
      const add = spec.breakGlass.map((grant) => ({ ...grant, breakGlass: true }));
      const grant = driverFor(context, `grant break-glass access to ${spec.service}: ${add.map(grantKey).join(', ')}`);
      await grant['access.apply'](driverCall(context, { service: spec.service, diff: { add, remove: [] } }, context.idempotencyKey('break-glass')));
    }
    const actual = await driver['access.read'](driverCall(context, { service: spec.service }));
    const diff = grantDiff(actual, desired);
    if (diff.add.length + diff.remove.length > 0) {
      context.finding({
        kind: 'permission-desync',
        target,
        message: `${spec.service}: ${diff.add.length} grant(s) missing, ${diff.remove.length} not in the policy`,
        details: diff,
      });
      context.target(target, { status: 'in-progress', expected: desired, observed: actual });
      const apply = driverFor(context, `re-sync access to ${spec.service}: add ${diff.add.length}, remove ${diff.remove.length} grant(s)`);
      await apply['access.apply'](driverCall(context, { service: spec.service, diff }, context.idempotencyKey('apply')));
    }
    const after = await driver['access.read'](driverCall(context, { service: spec.service }));
    const remaining = grantDiff(after, desired);
    if (remaining.add.length + remaining.remove.length > 0) {
      context.target(target, { status: 'failed', expected: desired, observed: after });
      throw ApplicationFailure.nonRetryable(`${spec.service}: grants still differ from the policy after re-sync`, 'PermissionsNotConverged', remaining);
    }
    context.target(target, { status: 'verified', expected: desired, observed: after });
    return { output: { added: diff.add.length, removed: diff.remove.length }, attempts: 1 };
  },
};

async function revokeBreakGlass(context: StepContext, service: string): Promise<void> {
  const driver = driverFor(context, `revoke break-glass access to ${service}`);
  const grants = await driver['access.read'](driverCall(context, { service }));
  const open = grants.filter((grant) => grant.breakGlass);
  for (const grant of open) {
    await driver['access.revoke'](driverCall(context, { service, principal: grant.principal, role: grant.role }, context.idempotencyKey('revoke', grant.principal, grant.role)));
  }
  if (open.length > 0) {
    context.finding({ kind: 'break-glass', target: `${service}/grants`, message: `revoked ${open.length} break-glass grant(s) on ${service}: ${open.map(grantKey).join(', ')}` });
  }
}
