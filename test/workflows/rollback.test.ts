/** Staged rollback against the real demo fleet: waves, drift, stuck replicas, failed verification. */
import { startRecoveryFromYaml } from '../helpers/recovery';
import { startShippedRunbook } from '../helpers/runbook-files';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('rollback-test', { fleet: true });

interface Replica {
  id: string;
  actual: { version: string; config: Record<string, string> };
  healthy: boolean;
}
interface LedgerEntry {
  key: string;
  method: string;
  path: string;
  replays: number;
}

beforeEach(() => bed.fleet.reset());

const versions = async (service: string) => (await bed.fleet.get<Replica[]>(`/v1/services/${service}/replicas`)).map((replica) => [replica.id, replica.actual.version]);

function rollbackYaml(name: string, extra: string): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  key: checkout
  steps:
    - id: rollback
      rollback:
        service: checkout
        waves: [1, "50%", "100%"]
        maxUnavailable: 2
        convergeTimeout: 3s
${extra}`;
}

describe('rollback', () => {
  it('rolls a bad deploy back in waves with the shipped service-rollback runbook, each change once', async () => {
    await bed.fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
    const handle = await startShippedRunbook(bed.client, bed.taskQueue, 'service-rollback', { service: 'checkout', fleetUrl: bed.fleet.url });
    const report = await handle.result();

    expect(report.outcome).toBe('recovered');
    expect(report.steps.map((step) => step.status)).toEqual(['succeeded', 'succeeded']);
    expect(report.steps[0]?.output).toEqual({ waves: 3, targets: 8, verified: 8, stuck: 0 });
    expect((await versions('checkout')).every(([, version]) => version === 'v41')).toBe(true);
    expect(report.targets.filter((target) => target.step === 'rollback').map((target) => target.status)).toEqual(Array(8).fill('verified'));
    const applies = (await bed.fleet.get<LedgerEntry[]>('/v1/ledger')).filter((entry) => entry.key.endsWith('/apply'));
    expect(applies).toHaveLength(8);
    expect(new Set(applies.map((entry) => entry.path)).size).toBe(8);
    expect(report.findings).toEqual([]);
  });

  it('halts before a wave whose targets drifted, with a drift finding, and leaves them untouched', async () => {
    await bed.fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
    await bed.fleet.fault('config-drift', { service: 'checkout', replica: 'checkout-us-east-3', config: { pool: '8' } });
    const handle = await startRecoveryFromYaml(bed.client, bed.taskQueue, rollbackYaml('rollback-drift', ''));
    const report = await handle.result();

    expect(report.outcome).toBe('failed');
    expect(report.error).toMatch(/^drift on checkout-us-east-3: rollback halted before wave 3/);
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'drift', target: 'checkout-us-east-3', message: 'checkout-us-east-3 runs v42 {mode=normal,pool=8} but v42 {mode=normal,pool=32} is recorded' }),
    ]);
    const after = Object.fromEntries(await versions('checkout'));
    expect(after['checkout-us-east-3']).toBe('v42');
    expect(after['checkout-eu-west-1']).toBe('v41');
  });

  it('proceeds past drift when onDrift is proceed, recording the finding', async () => {
    await bed.fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
    await bed.fleet.fault('config-drift', { service: 'checkout', replica: 'checkout-eu-west-1', config: { pool: '8' } });
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, rollbackYaml('rollback-drift-proceed', '        onDrift: proceed'))).result();
    expect(report.outcome).toBe('recovered');
    expect(report.findings.map((finding) => [finding.kind, finding.target])).toEqual([['drift', 'checkout-eu-west-1']]);
  });

  it('ends degraded naming a stuck replica instead of hiding it', async () => {
    await bed.fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
    await bed.fleet.fault('stuck-replica', { service: 'checkout', replica: 'checkout-eu-central-2' });
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, rollbackYaml('rollback-stuck', ''))).result();

    expect(report.outcome).toBe('degraded');
    expect(report.unverifiedTargets).toEqual(['checkout-eu-central-2']);
    expect(report.targets.find((target) => target.target === 'checkout-eu-central-2')).toMatchObject({ status: 'stuck', observed: { version: 'v42' } });
    expect(report.findings).toEqual([expect.objectContaining({ kind: 'stuck-target', target: 'checkout-eu-central-2' })]);
    expect(report.steps[0]?.output).toEqual({ waves: 3, targets: 8, verified: 7, stuck: 1 });
  });

  it('restores a wave that fails its verification gate and fails the step', async () => {
    await bed.fleet.fault('bad-deploy', { service: 'checkout', version: 'v42' });
    const verify = `
        verify:
          check: http.check
          with: { url: "${bed.fleet.url}/v1/no-such-probe" }
          expect: observation.status == 200
          interval: 200ms
          timeout: 1s`;
    const report = await (await startRecoveryFromYaml(bed.client, bed.taskQueue, rollbackYaml('rollback-verify-fails', verify))).result();

    expect(report.outcome).toBe('failed');
    expect(report.error).toMatch(/^wave 1\/3 failed verification \(wave 1 verification did not pass 1 time\(s\) in a row within 1s/);
    expect((await versions('checkout')).every(([, version]) => version === 'v42')).toBe(true);
    const ledger = await bed.fleet.get<LedgerEntry[]>('/v1/ledger');
    expect(ledger.filter((entry) => entry.key.endsWith('/restore')).map((entry) => entry.path)).toEqual(['/v1/services/checkout/replicas/checkout-eu-west-1/deployment']);
    expect(report.targets.find((target) => target.target === 'checkout-eu-west-1')?.status).toBe('restored');
  });

  it('restores a drifted config with the shipped config-drift-restore runbook', async () => {
    await bed.fleet.fault('config-drift', { service: 'checkout', replica: 'checkout-eu-west-2', config: { mode: 'broken' } });
    const handle = await startShippedRunbook(bed.client, bed.taskQueue, 'config-drift-restore', { service: 'checkout', replica: 'checkout-eu-west-2' });
    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    expect(report.findings.map((finding) => [finding.kind, finding.target])).toEqual([['drift', 'checkout-eu-west-2']]);
    const replica = (await bed.fleet.get<Replica[]>('/v1/services/checkout/replicas')).find((candidate) => candidate.id === 'checkout-eu-west-2');
    expect(replica).toMatchObject({ actual: { version: 'v41', config: { mode: 'normal', pool: '32' } }, healthy: true });
  });
});
