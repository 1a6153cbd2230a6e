/** The runbook document: the single source of truth for its type is this schema. */
import { z } from 'zod';
import { durationSchema } from './duration-schema';
import { collectTemplateExpressions, templateExpressions } from './expressions';
import { paramSpecSchema } from './params';
import { inCallArguments, secretUseProblem } from './secret-references';
import { stepSchema, type Step } from './steps';
import { rerunReferenceProblems } from './steps/watch';
import { triggersSchema } from './triggers';

const runbookName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: 'expected a name: lower-case letters, digits and -, at most 63 characters' });

const specSchema = z.strictObject({
  description: z.string().optional(),
  params: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected a param name usable in CEL: letters, digits, _' }), paramSpecSchema).default({}),
  /** Template for the recovery key (e.g. the service); one recovery per runbook + key at a time. */
  key: z.string().min(1).optional(),
  /** Recovery time objective: the report says whether time-to-recover stayed within it. */
  rto: durationSchema.optional(),
  /** Hard limit for the whole recovery; on expiry the running step is cancelled and undone. */
  timeout: durationSchema.default('1h'),
  /**
   * What a failed step does: `compensate` (the default) undoes the completed steps at once; `hold`
   * keeps the recovery waiting for an operator, who retries the step, skips it or aborts.
   */
  onFailure: z.enum(['compensate', 'hold']).optional(),
  steps: z.array(stepSchema).min(1, { error: 'a runbook needs at least one step' }),
  /** Alerts that start (or join) a recovery, and after one ended, how long before an alert may start another. */
  triggers: triggersSchema.optional(),
  cooldown: durationSchema.optional(),
});

const paramReference = /\bparams\.([A-Za-z_][A-Za-z0-9_]*)/g;

type LocatedExpression = { path: (string | number)[]; expression: string };

/** A step's own conditions (`when`, a gate's or watch's `expect`), with their paths. */
function conditionsOf(step: Step): LocatedExpression[] {
  const found: LocatedExpression[] = [];
  if (step.when) found.push({ path: ['when'], expression: step.when });
  if ('gate' in step) found.push({ path: ['gate', 'expect'], expression: step.gate.expect });
  if ('watch' in step) found.push({ path: ['watch', 'expect'], expression: step.watch.expect });
  return found;
}

/** Every CEL expression of a step, with the path where it stands (relative to the step). */
function stepExpressions(step: Step): LocatedExpression[] {
  return [...collectTemplateExpressions(step, []), ...conditionsOf(step)];
}

/** The conditions of the steps nested in a step's `foreach`, at any depth (their templates are in stepExpressions already). */
function nestedConditions(step: Step): LocatedExpression[] {
  if (!('foreach' in step)) return [];
  return step.foreach.steps.flatMap((nested, index) =>
    [...conditionsOf(nested), ...nestedConditions(nested)].map(({ path, expression }) => ({ path: ['foreach', 'steps', index, ...path], expression })),
  );
}

export const runbookSchema = z
  .strictObject({
    apiVersion: z.literal('rebound/v1', { error: 'expected apiVersion: rebound/v1' }),
    kind: z.literal('Runbook', { error: 'expected kind: Runbook' }),
    metadata: z.strictObject({
      name: runbookName,
      description: z.string().optional(),
      labels: z.record(z.string(), z.string()).optional(),
    }),
    spec: specSchema,
  })
  .superRefine((runbook, ctx) => {
    const { params, steps } = runbook.spec;
    const seen = new Set<string>();
    steps.forEach((step, index) => {
      if (seen.has(step.id)) ctx.addIssue({ code: 'custom', path: ['spec', 'steps', index, 'id'], message: `duplicate step id "${step.id}"` });
      seen.add(step.id);
      for (const { path, expression } of [...stepExpressions(step), ...nestedConditions(step)]) {
        const secretProblem = secretUseProblem(expression, inCallArguments(path));
        if (secretProblem) ctx.addIssue({ code: 'custom', path: ['spec', 'steps', index, ...path], message: secretProblem });
      }
      for (const { path, expression } of stepExpressions(step)) {
        for (const match of expression.matchAll(paramReference)) {
          const name = match[1] ?? '';
          if (!Object.hasOwn(params, name)) {
            ctx.addIssue({ code: 'custom', path: ['spec', 'steps', index, ...path], message: `undeclared param "${name}" in ${expression}; declare it under spec.params` });
          }
        }
      }
    });
    for (const problem of rerunReferenceProblems(steps)) {
      ctx.addIssue({ code: 'custom', path: ['spec', 'steps', ...problem.path], message: problem.message });
    }
    for (const expression of templateExpressions(runbook.spec.key ?? '')) {
      const secretProblem = secretUseProblem(expression, false);
      if (secretProblem) ctx.addIssue({ code: 'custom', path: ['spec', 'key'], message: secretProblem });
      for (const match of expression.matchAll(paramReference)) {
        if (!Object.hasOwn(params, match[1] ?? '')) {
          ctx.addIssue({ code: 'custom', path: ['spec', 'key'], message: `undeclared param "${match[1]}" in the key template` });
        }
      }
    }
  });

export type Runbook = z.infer<typeof runbookSchema>;
export type RunbookInput = z.input<typeof runbookSchema>;
