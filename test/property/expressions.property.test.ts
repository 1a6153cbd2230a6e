/**
 * The expression layer under any input: random expressions over random contexts (hostile keys
 * included) either evaluate to plain JSON or fail with an ExpressionError; costly expressions are
 * refused by their limits instead of hanging; Object.prototype stays as it was.
 */
import fc from 'fast-check';
import { expressionLimits } from '../../model/expression-limits';
import { ExpressionError, evaluateCondition, evaluateExpression, expressionSyntaxError, renderTemplate } from '../../model/expressions';
import { assertPrototypeUntouched, objectPrototypeSnapshot } from './pollution';

const prototypeBefore = objectPrototypeSnapshot();
afterEach(() => assertPrototypeUntouched(prototypeBefore));

/** Runs `evaluate` and checks the contract: plain JSON out, or an ExpressionError. */
function evaluatesSafely(evaluate: () => unknown): void {
  let result: unknown;
  try {
    result = evaluate();
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    expect(error.message).not.toContain('\n');
    return;
  }
  expect(JSON.parse(JSON.stringify(result) ?? 'null')).toEqual(result ?? null);
}

const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty');
const key = fc.oneof(hostileKey, fc.constantFrom('service', 'replicas', 'items', 'status', 'name'), fc.string({ maxLength: 6 }));
const json = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 12 }),
    fc.integer({ min: -1000, max: 1000 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
})).value;
const context = fc.record({ params: fc.dictionary(key, json, { maxKeys: 5 }), steps: fc.dictionary(key, fc.record({ output: json }), { maxKeys: 3 }) });

const celToken = fc.constantFrom(
  'params', 'steps', 'observation', '.', 'service', 'replicas', 'items', '__proto__', 'constructor', 'prototype',
  '(', ')', '[', ']', '{', '}', ',', ':', '?', '!', '-', '+', '*', '/', '%', '==', '!=', '<', '>=', '&&', '||', ' in ',
  '1', '2.5', '"x"', "'y'", 'b"z"', '1u', 'true', 'null', 'size(', '.size()', '.map(x, ', '.filter(x, ', '.exists(x, ', '.all(x, ',
  'x', '.matches("a+")', '.contains("a")', '.split(",")', 'timestamp("2024-01-01T00:00:00Z")', 'duration("1s")', 'int(', 'string(',
  'dyn(', 'type(', 'has(params.service)', 'cel.bind(y, 1, y)', '.join("-")', 'double(', 'bytes(',
);
const celExpression = fc.oneof(fc.array(celToken, { minLength: 1, maxLength: 25 }).map((tokens) => tokens.join('')), fc.string({ maxLength: 60 }));

/** `[0,1,...,n-1]` as a CEL literal. */
const literalList = (size: number) => `[${Array.from({ length: size }, (_, index) => index).join(',')}]`;

