/** Failover and permission re-sync against the real demo bed.fleet. */
import { answerApproval, ApprovalRefusedError } from '../../client/approvals';
import { stateQuery } from '../../workflows/queries';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { startShippedRunbook } from '../helpers/runbook-files';
import { waitFor } from '../helpers/wait-for';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('failover-test', { fleet: true, target: true });

interface Traffic {
  weights: Record<string, number>;
}
interface LedgerEntry {
  key: string;
  method: string;
  path: string;
}
interface Grant {
  principal: string;
  role: string;
  breakGlass?: boolean;
}


beforeEach(() => bed.fleet.reset());

const weights = async (service: string) => (await bed.fleet.get<Traffic>(`/v1/services/${service}/traffic`)).weights;
const trafficChanges = async () => (await bed.fleet.get<LedgerEntry[]>('/v1/ledger')).filter((entry) => entry.path.endsWith('/traffic'));
const grants = async (service: string) =>
  (await bed.fleet.get<Grant[]>(`/v1/services/${service}/grants`)).map((grant) => `${grant.principal}:${grant.role}${grant.breakGlass ? ' (break-glass)' : ''}`).sort();

function failoverYaml(name: string, to: string, extra = ''): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  key: checkout
  steps:
    - id: failover
      failover:
        service: checkout
        from: eu-west
        to: ${to}
        shifts: [10, 50, 100]
