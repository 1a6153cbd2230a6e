/** Runbook triggers: which alerts start (or join) a recovery of the runbook, and the params they give it. */
import { z } from 'zod';
import { expressionSyntaxError } from './expressions';

export const alertSources = ['alertmanager', 'grafana', 'generic'] as const;
export type AlertSource = (typeof alertSources)[number];

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a label name: letters, digits, _' });
const paramName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a param name usable in CEL: letters, digits, _' });

const labelRegex = z.string().superRefine((pattern, ctx) => {
  try {
    new RegExp(pattern);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
  }
});

const celExpression = z.string().superRefine((expression, ctx) => {
  const problem = expressionSyntaxError(expression);
  if (problem) ctx.addIssue({ code: 'custom', message: `invalid CEL expression: ${problem}` });
});

export const triggerSchema = z.strictObject({
  source: z.enum(alertSources, { error: `expected a source: ${alertSources.join(', ')}` }),
  /** Label equality matchers; a missing label matches "" (as in Alertmanager). */
  match: z.record(labelName, z.string()).default({}),
  /** Label regex matchers, anchored at both ends (as in Alertmanager). */
  matchRe: z.record(labelName, labelRegex).default({}),
  /** Runbook params as CEL over the alert: labels, annotations, startsAt, fingerprint, status. */
  params: z.record(paramName, celExpression).default({}),
});
export type Trigger = z.infer<typeof triggerSchema>;

export const triggersSchema = z.array(triggerSchema).min(1, { error: 'omit triggers rather than leaving the list empty' });
