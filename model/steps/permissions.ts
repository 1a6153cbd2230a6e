/**
 * `permissions`: re-sync a service's access grants to the desired policy and verify them;
 * break-glass grants are always revoked when the recovery ends, whatever its outcome. The policy
 * is inline (`desired`) or an access-policy file (`policyFile`, relative to the runbooks
 * directory), whose grants are filled into `desired` when the recovery is prepared (pinned).
 */
import { z } from 'zod';

export const grantSchema = z.strictObject({ principal: z.string().min(1), role: z.string().min(1) });

/** A path inside the runbooks directory: relative, no `..`, a YAML file, no template (it is read before the recovery runs). */
const policyFileSchema = z
  .string()
  .regex(/^(?!\/)(?!(.*\/)?\.\.(\/|$))[^{}]+\.ya?ml$/, { error: 'expected a YAML file inside the runbooks directory, e.g. policies/payments.yaml (relative, no "..", no template)' });

export const permissionsSpecSchema = z
  .strictObject({
    service: z.string().min(1),
    /** The grants the service must have, exactly (break-glass grants aside). */
    desired: z.array(grantSchema).optional(),
    /** An access-policy file with the desired grants, instead of `desired`. */
    policyFile: policyFileSchema.optional(),
    /** Emergency grants to open now, for the responders; revoked at the end of the recovery. */
    breakGlass: z.array(grantSchema).default([]),
    /** Revoke every break-glass grant found on the service when the recovery ends (default true). */
    revokeBreakGlass: z.boolean().default(true),
  })
  .superRefine((spec, ctx) => {
    if (spec.desired === undefined && spec.policyFile === undefined) ctx.addIssue({ code: 'custom', path: ['desired'], message: 'missing the desired policy: give desired grants or a policyFile' });
    if (spec.desired !== undefined && spec.policyFile !== undefined) ctx.addIssue({ code: 'custom', path: ['policyFile'], message: 'give desired grants or a policyFile, not both' });
  });
export type PermissionsSpec = z.infer<typeof permissionsSpecSchema>;

/** The desired grants of a step (client side); with a `policyFile`, those filled in when the recovery was prepared. */
export function desiredGrants(spec: PermissionsSpec): z.infer<typeof grantSchema>[] {
  if (spec.desired !== undefined) return spec.desired;
  throw new Error(`policy file ${spec.policyFile ?? '(none)'} of ${spec.service} was not read when the recovery was prepared`);
}

/** An access-policy file (`kind: AccessPolicy`): the grants `permissions` steps with `policyFile` re-sync to. */
export const accessPolicySchema = z.strictObject({
  apiVersion: z.literal('rebound/v1'),
  kind: z.literal('AccessPolicy'),
  metadata: z.strictObject({ name: z.string().min(1), description: z.string().optional() }),
  spec: z.strictObject({ grants: z.array(grantSchema) }),
});
export type AccessPolicy = z.infer<typeof accessPolicySchema>;
