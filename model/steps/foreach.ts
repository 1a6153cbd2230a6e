/**
 * `foreach`: run nested steps once per item (a list, a template giving a list, or a service's
 * targets from the deployments driver), `maxConcurrency` at a time; more than `maxFailures`
 * failed items stops launching new ones (the blast radius of a recovery is bounded).
 */
import { z } from 'zod';
import { stepSchema, type Step } from '.';
import { countOrPercentSchema } from './targets';

export const foreachSpecSchema = z
  .strictObject({
    /** The items: a list, or a template that renders to one (e.g. "{{ steps.find.output.hosts }}"). */
    items: z.union([z.array(z.union([z.string(), z.number()])).min(1), z.string().min(1)]).optional(),
    /** Or: every target (replica) of a service, as the deployments driver observes them. */
    targets: z.strictObject({ service: z.string().min(1), sites: z.array(z.string().min(1)).optional() }).optional(),
    /** The name of the item in the nested steps' expressions. */
    as: z
      .string()
      .regex(/^[a-z][A-Za-z0-9_]*$/, { error: 'expected an identifier usable in CEL, e.g. item' })
      .refine((name) => !['params', 'key', 'steps', 'observation'].includes(name), { error: 'this name is taken by the expression context' })
      .default('item'),
    maxConcurrency: z.int().min(1).max(1000).default(1),
    /** Failed items tolerated (count or share); one more stops the launching of new items. */
    maxFailures: z.union([z.int().min(0), countOrPercentSchema]).default(0),
    get steps(): z.ZodType<Step[]> {
      return z.array(stepSchema).min(1, { error: 'foreach needs at least one nested step' }) as unknown as z.ZodType<Step[]>;
    },
  })
  .superRefine((spec, ctx) => {
    if ((spec.items === undefined) === (spec.targets === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['items'], message: 'give exactly one of items or targets' });
    }
  });
export type ForeachSpec = z.infer<typeof foreachSpecSchema>;
