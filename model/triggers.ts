/** Runbook triggers: which alerts start (or join) a recovery of the runbook, and the params they give it. */
import { RE2JS } from 're2js';
import { z } from 'zod';
import { expressionSyntaxError } from './expressions';

export const alertSources = ['alertmanager', 'grafana', 'generic'] as const;
export type AlertSource = (typeof alertSources)[number];

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a label name: letters, digits, _' });
const paramName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a param name usable in CEL: letters, digits, _' });

// RE2 syntax, as Alertmanager's (Go) matchers: what JavaScript's RegExp would take beyond it
// (lookaround, backreferences) is refused here rather than matched differently.
const labelRegex = z.string().superRefine((pattern, ctx) => {
  try {
    RE2JS.compile(`^(?:${pattern})$`);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression (RE2 syntax, as Alertmanager's): ${(error as Error).message}` });
  }
});

const celExpression = z.string().superRefine((expression, ctx) => {
  const problem = expressionSyntaxError(expression);
  if (problem) ctx.addIssue({ code: 'custom', message: `invalid CEL expression: ${problem}` });
});

export const triggerSchema = z
  .strictObject({
  source: z.enum(alertSources, { error: `expected a source: ${alertSources.join(', ')}` }),
  /** Label equality matchers; a missing label matches "" (as in Alertmanager). */
  match: z.record(labelName, z.string()).default({}),
  /** Label regex matchers: RE2 syntax, anchored at both ends (as in Alertmanager). */
  matchRe: z.record(labelName, labelRegex).default({}),
  /** Runbook params as CEL over the alert: labels, annotations, startsAt, fingerprint, status (generic: `body`). */
  params: z.record(paramName, celExpression).default({}),
  // Generic triggers only: CEL over `body` (the posted JSON) and `receivedAt`, since a generic
  // payload has no labels and no alert identity of its own.
  /** Whether the body is for this runbook (a boolean); default: every body. */
  when: celExpression.optional(),
  /** The alert's identity (re-sends with the same one are the same notification); default: SHA-256 of the raw body. */
  fingerprint: celExpression.optional(),
  /** `'firing'` or `'resolved'`; default `'firing'`. */
  status: celExpression.optional(),
  /** When the problem started, an RFC 3339 string; default: when the request arrived. */
  startsAt: celExpression.optional(),
})
  .superRefine((trigger, ctx) => {
    const generic = trigger.source === 'generic';
    const wrong = generic ? (['match', 'matchRe'] as const).filter((field) => Object.keys(trigger[field]).length > 0) : (['when', 'fingerprint', 'status', 'startsAt'] as const).filter((field) => trigger[field] !== undefined);
    for (const field of wrong) {
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: generic ? `generic payloads have no labels: select bodies with when: (CEL over body)` : `${field} is for source: generic only (${trigger.source} alerts carry their own)`,
      });
    }
  });
export type Trigger = z.infer<typeof triggerSchema>;

export const triggersSchema = z.array(triggerSchema).min(1, { error: 'omit triggers rather than leaving the list empty' });
