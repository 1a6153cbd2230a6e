import { createLogger, temporalLoggerFor } from '../../runtime/logger';
import { memoryStream } from '../helpers/memory-stream';

describe('createLogger', () => {
  it('writes JSON lines with the bindings when the destination is not a terminal', () => {
    const output = memoryStream();
    const logger = createLogger({ level: 'info', destination: output.stream }, { component: 'worker' });
    logger.info({ recovery: 'r-1' }, 'recovery started');
    logger.debug('below the level');
    expect(output.records()).toEqual([
      expect.objectContaining({ level: 30, component: 'worker', recovery: 'r-1', msg: 'recovery started' }),
    ]);
  });

  it('writes readable lines instead of JSON for a terminal', () => {
    const output = memoryStream(true);
    createLogger({ level: 'info', destination: output.stream }).warn({ service: 'checkout' }, 'drift found');
    const [line] = output.lines();
    expect(line).toContain('WARN');
    expect(line).toContain('drift found');
    expect(() => JSON.parse(line ?? '')).toThrow();
  });

  it('serializes errors logged under `error` with their message', () => {
    const output = memoryStream();
    createLogger({ level: 'info', destination: output.stream }).error({ error: new Error('disk full') }, 'activity failed');
    expect(output.records()[0]).toMatchObject({ error: { type: 'Error', message: 'disk full' } });
  });
});

describe('temporalLoggerFor', () => {
  it('maps SDK levels to pino levels and merges the metadata into the line', () => {
    const output = memoryStream();
    const sdkLogger = temporalLoggerFor(createLogger({ level: 'trace', destination: output.stream }));
    sdkLogger.trace('t', { sdkComponent: 'worker' });
    sdkLogger.debug('d');
    sdkLogger.info('i', { taskQueue: 'rebound' });
    sdkLogger.warn('w');
    sdkLogger.error('e');
    sdkLogger.log('INFO', 'via log', { [Symbol('timestamp')]: 1n, workflowId: 'wf-1' });
    expect(output.records().map(({ level, msg }) => [level, msg])).toEqual([
      [10, 't'],
      [20, 'd'],
      [30, 'i'],
      [40, 'w'],
      [50, 'e'],
      [30, 'via log'],
    ]);
    expect(output.records()[0]).toMatchObject({ sdkComponent: 'worker' });
    expect(output.records()[2]).toMatchObject({ taskQueue: 'rebound' });
    expect(output.records()[5]).toMatchObject({ workflowId: 'wf-1' });
  });
});
