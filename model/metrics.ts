/**
 * Rebound's own Prometheus metrics: names, labels and histogram buckets. Workflow code emits them
 * through the SDK's workflow metric meter (workflows/metrics.ts); the worker's SDK runtime serves
 * them with the SDK's metrics on REBOUND_METRICS_PORT (runtime/telemetry.ts). Counters get the
 * `_total` suffix on the endpoint.
 */
export const reboundMetrics = {
  /** Counter {runbook, trigger}: recoveries that started (a child recovery of a `run` step too). */
  recoveriesStarted: 'rebound_recoveries_started',
  /** Counter {runbook, outcome, rto_met}: recoveries that ended; rto_met is true, false or none (no RTO). */
  recoveriesFinished: 'rebound_recoveries_finished',
  /** Histogram {runbook, outcome}: seconds from start to the end of the recovery. */
  timeToRecover: 'rebound_time_to_recover_seconds',
  /** Counter {runbook, phase}: phase changes (outcomes are phases too). */
  phaseTransitions: 'rebound_phase_transitions',
  /**
   * Gauge {runbook}: Unix time of the latest start or phase change of any recovery of the runbook
   * on this worker; `max by (runbook)` over workers says when its recoveries last made progress.
   */
  lastPhaseChange: 'rebound_last_phase_change_timestamp_seconds',
  /** Histogram {step_kind, status}: seconds a step took (steps nested in foreach and watch included). */
  stepDuration: 'rebound_step_duration_seconds',
  /** Counter {step_kind}: activity attempts or polls of steps that succeeded. */
  stepAttempts: 'rebound_step_attempts',
  /** Counter {runbook, status}: undos run during compensation, by whether they succeeded or failed. */
  compensations: 'rebound_compensations',
  /** Counter {runbook, kind}: findings (drift, partial recovery, permission desync, capacity shortfall, ...). */
  findings: 'rebound_findings',
} as const;

/** Bucket boundaries (seconds): recoveries take minutes to hours, steps seconds to minutes. */
export const reboundHistogramBuckets: Record<string, number[]> = {
  [reboundMetrics.timeToRecover]: [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400],
  [reboundMetrics.stepDuration]: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600],
};
