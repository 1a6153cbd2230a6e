/** Params: declared types, defaults, required flags; strings from the CLI coerced to the declared type. */
import { durationMs, formatDuration } from '../../model/duration';
import { ParamsError, resolveParams, type ParamSpec } from '../../model/params';

const declared: Record<string, ParamSpec> = {
  service: { type: 'string', required: true },
  replicas: { type: 'integer', required: false, default: 3 },
  ratio: { type: 'number', required: false },
  drain: { type: 'boolean', required: false, default: false },
};

describe('resolveParams', () => {
  it('applies defaults and coerces command-line strings', () => {
    expect(resolveParams(declared, { service: 'checkout', replicas: '5', ratio: '0.5', drain: 'true' })).toEqual({
      service: 'checkout',
      replicas: 5,
      ratio: 0.5,
      drain: true,
    });
    expect(resolveParams(declared, { service: 'checkout' })).toEqual({ service: 'checkout', replicas: 3, drain: false });
  });

  it('lists every problem at once', () => {
    const attempt = () => resolveParams(declared, { replicas: '2.5', drain: 'yes', colour: 'red' });
    expect(attempt).toThrow(ParamsError);
    expect(attempt).toThrow(
      'unknown param "colour"; declared: service, replicas, ratio, drain; missing required param "service" (string); param "replicas" must be of type integer, got "2.5"; param "drain" must be of type boolean, got "yes"',
    );
  });
});

describe('durations', () => {
  it('parses compound durations and formats them back for people', () => {
    expect(durationMs('1h30m')).toBe(5_400_000);
    expect(durationMs('250ms')).toBe(250);
    expect(() => durationMs('5 minutes')).toThrow('expected a duration like 30s, 5m or 1h30m, got "5 minutes"');
    expect(formatDuration(350)).toBe('350ms');
    expect(formatDuration(65_000)).toBe('1m05s');
    expect(formatDuration(3_723_000)).toBe('1h02m');
  });
});
