/**
 * `watch` (soak): after mitigation, keep polling a check for `duration`; a regression re-runs the
 * listed earlier steps once and soaks again, a second regression (or one with nothing to re-run)
 * escalates and leaves the recovery `degraded`.
 */
import { z } from 'zod';
import { durationSchema } from '../duration-schema';
import type { Step } from '.';
import { stepIdSchema } from './common';
import { gateSpecSchema } from './gate';

export const watchSpecSchema = gateSpecSchema
  .pick({ check: true, with: true, expect: true })
  .extend({
    interval: durationSchema.default('30s'),
    /** How long the expectation must keep holding. */
    duration: durationSchema,
    /** Ids of earlier steps of the same list, re-run once on a regression; none: a regression escalates. */
    rerun: z.array(stepIdSchema).default([]),
    /** Consecutive failed observations tolerated before they count as a regression. */
    toleratedFailures: z.int().min(0).max(100).default(0),
    /**
     * Polls before the soak's child workflow continues-as-new (default 200): keeps its history
     * small however long the soak. Rarely worth changing.
     */
    pollsPerRun: z.int().min(1).max(1000).optional(),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.rerun.forEach((id, index) => {
      if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['rerun', index], message: `"${id}" is listed twice` });
      seen.add(id);
    });
  });
export type WatchSpec = z.infer<typeof watchSpecSchema>;

/** One `watch.rerun` entry that does not name an earlier step of the watch's own list. */
export interface RerunReferenceProblem {
  /** Path of the entry from the list's start, e.g. `[3, 'watch', 'rerun', 0]`. */
  path: (string | number)[];
  message: string;
}

/** Checks every `watch.rerun` of `steps` (and of nested step lists): each must name an earlier step of its list. */
export function rerunReferenceProblems(steps: readonly Step[]): RerunReferenceProblem[] {
  const problems: RerunReferenceProblem[] = [];
  steps.forEach((step, index) => {
    if ('foreach' in step) {
      for (const problem of rerunReferenceProblems(step.foreach.steps)) problems.push({ ...problem, path: [index, 'foreach', 'steps', ...problem.path] });
    }
    if (!('watch' in step)) return;
    const earlier = steps.slice(0, index).map((candidate) => candidate.id);
    step.watch.rerun.forEach((id, entry) => {
      if (earlier.includes(id)) return;
      const why = id === step.id ? 'a watch cannot re-run itself' : steps.some((candidate) => candidate.id === id) ? `step "${id}" comes after the watch` : `no step "${id}" in the same list`;
      problems.push({ path: [index, 'watch', 'rerun', entry], message: `cannot re-run "${id}": ${why}; rerun names earlier steps (${earlier.join(', ') || 'none'})` });
    });
  });
  return problems;
}