describe('expressions, property-based', () => {
  it('evaluate any expression over any context to plain JSON or an ExpressionError', () => {
    fc.assert(
      fc.property(celExpression, context, (expression, given) => {
        evaluatesSafely(() => evaluateExpression(expression, given));
        evaluatesSafely(() => evaluateCondition(expression, given));
        const syntax = expressionSyntaxError(expression);
        expect(syntax === undefined || (typeof syntax === 'string' && !syntax.includes('\n'))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('render templates over data with hostile keys into own properties of plain objects', () => {
    fc.assert(
      fc.property(fc.dictionary(key, json, { maxKeys: 6 }), context, (template, given) => {
        let rendered: unknown;
        try {
          rendered = renderTemplate(template, given);
        } catch (error) {
          expect(error).toBeInstanceOf(ExpressionError);
          return;
        }
        expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
        expect(Object.keys(rendered as object).sort()).toEqual(Object.keys(template).sort());
      }),
      { numRuns: 1000 },
    );
  });

  it('read hostile keys of the context as data, never as the prototype', () => {
    const given = JSON.parse('{"params": {"__proto__": {"isAdmin": true}, "constructor": "c"}}') as Record<string, unknown>;
    expect(evaluateExpression('params["__proto__"].isAdmin', given)).toBe(true);
    expect(evaluateExpression('params.constructor', given)).toBe('c');
    expect(() => evaluateExpression('params.isAdmin', given)).toThrow('No such key: isAdmin');
    expect(() => evaluateExpression('params.toString', given)).toThrow(ExpressionError);
  });

  it('refuse nested comprehensions exactly when their iterations exceed the budget, whatever their shape', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 60 }), fc.constantFrom('map', 'filter', 'all', 'exists', 'exists_one'), (depth, size, macro) => {
        const variables = Array.from({ length: depth }, (_, level) => `v${level}`);
        // A body that never short-circuits: all() always holds, exists() never does.
        const body = `${variables.join(' + ')} ${macro === 'all' ? '>=' : '<'} 0`;
        // filter's predicate must be a boolean: a nested filter is turned into one by its size.
        const predicate = (inner: string, nested: boolean) => (macro === 'filter' && nested ? `${inner}.size() >= 0` : inner);
        const expression = variables.reduceRight(
          (inner, variable, level) => `${literalList(size)}.${macro}(${variable}, ${predicate(inner, level < depth - 1)})`,
          body,
        );
        if (expression.length > expressionLimits.length) return;
        // The outer list is iterated once, each inner list once per element of the lists around it.
        const iterations = Array.from({ length: depth }, (_, level) => size ** (level + 1)).reduce((sum, count) => sum + count, 0);
        const outcome = (() => {
          try {
            evaluateExpression(expression, {});
            return 'evaluated';
          } catch (error) {
            if (!(error instanceof ExpressionError)) throw error;
            return error.message.replace(/^expression ".*": /s, '');
          }
        })();
        expect(outcome).toBe(iterations <= expressionLimits.iterations ? 'evaluated' : `evaluation exceeded ${expressionLimits.iterations} iterations of map/filter/all/exists`);
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('refuses an iteration budget overrun even where exists() would swallow the error', () => {
    const expression = `${literalList(150)}.exists(a, ${literalList(150)}.map(b, a * b).size() < 0 || a == 149)`;
    expect(() => evaluateExpression(expression, {})).toThrow(`exceeded ${expressionLimits.iterations} iterations`);
  });

  it('matches in linear time: a pattern that makes backtracking engines explode answers at once', () => {
    expect(evaluateExpression('params.s.matches("^(a+)+$")', { params: { s: `${'a'.repeat(5000)}!` } })).toBe(false);
    expect(evaluateExpression('params.s.matches("^(a|aa)+$")', { params: { s: `${'a'.repeat(100_000)}b` } })).toBe(false);
    expect(evaluateExpression('"checkout-7".matches("^checkout-[0-9]+$")', {})).toBe(true);
    expect(() => evaluateExpression('"x".matches("(")', {})).toThrow(/invalid regular expression "\("/);
    expect(() => evaluateExpression('"x".matches(1)', {})).toThrow("found no matching overload for 'string.matches(int)'");
  }, 10_000);

  it('refuses cel.bind, which makes values grow exponentially with the length of the expression', () => {
    const doubling = Array.from({ length: 12 }, (_, index) => `cel.bind(v${index + 1}, v${index} + v${index}, `).join('');
    const expression = `cel.bind(v0, [1], ${doubling}v12.size()${')'.repeat(13)}`;
    expect(expressionSyntaxError(expression)).toBe('cel.bind is not supported');
    expect(() => evaluateExpression(expression, {})).toThrow('cel.bind is not supported');
  });

  it('refuses results larger than the limit instead of writing them into history', () => {
    const big = 'x'.repeat(200_000);
    expect(() => evaluateExpression('[1,2,3,4,5,6].map(i, params.big)', { params: { big } })).toThrow('result larger than 1024 KiB');
    expect(evaluateExpression('params.big.size()', { params: { big } })).toBe(200_000);
  });

  it('refuses structures beyond the parse limits with a readable reason', () => {
    expect(expressionSyntaxError(`${'('.repeat(40)}1${')'.repeat(40)}`)).toBe('too complex: nested deeper than 32 levels');
    expect(expressionSyntaxError(literalList(201))).toBe('too complex: a list literal with more than 200 items');
    expect(expressionSyntaxError(Array.from({ length: 600 }, () => 'a').join('+'))).toBe('too complex: more than 1000 syntax nodes');
    expect(expressionSyntaxError('x'.repeat(2001))).toBe('longer than 2000 characters');
  });
});
