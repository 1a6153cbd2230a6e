import { Writable } from 'node:stream';
import { Runtime } from '@temporalio/worker';
import { createLogger, routeTemporalLogsToPino, temporalLoggerFor } from '../../runtime/logger';

/** A destination that keeps what was written, like a pipe into a log collector. */
function memoryStream(isTTY = false) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    { isTTY },
  );
  const lines = () => chunks.join('').split('\n').filter((line) => line !== '');
  return { stream, lines, records: () => lines().map((line) => JSON.parse(line) as Record<string, unknown>) };
}

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

describe('routeTemporalLogsToPino', () => {
  // An installed runtime holds a native thread and a log-flush timer: end it so jest can exit.
  afterAll(() => Runtime.instance().shutdown());

  it('installs the SDK runtime logger once; a second call is a no-op', () => {
    const output = memoryStream();
    const laterOutput = memoryStream();
    expect(routeTemporalLogsToPino(createLogger({ level: 'info', destination: output.stream }))).toBe(true);
    expect(routeTemporalLogsToPino(createLogger({ level: 'info', destination: laterOutput.stream }))).toBe(true);
    Runtime.instance().logger.info('from the SDK', { sdkComponent: 'worker' });
    // With native logs forwarded the SDK buffers every line for ordering; flush instead of waiting.
    Runtime.instance().flushLogs();
    expect(output.records()).toEqual([expect.objectContaining({ msg: 'from the SDK', sdkComponent: 'worker' })]);
    expect(laterOutput.lines()).toEqual([]);
  });

  it('warns and returns false when the SDK runtime was started before it', async () => {
    // Fresh module instances: a process in which something created the default runtime first.
    let fresh!: { runtime: typeof import('@temporalio/worker'); logging: typeof import('../../runtime/logger') };
    await jest.isolateModulesAsync(async () => {
      fresh = { runtime: await import('@temporalio/worker'), logging: await import('../../runtime/logger') };
    });
    const runtime = fresh.runtime.Runtime.instance();
    try {
      const output = memoryStream();
      expect(fresh.logging.routeTemporalLogsToPino(fresh.logging.createLogger({ level: 'info', destination: output.stream }))).toBe(false);
      expect(output.records()).toEqual([
        expect.objectContaining({ level: 40, msg: expect.stringContaining('created before routeTemporalLogsToPino') }),
      ]);
    } finally {
      await runtime.shutdown();
    }
  });
});
