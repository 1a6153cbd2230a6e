/** Runbook parameters: declared types, defaults and required flags, resolved before a recovery starts. */
import { z } from 'zod';
import { matchesType } from './param-values';

export const paramTypes = ['string', 'number', 'integer', 'boolean'] as const;
export type ParamType = (typeof paramTypes)[number];

export const paramSpecSchema = z
  .strictObject({
    type: z.enum(paramTypes).default('string'),
    description: z.string().optional(),
    required: z.boolean().default(false),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.default !== undefined && !matchesType(spec.default, spec.type)) {
      ctx.addIssue({ code: 'custom', path: ['default'], message: `default ${JSON.stringify(spec.default)} is not of type ${spec.type}` });
    }
  });
export type ParamSpec = z.infer<typeof paramSpecSchema>;

export { coerceParam, ParamsError, resolveParams, type ParamValue } from './param-values';
