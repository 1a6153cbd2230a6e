/** Schema pieces shared by the step kinds that act on a driver's targets. */
import { z } from 'zod';

/** A count (`3`) or a share of the targets (`"25%"`). */
export const countOrPercentSchema = z.union([
  z.int().min(1),
  z.string().regex(/^(100|[1-9]\d?)%$/, { error: 'expected a count like 3 or a percentage like "25%"' }),
]);
export type CountOrPercent = z.infer<typeof countOrPercentSchema>;

export const deploymentSchema = z.strictObject({
  version: z.string().min(1),
  config: z.record(z.string(), z.string()).default({}),
});

/** An optional extra verification after each wave or shift: a gate (see gate.ts). */
export { gateSpecSchema as verifyGateSchema } from './gate';