${extra}`;
}

describe('failover', () => {
  it('moves traffic off a failed site and re-syncs access with the shipped region-failover runbook', async () => {
    await bed.fleet.fault('site-outage', { site: 'eu-west' });
    await bed.fleet.fault('permission-desync', { service: 'checkout', add: [{ principal: 'intruder', role: 'admin' }] });
    const handle = await startShippedRunbook(bed.client, bed.taskQueue, 'region-failover', { service: 'checkout', from: 'eu-west', to: 'us-east', fleetUrl: bed.fleet.url });
    const report = await handle.result();

    expect(report.outcome).toBe('recovered');
    expect(await weights('checkout')).toMatchObject({ 'eu-west': 0, 'us-east': 100 });
    const prefix = `region-failover/checkout/${handle.firstExecutionRunId}/failover`;
    expect((await trafficChanges()).map((entry) => entry.key)).toEqual([`${prefix}/shift-10`, `${prefix}/shift-50`, `${prefix}/shift-100`]);
    expect(await grants('checkout')).toEqual(['auditor:read', 'deployer:deploy', 'oncall:admin']);
    expect(report.findings.map((finding) => finding.kind)).toEqual(['permission-desync']);
  });

  it('refuses at preflight when the destination lacks capacity, moving no traffic', async () => {
    await bed.fleet.fault('site-outage', { site: 'eu-west' });
    await bed.fleet.fault('capacity-shortfall', { site: 'us-east', capacity: 120 });
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, failoverYaml('failover-no-capacity', 'us-east'))).result();

    expect(report.outcome).toBe('failed');
    expect(report.error).toBe('preflight refused failover of checkout from eu-west: us-east has 34 rps spare, 150 rps must move');
    expect(report.findings.map((finding) => [finding.kind, finding.target])).toEqual([['capacity-shortfall', 'us-east']]);
    expect(await trafficChanges()).toEqual([]);
  });

  it('refuses at preflight when the destination shares a failure domain, moving no traffic', async () => {
    await bed.fleet.fault('site-outage', { site: 'eu-west' });
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, failoverYaml('failover-shared-domain', 'eu-central'))).result();

    expect(report.outcome).toBe('failed');
    expect(report.error).toBe('preflight refused failover of checkout from eu-west: eu-central shares region eu, dependency dns-eu, dependency db-eu with eu-west');
    expect(report.findings.map((finding) => finding.kind)).toEqual(['shared-failure-domain']);
    expect(await trafficChanges()).toEqual([]);
  });

  it('shifts traffic back to the original weights when verification fails at 50%', async () => {
    // An external probe (e.g. synthetic users at the destination) that fails from 50% on.
    bed.target.route('/users-ok', async () => {
      const current = await weights('checkout');
      return { status: (current['us-east'] ?? 0) >= 50 ? 503 : 200 };
    });
    const verify = `
        verify:
          check: http.check
          with: { url: "${bed.target.url}/users-ok" }
          expect: observation.status == 200
          interval: 200ms
          timeout: 1s`;
    const before = await weights('checkout');
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, failoverYaml('failover-verify-fails', 'us-east', verify))).result();

    expect(report.outcome).toBe('failed');
    expect(report.error).toMatch(/^verification failed at 50% \(verification at 50% did not pass .*\); traffic shifted back to eu-west 100%/);
    expect(await weights('checkout')).toEqual(before);
    expect((await trafficChanges()).map((entry) => entry.key.split('/').at(-1))).toEqual(['shift-10', 'shift-50', 'shift-back-50']);
  });

  it('refuses a shift that would leave less healthy capacity than the minimum', async () => {
    await bed.fleet.fault('site-outage', { site: 'eu-west' });
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, failoverYaml('failover-min-capacity', 'us-east', '        minHealthyCapacity: 400'))).result();
    expect(report.outcome).toBe('failed');
    expect(report.error).toBe('shifting 10% would leave 300 rps of healthy capacity, below the minimum 400');
    expect(await trafficChanges()).toEqual([]);
  });
});

describe('permissions', () => {
  it('repairs a permission desync with the shipped permission-resync runbook and verifies it', async () => {
    await bed.fleet.fault('permission-desync', { service: 'payments', add: [{ principal: 'intruder', role: 'admin' }], remove: [{ principal: 'auditor', role: 'read' }] });
    await bed.fleet.fault('break-glass', { service: 'payments', principal: 'responder', role: 'admin', ttl: '1h' });
    const report = await (await startShippedRunbook(bed.client, bed.taskQueue, 'permission-resync', { service: 'payments' })).result();

    expect(report.outcome).toBe('recovered');
    expect(await grants('payments')).toEqual(['auditor:read', 'deployer:deploy', 'oncall:admin']);
    expect(report.findings.map((finding) => finding.kind)).toEqual(['permission-desync', 'break-glass']);
    expect(report.findings[0]?.details).toEqual({ add: [{ principal: 'auditor', role: 'read' }], remove: [{ principal: 'payments-team', role: 'deploy' }, { principal: 'intruder', role: 'admin' }] });
  });

  it('revokes break-glass access it opened when a later step fails', async () => {
    const yaml = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: break-glass-then-fail }
spec:
  key: checkout
  steps:
    - id: access
      permissions:
        service: checkout
        desired: [{ principal: deployer, role: deploy }, { principal: oncall, role: admin }, { principal: auditor, role: read }]
        breakGlass: [{ principal: responder, role: admin }]
    - id: doomed
      action: { name: http.request, with: { url: "${bed.fleet.url}/v1/no-such-route", method: POST } }
`;
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, yaml);
    const report = await handle.result();

    expect(report.outcome).toBe('failed');
    expect(report.steps.map((step) => step.status)).toEqual(['succeeded', 'failed']);
    expect(await grants('checkout')).toEqual(['auditor:read', 'deployer:deploy', 'oncall:admin']);
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'break-glass', message: 'revoked 1 break-glass grant(s) on checkout: responder:admin' })]);
    const revocations = (await bed.fleet.get<LedgerEntry[]>('/v1/ledger')).filter((entry) => entry.method === 'DELETE');
    expect(revocations.map((entry) => entry.key)).toEqual([`break-glass-then-fail/checkout/${handle.firstExecutionRunId}/access/revoke/responder/admin`]);
  });
});

describe('region-evacuation (approval before an irreversible move)', () => {
  it('moves no traffic until two approvers other than the starter agree', async () => {
    await bed.fleet.fault('site-outage', { site: 'eu-west' });
    const handle = await startShippedRunbook(bed.client, bed.taskQueue, 'region-evacuation', { service: 'checkout', from: 'eu-west', to: 'us-east' }, { source: 'test', by: 'alice' });
    await waitFor(async () => (await handle.query(stateQuery)).steps[0]?.status === 'running', 'the approval to wait');

    await expect(answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'alice' })).rejects.toThrow(ApprovalRefusedError);
    await answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'bob', reason: 'eu-west is gone' });
    expect(await trafficChanges()).toEqual([]);
    await answerApproval(bed.client, handle.workflowId, { decision: 'approve', identity: 'carol' });
    const report = await handle.result();

    expect(report.outcome).toBe('recovered');
    expect(report.steps[0]?.output).toEqual({ approvedBy: ['bob', 'carol'] });
    expect(await weights('checkout')).toMatchObject({ 'eu-west': 0, 'us-east': 100 });
  });
});

