/**
 * Templates (`{{ params.service }}`) and conditions (`when:`, `expect:`) are CEL expressions,
 * evaluated by a maintained, sandboxed CEL library. Pure and deterministic: used inside workflows.
 */
import { checkResultSize, compileExpression, ExpressionLimitError, expressionLimits } from './expression-limits';

/** Thrown when an expression does not parse or cannot be evaluated over its context. */
export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`expression "${expression}": ${reason}`);
    this.name = 'ExpressionError';
  }
}

/** Longest expression accepted: keeps evaluation cheap and error messages readable. */
export const maxExpressionLength = expressionLimits.length;

const templatePattern = /\{\{(.*?)\}\}/gs;
const wholeTemplatePattern = /^\{\{(.*?)\}\}$/s;

/** Sets an own property, also for keys like `__proto__` that plain assignment would misread. */
function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

/** Checks that an expression parses; returns the reason when it does not. */
export function expressionSyntaxError(expression: string): string | undefined {
  if (expression.trim() === '') return 'empty expression';
  try {
    compileExpression(expression);
    return undefined;
  } catch (error) {
    return firstLine(error instanceof Error ? error.message : String(error));
  }
}

/** A template string cut into its literal text and its expressions, in order. */
export function templatePieces(text: string): ({ text: string } | { expression: string })[] {
  const pieces: ({ text: string } | { expression: string })[] = [];
  let from = 0;
  for (const match of text.matchAll(templatePattern)) {
    if (match.index > from) pieces.push({ text: text.slice(from, match.index) });
    pieces.push({ expression: (match[1] ?? '').trim() });
    from = match.index + match[0].length;
  }
  if (from < text.length) pieces.push({ text: text.slice(from) });
  return pieces;
}

/** The expressions inside a template string (`"{{ a }}-{{ b }}"` → `["a", "b"]`). */
export function templateExpressions(text: string): string[] {
  return [...text.matchAll(templatePattern)].map((match) => (match[1] ?? '').trim());
}

/**
 * CEL integers are bigint; JSON numbers that are whole become CEL ints so `count * 2` works.
 * Objects become Maps: the CEL library reads a plain object's `constructor` to type it, so data
 * with a `constructor` (or `__proto__`) key must never reach it as an object.
 */
function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') return new Map(Object.entries(value).map(([name, inner]) => [name, toCel(inner)]));
  return value;
}

/**
 * Results go back into JSON (workflow history, HTTP bodies): ints become numbers; values JSON
 * cannot hold (timestamps, durations, bytes, types, NaN, infinities) are refused, not mangled.
 */
function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  // A CEL uint is an object around a bigint.
  if (value !== null && typeof value === 'object' && typeof value.valueOf() === 'bigint') return Number(value.valueOf());
  if (typeof value === 'number' && !Number.isFinite(value)) throw new ExpressionLimitError(`the result ${value} is not a finite number`);
  if (Array.isArray(value)) return value.map(fromCel);
  if (value instanceof Map) {
    const converted: Record<string, unknown> = {};
    for (const [name, inner] of value) setOwn(converted, String(name), fromCel(inner));
    return converted;
  }
  if (value !== null && typeof value === 'object') {
    if (Object.getPrototypeOf(value) !== Object.prototype) {
      const kind = value instanceof Date ? 'timestamp' : value instanceof Uint8Array ? 'bytes' : (value.constructor?.name ?? 'object').toLowerCase();
      throw new ExpressionLimitError(`the result is a ${kind}, which JSON cannot hold; convert it, e.g. with string()`);
    }
    const converted: Record<string, unknown> = {};
    for (const [name, inner] of Object.entries(value)) setOwn(converted, name, fromCel(inner));
    return converted;
  }
  return value;
}

export type ExpressionContext = Record<string, unknown>;

/** Evaluates one CEL expression over a context of JSON values. */
export function evaluateExpression(expression: string, context: ExpressionContext): unknown {
  if (expression.trim() === '') throw new ExpressionError(expression, 'empty expression');
  try {
    const variables: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(context)) setOwn(variables, name, toCel(value));
    const result = compileExpression(expression)(variables);
    checkResultSize(result);
    return fromCel(result);
  } catch (error) {
    throw new ExpressionError(expression, firstLine(error instanceof Error ? error.message : String(error)));
  }
}

/** Evaluates a condition; anything but a boolean is an error (no truthiness surprises). */
export function evaluateCondition(expression: string, context: ExpressionContext): boolean {
  const result = evaluateExpression(expression, context);
  if (typeof result !== 'boolean') {
    throw new ExpressionError(expression, `expected a boolean, got ${JSON.stringify(result)}`);
  }
  return result;
}

/** A value rendered into a string template: strings as they are, anything else as JSON. */
export function templateText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function renderString(text: string, context: ExpressionContext): unknown {
  const whole = wholeTemplatePattern.exec(text);
  // A string that is exactly one template keeps the value's type (a number stays a number).
  if (whole && !whole[1]?.includes('{{')) return evaluateExpression((whole[1] ?? '').trim(), context);
  return text.replace(templatePattern, (_match, expression: string) => {
    return templateText(evaluateExpression(expression.trim(), context));
  });
}

/** Renders every template in a JSON value (strings, arrays and objects, recursively). */
export function renderTemplate(value: unknown, context: ExpressionContext): unknown {
  if (typeof value === 'string') return value.includes('{{') ? renderString(value, context) : value;
  if (Array.isArray(value)) return value.map((item) => renderTemplate(item, context));
  if (value !== null && typeof value === 'object') {
    const rendered: Record<string, unknown> = {};
    for (const [name, inner] of Object.entries(value)) setOwn(rendered, name, renderTemplate(inner, context));
    return rendered;
  }
  return value;
}

/** Every template expression in a JSON value with the path where it stands, for validation. */
export function collectTemplateExpressions(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; expression: string }[] {
  if (typeof value === 'string') return templateExpressions(value).map((expression) => ({ path, expression }));
  if (Array.isArray(value)) return value.flatMap((item, index) => collectTemplateExpressions(item, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([name, inner]) => collectTemplateExpressions(inner, [...path, name]));
  }
  return [];
}
