/** Time accounting of a recovery (timeline, time-to-recover, RTO), against a real Temporal dev server. */
import type { RecoveryReport, RecoveryTrigger, StepState } from '../../model/recovery';
import { stateQuery } from '../../workflows/queries';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { useTestbed } from '../helpers/testbed';
import { waitFor } from '../helpers/wait-for';

const bed = useTestbed('timeline-test', { target: true });

const start = (yaml: string, trigger: RecoveryTrigger) => startRecoveryFromYaml(bed.client, bed.taskQueue, yaml, {}, trigger);

const ended = (report: RecoveryReport, id: string): string => {
  const step = report.steps.find((candidate: StepState) => candidate.id === id);
  if (!step?.endedAt) throw new Error(`step ${id} has not ended`);
  return step.endedAt;
};

/** A pre-check gate, a fix, a verification gate, a soak: every moment of the timeline. */
function soakRunbook(name: string, rto: string): string {
  return `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: ${name} }
spec:
  rto: ${rto}
  timeout: 2m
  steps:
    - id: broken
      gate: { check: http.check, with: { url: "${bed.target.url}/health" }, expect: observation.status == 200, interval: 100ms }
    - id: fix
      action: { name: http.request, with: { url: "${bed.target.url}/fix" } }
    - id: healthy
      gate: { check: http.check, with: { url: "${bed.target.url}/health" }, expect: observation.status == 200, interval: 100ms, consecutive: 2 }
    - id: soak
      watch: { check: http.check, with: { url: "${bed.target.url}/health" }, expect: observation.status == 200, duration: 1s, interval: 250ms }
`;
}

describe('recovery timeline', () => {
  it('records first mitigation, verification and soak, and measures time-to-recover from detection to verification', async () => {
    const detectedAt = new Date(Date.now() - 120_000).toISOString();
    const receivedAt = new Date(Date.now() - 1_000).toISOString();
    const handle = await start(soakRunbook('timeline-detected', '1m'), { source: 'alert', detectedAt, receivedAt });
    const report = await handle.result();

    expect(report.outcome).toBe('recovered');
    const { timeline } = report;
    expect(timeline.detectedAt).toBe(detectedAt);
    expect(timeline.receivedAt).toBe(receivedAt);
    expect(timeline.startedAt).toBe(report.startedAt);
    // The pre-check gate passed before any mitigation: it verifies nothing about the fix.
    expect(timeline.firstMitigationAt).toBe(ended(report, 'fix'));
    expect(timeline.verifiedAt).toBe(ended(report, 'healthy'));
    expect(timeline.soakedAt).toBe(ended(report, 'soak'));
    expect(timeline.endedAt).toBe(report.endedAt);
    expect(Date.parse(timeline.firstMitigationAt ?? '')).toBeGreaterThanOrEqual(Date.parse(ended(report, 'broken')));

    expect(report.timeToRecoverSpan).toEqual({ from: 'detectedAt', to: 'verifiedAt' });
    expect(report.timeToRecoverMs).toBe(Date.parse(timeline.verifiedAt ?? '') - Date.parse(detectedAt));
    // Detected two minutes ago against an RTO of one: recovered, but the RTO was missed.
    expect(report.rtoMet).toBe(false);
    expect(report.budget.elapsedMs).toBeGreaterThanOrEqual(120_000);
    expect(report.budget.remainingMs).toBe(0);
  });

  it('measures from the start when nothing says when the problem was detected, and meets the RTO', async () => {
    const handle = await start(soakRunbook('timeline-started', '1m'), { source: 'cli', by: 'alice' });
    const report = await handle.result();
    expect(report.outcome).toBe('recovered');
    expect(report.timeline.detectedAt).toBeUndefined();
    expect(report.timeToRecoverSpan).toEqual({ from: 'startedAt', to: 'verifiedAt' });
    expect(report.timeToRecoverMs).toBe(Date.parse(report.timeline.verifiedAt ?? '') - Date.parse(report.startedAt));
    expect(report.timeToRecoverMs).toBeLessThan(Date.parse(report.endedAt) - Date.parse(report.startedAt));
    expect(report.rtoMet).toBe(true);
  });

  it('runs time-to-recover to the end for a recovery that did not recover, with no verification on the timeline', async () => {
    bed.target.route('/down', () => ({ status: 503 }));
    const yaml = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: timeline-failed }
spec:
  rto: 1m
  steps:
    - id: fix
      action: { name: http.request, with: { url: "${bed.target.url}/fix" }, undo: { name: http.request, with: { url: "${bed.target.url}/unfix" } } }
    - id: healthy
      gate: { check: http.check, with: { url: "${bed.target.url}/down" }, expect: observation.status == 200, interval: 100ms, timeout: 500ms }
`;
    const handle = await start(yaml, { source: 'test' });
    const report = await handle.result();
    expect(report.outcome).toBe('rolled-back');
    expect(report.timeline.firstMitigationAt).toBe(ended(report, 'fix'));
    expect(report.timeline.verifiedAt).toBeUndefined();
    expect(report.timeline.soakedAt).toBeUndefined();
    expect(report.timeToRecoverSpan).toEqual({ from: 'startedAt', to: 'endedAt' });
    expect(report.timeToRecoverMs).toBe(Date.parse(report.endedAt) - Date.parse(report.startedAt));
    expect(report.rtoMet).toBe(false);
  });

  it('shows the timeline so far while the recovery runs', async () => {
    bed.target.route('/slow', () => ({ status: 503 }));
    const yaml = `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: timeline-running }
spec:
  timeout: 1m
  steps:
    - id: fix
      action: { name: noop }
    - id: healthy
      gate: { check: http.check, with: { url: "${bed.target.url}/slow" }, expect: observation.status == 200, interval: 100ms, timeout: 50s }
`;
    const handle = await start(yaml, { source: 'test' });
    await waitFor(async () => (await handle.query(stateQuery)).steps[1]?.status === 'running', 'the gate to run');
    const running = await handle.query(stateQuery);
    expect(running.timeline.firstMitigationAt).toBe(running.steps[0]?.endedAt);
    expect(running.timeline.verifiedAt).toBeUndefined();
    expect(running.timeline.endedAt).toBeUndefined();
    bed.target.route('/slow', () => ({ status: 200 }));
    const report = await handle.result();
    expect(report.timeline.verifiedAt).toBe(ended(report, 'healthy'));
  });
});
