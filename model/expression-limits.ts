/**
 * What keeps a CEL expression cheap: structural limits when it is parsed, a budget of
 * comprehension iterations when it runs, linear-time regular expressions, and a cap on the size
 * of what it returns. Deterministic (counts, never clocks): expressions run inside workflows,
 * where a limit that depended on time would make a replay diverge.
 */
import { Environment } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';

/** Thrown when an expression is refused for its size or cost; the message says which limit. */
export class ExpressionLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionLimitError';
  }
}

export const expressionLimits = {
  /** Characters in one expression. */
  length: 2000,
  /** Parse-time limits of the CEL library (nodes of the syntax tree, nesting, literal sizes, call arguments). */
  maxAstNodes: 1000,
  maxDepth: 32,
  maxListElements: 200,
  maxMapEntries: 200,
  maxCallArguments: 8,
  /** Iterations of map/filter/all/exists/exists_one in one evaluation, nested ones included. */
  iterations: 10_000,
  /** Size of a result (characters of strings, 8 per other scalar), which goes into workflow history. */
  resultSize: 1024 * 1024,
  /** Compiled regular expressions kept for `matches`. */
  cachedPatterns: 64,
} as const;

const { length: _length, iterations: _iterations, resultSize: _resultSize, cachedPatterns: _cached, ...parseLimits } = expressionLimits;

/** `matches` runs under this name: RE2 (linear time, as the CEL spec says) instead of JavaScript's backtracking RegExp. */
const linearMatches = 'rebound_matches_re2';
const patterns = new Map<string, RE2JS>();

function compilePattern(pattern: string): RE2JS {
  let compiled = patterns.get(pattern);
  if (compiled) return compiled;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    throw new ExpressionLimitError(`invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
  if (patterns.size >= expressionLimits.cachedPatterns) patterns.clear();
  patterns.set(pattern, compiled);
  return compiled;
}

const environment = new Environment({ unlistedVariablesAreDyn: true, limits: parseLimits }).registerFunction(
  `string.${linearMatches}(string): bool`,
  (text: string, pattern: string) => compilePattern(pattern).matcher(text).find(),
);

/** The parts of the library's syntax tree this module reads (macros keep their expansion in `meta.alternate`). */
interface CelNode {
  op: string;
  args: unknown;
  meta?: { alternate?: CelNode };
}

interface ComprehensionArgs {
  condition?: (accumulator: unknown) => boolean;
}

function isNode(value: unknown): value is CelNode {
  return value !== null && typeof value === 'object' && typeof (value as CelNode).op === 'string' && 'args' in value;
}

let iterationsLeft: number = expressionLimits.iterations;

/** Charged once per comprehension iteration: the library calls a comprehension's condition before each step. */
function chargeIteration(): void {
  if (--iterationsLeft < 0) {
    throw new ExpressionLimitError(`evaluation exceeded ${expressionLimits.iterations} iterations of map/filter/all/exists`);
  }
}

/** Makes a parsed tree safe to run: iterations are counted, `matches` is RE2, `cel.bind` is refused. */
function instrument(node: CelNode, seen: Set<CelNode>): void {
  if (seen.has(node)) return;
  seen.add(node);
  if (node.op === 'rcall' && Array.isArray(node.args)) {
    const [name, receiver] = node.args as [string, CelNode | undefined];
    // bind lets an expression name a value and use it twice: values then grow exponentially with its length.
    if (name === 'bind' && receiver?.op === 'id' && receiver.args === 'cel') throw new ExpressionLimitError('cel.bind is not supported');
    if (name === 'matches') node.args[0] = linearMatches;
  }
  if (node.op === 'comprehension') {
    const args = node.args as ComprehensionArgs;
    const condition = args.condition;
    args.condition = (accumulator) => {
      chargeIteration();
      return condition ? condition(accumulator) : true;
    };
  }
  if (node.meta?.alternate) instrument(node.meta.alternate, seen);
  visitChildren(node.args, (child) => instrument(child, seen));
}

function visitChildren(value: unknown, visit: (node: CelNode) => void): void {
  if (isNode(value)) return visit(value);
  if (Array.isArray(value)) return value.forEach((item) => visitChildren(item, visit));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const inner of Object.values(value)) visitChildren(inner, visit);
  }
}

/** The library's own names for its limits, said the way Rebound says them. */
function describeLibraryError(message: string): string {
  const limit = /^Exceeded (\w+) \((\d+)\)/.exec(message);
  if (limit) {
    const [, name, value] = limit;
    const what: Record<string, string> = {
      maxAstNodes: `more than ${value} syntax nodes`,
      maxDepth: `nested deeper than ${value} levels`,
      maxListElements: `a list literal with more than ${value} items`,
      maxMapEntries: `a map literal with more than ${value} entries`,
      maxCallArguments: `a call with more than ${value} arguments`,
    };
    return `too complex: ${what[name ?? ''] ?? message}`;
  }
  return message.replaceAll(linearMatches, 'matches');
}

export type CompiledExpression = (context: Record<string, unknown>) => unknown;

/** Parses an expression within the limits; throws ExpressionLimitError or the library's parse error (with a readable message). */
export function compileExpression(expression: string): CompiledExpression {
  if (expression.length > expressionLimits.length) throw new ExpressionLimitError(`longer than ${expressionLimits.length} characters`);
  let parsed: ReturnType<typeof environment.parse>;
  try {
    parsed = environment.parse(expression);
  } catch (error) {
    throw new ExpressionLimitError(describeLibraryError(error instanceof Error ? error.message : String(error)));
  }
  instrument(parsed.ast as unknown as CelNode, new Set());
  return (context) => {
    iterationsLeft = expressionLimits.iterations;
    try {
      const result = parsed(context);
      // A budget error inside exists/all is caught by the library as a failed element: it must still end the evaluation.
      if (iterationsLeft < 0) chargeIteration();
      return result;
    } catch (error) {
      if (iterationsLeft < 0 || error instanceof ExpressionLimitError) throw error;
      throw new Error(describeLibraryError(error instanceof Error ? error.message : String(error)), { cause: error });
    }
  };
}

/** The variables an expression reads (`params.a + item` → params, item); empty when it does not parse. */
export function expressionVariables(expression: string): Set<string> {
  const names = new Set<string>();
  if (expression.length > expressionLimits.length) return names;
  let parsed: ReturnType<typeof environment.parse>;
  try {
    parsed = environment.parse(expression);
  } catch {
    return names;
  }
  const visit = (node: CelNode): void => {
    if (node.op === 'id' && typeof node.args === 'string') names.add(node.args);
    visitChildren(node.args, visit);
  };
  visit(parsed.ast as unknown as CelNode);
  return names;
}

/** Throws when a result is larger than the limit; stops counting as soon as it is. */
export function checkResultSize(value: unknown): void {
  let size = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') size += item.length;
    else if (Array.isArray(item)) for (const inner of item as unknown[]) stack.push(inner);
    else if (item instanceof Map) for (const [key, inner] of item) stack.push(key, inner);
    else if (item !== null && typeof item === 'object') for (const [key, inner] of Object.entries(item)) stack.push(key, inner);
    else size += 8;
    if (size > expressionLimits.resultSize) {
      throw new ExpressionLimitError(`result larger than ${expressionLimits.resultSize / 1024} KiB`);
    }
  }
}
