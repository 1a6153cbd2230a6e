/** `gate`: poll a read-only check until `expect` holds `consecutive` times in a row, within `timeout`. */
import { z } from 'zod';
import { checkInputSchemas, checkNames } from '../catalog';
import { durationSchema } from '../duration-schema';
import { celExpressionSchema, templatedArgsSchema } from './common';

const checkName = z.string().refine((name) => name in checkInputSchemas, {
  error: (issue) => `unknown check "${String(issue.input)}"; known checks: ${checkNames.join(', ')}`,
});

export const gateSpecSchema = z.strictObject({
  check: checkName,
  with: templatedArgsSchema.default({}),
  /** CEL over `observation` (the check's result), `params` and `steps`; must be a boolean. */
  expect: celExpressionSchema,
  consecutive: z.int().min(1).max(1000).default(1),
  interval: durationSchema.default('5s'),
  timeout: durationSchema.default('5m'),
});
export type GateSpec = z.infer<typeof gateSpecSchema>;
