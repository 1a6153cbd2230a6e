/**
 * `approval`: wait until a quorum of the named approvers approves (one reject fails the step),
 * within `timeout`; answered with the `approve` and `reject` updates (see workflows/approvals.ts).
 */
import { z } from 'zod';
import { durationSchema } from '../duration-schema';
import { expressionSyntaxError, templateExpressions } from '../expressions';

export const approvalTimeoutBehaviours = ['reject', 'approve', 'escalate'] as const;
export type ApprovalTimeoutBehaviour = (typeof approvalTimeoutBehaviours)[number];

export const approvalSpecSchema = z
  .strictObject({
    /** Identities allowed to answer; an answer names its identity. */
    approvers: z.array(z.string().min(1, { error: 'expected an approver identity' })).min(1, { error: 'an approval needs at least one approver' }),
    /** Approvals needed; a single reject fails the step whatever the quorum. */
    quorum: z.int().min(1).default(1),
    timeout: durationSchema.default('1h'),
    /** `escalate` fails the step and records an escalation finding. */
    onTimeout: z.enum(approvalTimeoutBehaviours, { error: `expected one of ${approvalTimeoutBehaviours.join(', ')}` }).default('reject'),
    /** Four-eyes by default: whoever started the recovery (`trigger.by`) may not approve it. */
    allowSelfApproval: z.boolean().default(false),
    /** A template shown to approvers, e.g. `Fail over {{ params.service }}?`. */
    message: z.string().min(1).optional(),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.approvers.forEach((approver, index) => {
      if (seen.has(approver)) ctx.addIssue({ code: 'custom', path: ['approvers', index], message: `duplicate approver "${approver}"` });
      seen.add(approver);
    });
    if (seen.size > 0 && spec.quorum > seen.size) {
      ctx.addIssue({ code: 'custom', path: ['quorum'], message: `quorum ${spec.quorum} cannot be met by ${seen.size} approver(s)` });
    }
    for (const expression of templateExpressions(spec.message ?? '')) {
      const reason = expressionSyntaxError(expression);
      if (reason) ctx.addIssue({ code: 'custom', path: ['message'], message: `invalid template {{ ${expression} }}: ${reason}` });
    }
  });
export type ApprovalSpec = z.infer<typeof approvalSpecSchema>;
