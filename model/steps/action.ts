/** `action`: call a named side effect with templated args, a retry policy, a timeout and an undo. */
import { z } from 'zod';
import { actionInputSchemas, actionNames } from '../catalog';
import { durationSchema } from '../duration-schema';
import { templatedArgsSchema } from './common';

export const retrySchema = z.strictObject({
  maxAttempts: z.int().min(1).max(100).default(5),
  initialInterval: durationSchema.default('1s'),
  backoffCoefficient: z.number().min(1).max(10).default(2),
  maximumInterval: durationSchema.default('30s'),
});
export type RetrySpec = z.infer<typeof retrySchema>;

const actionName = z.string().refine((name) => name in actionInputSchemas, {
  error: (issue) => `unknown action "${String(issue.input)}"; known actions: ${actionNames.join(', ')}`,
});

export const actionCallSchema = z.strictObject({
  /** Name of a built-in action (see model/catalog.ts). */
  name: actionName,
  with: templatedArgsSchema.default({}),
  retry: retrySchema.optional(),
  /** Limit for one attempt (start-to-close). */
  timeout: durationSchema.default('1m'),
});
export type ActionCall = z.infer<typeof actionCallSchema>;

export const actionSpecSchema = actionCallSchema.extend({
  /** The compensation run when a later step fails. */
  undo: actionCallSchema.optional(),
});
export type ActionSpec = z.infer<typeof actionSpecSchema>;
