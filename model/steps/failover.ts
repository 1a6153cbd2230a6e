/**
 * `failover`: move a service's traffic from a failing site to a destination that can take it
 * and shares no failure domain with it; verify after each shift, shift back on failure.
 */
import { z } from 'zod';
import { verifyGateSchema } from './targets';

export const failoverSpecSchema = z
  .strictObject({
    service: z.string().min(1),
    from: z.string().min(1),
    /** The destination; or `candidates`, tried in order, the first that passes preflight wins. */
    to: z.string().min(1).optional(),
    candidates: z.array(z.string().min(1)).min(1).optional(),
    /** Percent of the source's traffic moved at each shift, ascending, ending at 100. */
    shifts: z.array(z.int().min(1).max(100)).min(1).default([10, 50, 100]),
    /** Healthy serving capacity (rps) that must remain at every shift; default: the service's load. */
    minHealthyCapacity: z.number().positive().optional(),
    verify: verifyGateSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    if ((spec.to === undefined) === (spec.candidates === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'give exactly one of to or candidates' });
    }
    if (spec.shifts.some((shift, index) => index > 0 && shift <= (spec.shifts[index - 1] ?? 0)) || spec.shifts.at(-1) !== 100) {
      ctx.addIssue({ code: 'custom', path: ['shifts'], message: 'shifts must ascend and end at 100' });
    }
  });
export type FailoverSpec = z.infer<typeof failoverSpecSchema>;
