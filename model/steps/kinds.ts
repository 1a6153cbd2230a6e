/** The names of the step kinds, and which one a step is. Pure and zod-free: workflows use it. */
import type { Step } from '.';

export const stepKinds = ['action', 'gate', 'wait', 'approval', 'rollback', 'failover', 'permissions', 'foreach', 'watch', 'run'] as const;
export type StepKind = (typeof stepKinds)[number];

export function isStepKind(name: string): name is StepKind {
  return (stepKinds as readonly string[]).includes(name);
}

/** The kind key of a validated step. */
export function stepKind(step: Step): StepKind {
  const kind = Object.keys(step).find(isStepKind);
  if (!kind) throw new TypeError(`step "${step.id}" has no kind`);
  return kind;
}
