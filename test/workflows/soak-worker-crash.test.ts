/**
 * A worker SIGKILLed while a soak's probe is in flight: the lost probe observed nothing about the
 * target, so it is asked again on the next worker; it is not a failed observation, and a soak that
 * tolerates no failure still ends recovered (found by the chaos suite).
 */
import { startRecoveryFromYaml } from '../helpers/recovery';
import { startTargetServer, type TargetServer } from '../helpers/target-server';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';
import { useWorkerProcesses } from '../helpers/worker-process';

let temporal: TestTemporal;
let target: TargetServer;
const taskQueue = 'soak-worker-crash-test';

// Declared before the afterAll below: worker processes stop before the server they talk to.
const workers = useWorkerProcesses(() => ({ TEMPORAL_ADDRESS: temporal.address, REBOUND_TASK_QUEUE: taskQueue }));

beforeAll(async () => {
  temporal = await startTestTemporal();
  target = await startTargetServer();
}, 180_000);

afterAll(async () => {
  await target?.close();
  await temporal?.stop();
});

it('asks a probe lost with its worker again instead of counting it as a regression', async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let calls = 0;
  target.route('/health', async () => {
    calls += 1;
    // The second probe hangs until its worker has been killed.
    if (calls === 2) await released;
    return { status: 200, json: { ok: true } };
  });
  const first = workers.start();
  await first.ready;
  const handle = await startRecoveryFromYaml(
    temporal.client,
    taskQueue,
    `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: soak-crash }
spec:
  key: checkout
  steps:
    - id: soak
      watch:
        check: http.check
        with: { url: "${target.url}/health" }
        expect: observation.status == 200
        interval: 200ms
        duration: 2s
        toleratedFailures: 0
`,
  );
  await target.received('/health', 2);
  first.child.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  release();
  const second = workers.start();
  await second.ready;

  const report = await handle.result();
  expect(report.outcome).toBe('recovered');
  expect(report.findings.filter((finding) => finding.kind === 'regression' || finding.kind === 'escalation')).toEqual([]);
  // The lost probe was asked again on the second worker: more than the two the first worker made.
  expect(calls).toBeGreaterThan(2);
});
