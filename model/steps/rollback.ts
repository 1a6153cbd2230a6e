/**
 * `rollback`: move a service's targets back to a known-good state in waves, with a drift check
 * before each wave and verification after it.
 */
import { z } from 'zod';
import { durationSchema } from '../duration-schema';
import { countOrPercentSchema, deploymentSchema, verifyGateSchema } from './targets';

export const rollbackSpecSchema = z.strictObject({
  service: z.string().min(1),
  /** Only the targets on these sites (default: all). */
  sites: z.array(z.string().min(1)).optional(),
  /** Only these targets (default: all of the service's). */
  targets: z.array(z.string().min(1)).optional(),
  /** The state to return to; default: each target's state recorded before the last change. */
  to: deploymentSchema.optional(),
  /** Cumulative wave sizes, e.g. [1, "25%", "100%"]; the last wave always includes every target. */
  waves: z.array(countOrPercentSchema).min(1).default([1, '100%']),
  /** How many targets of a wave change at once. */
  maxUnavailable: countOrPercentSchema.default(1),
  /** Drift (observed ≠ recorded) halts the rollback unless `proceed`. */
  onDrift: z.enum(['halt', 'proceed']).default('halt'),
  /** How long targets of a wave may take to converge and turn healthy. */
  convergeTimeout: durationSchema.default('1m'),
  verify: verifyGateSchema.optional(),
});
export type RollbackSpec = z.infer<typeof rollbackSpecSchema>;
