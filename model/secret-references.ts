/**
 * Secrets in runbooks: `{{ secret.NAME }}` in the `with:` arguments of an action or a check.
 * The workflow never knows a secret's value: it renders every other template and leaves each
 * secret reference in place, listing where it stands (a "slot": the path in the input and the
 * string's parts). Only the activity, on the worker, puts the value in (activities/secrets.ts),
 * so no value reaches workflow history. Pure and deterministic: used inside workflows.
 */
import { evaluateExpression, renderTemplate, templatePieces, templateText, type ExpressionContext } from './expressions';
import { expressionVariables } from './expression-limits';

/** What a secret's name may be: it becomes part of an environment variable's or a file's name. */
export const secretNamePattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const secretReferencePattern = /^secret\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)$/;

/** The secret's name when `expression` is exactly a secret reference (`secret.API_TOKEN`). */
export function secretReferenceName(expression: string): string | undefined {
  return secretReferencePattern.exec(expression.trim())?.[1];
}

/** Why an expression's use of `secret` is refused; undefined when it does not use `secret` at all. */
export function secretUseProblem(expression: string, argumentsOfACall: boolean): string | undefined {
  const name = secretReferenceName(expression);
  if (name !== undefined) {
    return argumentsOfACall ? undefined : `{{ secret.${name} }} can only stand in the with: arguments of an action or a check, where the worker resolves it`;
  }
  if (!expressionVariables(expression).has('secret')) return undefined;
  return `"secret" is reserved: reference a secret as {{ secret.NAME }} on its own (NAME: letters, digits and _), not inside an expression (${expression})`;
}

/** Where secret references may stand: under the `with:` of these (an action, its undo, a gate, a watch, a verify gate). */
const callsTakingSecrets: ReadonlySet<string | number> = new Set(['action', 'undo', 'gate', 'watch', 'verify']);

/** True when a template at `path` (relative to a step) is in the `with:` arguments of an action or check. */
export function inCallArguments(path: readonly (string | number)[]): boolean {
  const at = path.lastIndexOf('with');
  return at > 0 && callsTakingSecrets.has(path[at - 1] ?? '');
}

/** One piece of a string with secrets: literal text, or the secret to put there. */
export type SecretPart = string | { secret: string };

/** A string of an activity's input that holds secrets: where it is, and what it is made of. */
export interface SecretSlot {
  path: (string | number)[];
  parts: SecretPart[];
}

/** An activity's rendered input, and the slots its secrets go into (none: the input is complete). */
export interface RenderedArguments {
  input: unknown;
  secrets: SecretSlot[];
}

/** How a slot reads in history and in the UI: `Bearer {{ secret.TOKEN }}`. */
export function slotPlaceholder(parts: readonly SecretPart[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : `{{ secret.${part.secret} }}`)).join('');
}

function renderStringWithSecrets(text: string, context: ExpressionContext): SecretPart[] | undefined {
  const pieces = templatePieces(text);
  if (!pieces.some((piece) => 'expression' in piece && secretReferenceName(piece.expression) !== undefined)) return undefined;
  const parts: SecretPart[] = [];
  for (const piece of pieces) {
    const name = 'expression' in piece ? secretReferenceName(piece.expression) : undefined;
    const part: SecretPart = 'text' in piece ? piece.text : name !== undefined ? { secret: name } : templateText(evaluateExpression(piece.expression, context));
    const last = parts[parts.length - 1];
    if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part;
    else parts.push(part);
  }
  return parts;
}

/**
 * Renders the templates of a call's arguments like renderTemplate, except secret references: a
 * string holding one keeps the reference as its placeholder, and its parts go into a slot. Values
 * from params or outputs never become slots, so data cannot ask the worker for a secret.
 */
export function renderArguments(value: unknown, context: ExpressionContext): RenderedArguments {
  const secrets: SecretSlot[] = [];
  const walk = (item: unknown, path: (string | number)[]): unknown => {
    if (typeof item === 'string') {
      const parts = item.includes('{{') ? renderStringWithSecrets(item, context) : undefined;
      if (parts === undefined) return renderTemplate(item, context);
      secrets.push({ path, parts });
      return slotPlaceholder(parts);
    }
    if (Array.isArray(item)) return item.map((inner, index) => walk(inner, [...path, index]));
    if (item !== null && typeof item === 'object') {
      const rendered: Record<string, unknown> = {};
      for (const [name, inner] of Object.entries(item)) {
        Object.defineProperty(rendered, name, { value: walk(inner, [...path, name]), enumerable: true, writable: true, configurable: true });
      }
      return rendered;
    }
    return item;
  };
  return { input: walk(value, []), secrets };
}

/** The names of the secrets a request's slots need, each once. */
export function slotSecretNames(slots: readonly SecretSlot[]): string[] {
  return [...new Set(slots.flatMap((slot) => slot.parts.flatMap((part) => (typeof part === 'string' ? [] : [part.secret]))))];
}
