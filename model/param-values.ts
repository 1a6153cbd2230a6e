/**
 * Param values: type checks, command-line coercion and resolution against declarations. Pure and
 * zod-free, so the workflow bundle can use it (child runbooks' params are resolved in the workflow).
 */
import type { ParamSpec, ParamType } from './params';

export type ParamValue = string | number | boolean;

export function matchesType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

/** Thrown when the params given for a recovery do not fit the runbook's declarations. */
export class ParamsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ParamsError';
  }
}

/** Turns a command-line string into a value of the declared type (`--param replicas=3`). */
export function coerceParam(text: string, type: ParamType): ParamValue | undefined {
  switch (type) {
    case 'string':
      return text;
    case 'number': {
      const value = Number(text);
      return text.trim() !== '' && Number.isFinite(value) ? value : undefined;
    }
    case 'integer': {
      const value = Number(text);
      return /^-?\d+$/.test(text.trim()) && Number.isSafeInteger(value) ? value : undefined;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
  }
}

/**
 * Checks given values against the declarations, applies defaults and returns the complete set.
 * Strings are coerced to the declared type (they come from the CLI or alert labels).
 * Throws ParamsError listing every problem: unknown, missing or mistyped params.
 */
export function resolveParams(
  declared: Record<string, ParamSpec>,
  given: Record<string, unknown>,
): Record<string, ParamValue> {
  const problems: string[] = [];
  const resolved: Record<string, ParamValue> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) problems.push(`unknown param "${name}"; declared: ${Object.keys(declared).join(', ') || 'none'}`);
  }
  for (const [name, spec] of Object.entries(declared)) {
    const raw = Object.hasOwn(given, name) ? given[name] : undefined;
    if (raw === undefined) {
      if (spec.default !== undefined) resolved[name] = spec.default;
      else if (spec.required) problems.push(`missing required param "${name}" (${spec.type})`);
      continue;
    }
    const value = typeof raw === 'string' && spec.type !== 'string' ? coerceParam(raw, spec.type) : raw;
    if (value === undefined || !matchesType(value, spec.type)) {
      problems.push(`param "${name}" must be of type ${spec.type}, got ${JSON.stringify(raw)}`);
      continue;
    }
    resolved[name] = value as ParamValue;
  }
  if (problems.length > 0) throw new ParamsError(problems);
  return resolved;
}
