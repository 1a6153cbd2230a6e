import { Runtime } from '@temporalio/worker';
import { createLogger } from '../../runtime/logger';
import { installTemporalRuntime, MetricsUnavailableError } from '../../runtime/telemetry';
import { memoryStream } from '../helpers/memory-stream';

/** Fresh module instances: a process in which something may create the SDK's default runtime first. */
async function freshModules() {
  let fresh!: { runtime: typeof import('@temporalio/worker'); logging: typeof import('../../runtime/logger'); telemetry: typeof import('../../runtime/telemetry') };
  await jest.isolateModulesAsync(async () => {
    fresh = { runtime: await import('@temporalio/worker'), logging: await import('../../runtime/logger'), telemetry: await import('../../runtime/telemetry') };
  });
  return fresh;
}

describe('installTemporalRuntime', () => {
  // An installed runtime holds a native thread and a log-flush timer: end it so jest can exit.
  afterAll(() => Runtime.instance().shutdown());

  it('installs the SDK runtime logger once; a second call is a no-op', () => {
    const output = memoryStream();
    const laterOutput = memoryStream();
    expect(installTemporalRuntime(createLogger({ level: 'info', destination: output.stream }))).toBe(true);
    expect(installTemporalRuntime(createLogger({ level: 'info', destination: laterOutput.stream }))).toBe(true);
    Runtime.instance().logger.info('from the SDK', { sdkComponent: 'worker' });
    // With native logs forwarded the SDK buffers every line for ordering; flush instead of waiting.
    Runtime.instance().flushLogs();
    expect(output.records()).toEqual([expect.objectContaining({ msg: 'from the SDK', sdkComponent: 'worker' })]);
    expect(laterOutput.lines()).toEqual([]);
  });

  it('refuses a metrics endpoint once the runtime is installed without one, naming why', () => {
    const logger = createLogger({ level: 'silent' });
    expect(installTemporalRuntime(logger)).toBe(true);
    const late = () => installTemporalRuntime(logger, { metrics: { host: '127.0.0.1', port: 9464 } });
    expect(late).toThrow(MetricsUnavailableError);
    expect(late).toThrow('cannot serve metrics on http://127.0.0.1:9464/metrics: the Temporal SDK runtime of this process is already installed without metrics');
  });

  it('warns and returns false when the SDK runtime was started before it', async () => {
    const fresh = await freshModules();
    const runtime = fresh.runtime.Runtime.instance();
    try {
      const output = memoryStream();
      expect(fresh.telemetry.installTemporalRuntime(fresh.logging.createLogger({ level: 'info', destination: output.stream }))).toBe(false);
      expect(output.records()).toEqual([
        expect.objectContaining({ level: 40, msg: expect.stringContaining('created before installTemporalRuntime') }),
      ]);
    } finally {
      await runtime.shutdown();
    }
  });

  it('refuses a metrics endpoint when the SDK runtime was started before it', async () => {
    const fresh = await freshModules();
    const runtime = fresh.runtime.Runtime.instance();
    try {
      const install = () => fresh.telemetry.installTemporalRuntime(fresh.logging.createLogger({ level: 'silent' }), { metrics: { host: '127.0.0.1', port: 9464 } });
      expect(install).toThrow('cannot serve metrics on http://127.0.0.1:9464/metrics: a Worker or NativeConnection was created before installTemporalRuntime');
    } finally {
      await runtime.shutdown();
    }
  });
});
