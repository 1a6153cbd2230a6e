/**
 * `run`: a child runbook, started as a child recovery with templated params. The runbook is named
 * here and resolved from the runbooks directory when the parent starts (client/child-runbooks.ts),
 * so the exact child travels with the parent's input.
 */
import { z } from 'zod';
import { templatedArgsSchema } from './common';

export const runSpecSchema = z.strictObject({
  /** The child's metadata.name (a name, not a path: it is resolved in the runbooks directory). */
  runbook: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'expected a runbook name: lower-case letters, digits and -' }),
  /** The child's params; values may be templates over this recovery's params and earlier outputs. */
  params: templatedArgsSchema.default({}),
});
export type RunSpec = z.infer<typeof runSpecSchema>;
