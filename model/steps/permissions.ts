/**
 * `permissions`: re-sync a service's access grants to the desired policy and verify them;
 * break-glass grants are always revoked when the recovery ends, whatever its outcome.
 */
import { z } from 'zod';

const grantSchema = z.strictObject({ principal: z.string().min(1), role: z.string().min(1) });

export const permissionsSpecSchema = z.strictObject({
  service: z.string().min(1),
  /** The grants the service must have, exactly (break-glass grants aside). */
  desired: z.array(grantSchema),
  /** Emergency grants to open now, for the responders; revoked at the end of the recovery. */
  breakGlass: z.array(grantSchema).default([]),
  /** Revoke every break-glass grant found on the service when the recovery ends (default true). */
  revokeBreakGlass: z.boolean().default(true),
});
export type PermissionsSpec = z.infer<typeof permissionsSpecSchema>;
