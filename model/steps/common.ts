/** Schema pieces shared by every step kind. */
import { z } from 'zod';
import { collectTemplateExpressions, expressionSyntaxError } from '../expressions';

export const stepIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, { error: 'expected a step id: lower-case letters, digits, - and _, starting with a letter' });

/** A CEL expression, checked for syntax when the runbook is loaded. */
export const celExpressionSchema = z.string().superRefine((expression, ctx) => {
  const reason = expressionSyntaxError(expression);
  if (reason) ctx.addIssue({ code: 'custom', message: `invalid CEL expression: ${reason}` });
});

/** Arguments of an action or check: any JSON, whose `{{ }}` templates must parse. */
export const templatedArgsSchema = z.record(z.string(), z.unknown()).superRefine((args, ctx) => {
  for (const { path, expression } of collectTemplateExpressions(args)) {
    const reason = expressionSyntaxError(expression);
    if (reason) ctx.addIssue({ code: 'custom', path, message: `invalid template {{ ${expression} }}: ${reason}` });
  }
});

/** Fields every step has, whatever its kind. */
export const stepBaseShape = {
  id: stepIdSchema,
  /** A human summary; shown in status and as the activity summary in the Temporal UI. */
  name: z.string().min(1).optional(),
  /** CEL condition over params and earlier outputs; a false condition skips the step. */
  when: celExpressionSchema.optional(),
};
