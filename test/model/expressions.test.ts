/** CEL templates and conditions: typed results, JSON in and out, clear errors, no prototype tricks. */
import { ExpressionError, evaluateCondition, evaluateExpression, expressionSyntaxError, renderTemplate } from '../../model/expressions';

const context = { params: { service: 'checkout', replicas: 3, ratio: 0.25, drain: true }, steps: { probe: { output: { status: 200 } } } };

describe('expressions', () => {
  it('keeps the type of a string that is exactly one template', () => {
    expect(renderTemplate('{{ params.replicas * 2 }}', context)).toBe(6);
    expect(renderTemplate('{{ params.drain }}', context)).toBe(true);
  });

  it('interpolates templates inside a longer string and renders nested JSON', () => {
    expect(renderTemplate({ url: 'http://svc/{{ params.service }}/{{ params.replicas }}', list: ['{{ params.ratio }}'] }, context)).toEqual({
      url: 'http://svc/checkout/3',
      list: [0.25],
    });
  });

  it('evaluates conditions over params and step outputs', () => {
    expect(evaluateCondition('steps.probe.output.status == 200 && params.replicas > 2', context)).toBe(true);
    expect(evaluateCondition('params.ratio < 0.1', context)).toBe(false);
  });

  it('refuses a condition that is not a boolean', () => {
    expect(() => evaluateCondition('params.replicas', context)).toThrow('expression "params.replicas": expected a boolean, got 3');
  });

  it('names the expression and the reason when evaluation fails', () => {
    expect(() => evaluateExpression('params.nope', context)).toThrow(ExpressionError);
    expect(() => evaluateExpression('params.nope', context)).toThrow('expression "params.nope": No such key: nope');
  });

  it('reports syntax errors without evaluating', () => {
    expect(expressionSyntaxError('a ==')).toBe('Unexpected token: EOF');
    expect(expressionSyntaxError('  ')).toBe('empty expression');
    expect(expressionSyntaxError('x'.repeat(2001))).toBe('longer than 2000 characters');
    expect(expressionSyntaxError('a == 1')).toBeUndefined();
  });

  it('treats __proto__ keys in the data as plain keys', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "name": "x"}') as Record<string, unknown>;
    const rendered = renderTemplate(hostile, context) as Record<string, unknown>;
    expect(Object.getPrototypeOf(rendered)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(rendered, '__proto__')).toBe(true);
  });
});
