/**
 * The step kinds of the runbook language. A step is a mapping with `id`, optional `name` and
 * `when`, and exactly one kind key (`action:`, `gate:`, `wait:`). A new kind is one new module
 * here plus its executor in workflows/steps/, registered in both index files.
 */
import { z } from 'zod';
import { actionSpecSchema } from './action';
import { approvalSpecSchema } from './approval';
import { stepBaseShape } from './common';
import { failoverSpecSchema } from './failover';
import { foreachSpecSchema } from './foreach';
import { gateSpecSchema } from './gate';
import { isStepKind, stepKinds, type StepKind } from './kinds';
import { permissionsSpecSchema } from './permissions';
import { rollbackSpecSchema } from './rollback';
import { runSpecSchema } from './run';
import { waitSpecSchema } from './wait';
import { watchSpecSchema } from './watch';

export const stepKindSchemas = {
  action: actionSpecSchema,
  gate: gateSpecSchema,
  wait: waitSpecSchema,
  approval: approvalSpecSchema,
  rollback: rollbackSpecSchema,
  failover: failoverSpecSchema,
  permissions: permissionsSpecSchema,
  foreach: foreachSpecSchema,
  watch: watchSpecSchema,
  run: runSpecSchema,
} as const satisfies Record<StepKind, z.ZodType>;

export { isStepKind, stepKind, stepKinds, type StepKind } from './kinds';

const base = z.strictObject(stepBaseShape);
type StepBase = z.infer<typeof base>;

/** A validated step of one kind: `{ id, name?, when?, [kind]: spec }`. */
export type StepOf<K extends StepKind> = StepBase & { [P in K]: z.infer<(typeof stepKindSchemas)[P]> };
export type Step = { [K in StepKind]: StepOf<K> }[StepKind];

const variantSchemas = Object.fromEntries(
  stepKinds.map((kind) => [kind, base.extend({ [kind]: stepKindSchemas[kind] })]),
) as unknown as Record<StepKind, z.ZodType>;

/** Dispatches on the kind key so errors speak of the step's own kind, not of every kind at once. */
export const stepSchema = z.unknown().transform((raw, ctx): Step => {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    ctx.addIssue({ code: 'custom', message: `expected a step: a mapping with id and one of ${stepKinds.join(', ')}` });
    return z.NEVER;
  }
  const keys = Object.keys(raw);
  const kinds = keys.filter(isStepKind);
  const strangers = keys.filter((name) => !isStepKind(name) && !Object.hasOwn(stepBaseShape, name));
  for (const name of strangers) {
    ctx.addIssue({ code: 'unrecognized_keys', keys: [name], message: `unknown step kind or field; step kinds: ${stepKinds.join(', ')}` });
  }
  if (kinds.length === 0 && strangers.length === 0) {
    ctx.addIssue({ code: 'custom', message: `a step needs one kind: ${stepKinds.join(', ')}` });
  }
  if (kinds.length > 1) {
    ctx.addIssue({ code: 'custom', path: [kinds[1] ?? ''], message: `a step has exactly one kind; found ${kinds.join(' and ')}` });
  }
  const kind = kinds[0];
  if (kinds.length !== 1 || strangers.length > 0 || !kind) return z.NEVER;
  const result = variantSchemas[kind].safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  return result.data as Step;
});
