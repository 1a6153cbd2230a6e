/** `rebound worker`: only a worker on REBOUND_TASK_QUEUE, connected through the SDK's environment configuration (runtime/temporal-connection.ts). */
import { loadConfig } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { startWorker } from '../../worker/run-worker';
import { ExitCode } from '../cli-error';
import { untilStopSignal } from '../signals';

export async function workerCommand(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel }, { process: 'worker' });
  const worker = await startWorker(config, logger);
  const stopped = await Promise.race([untilStopSignal().then((signal) => signal), worker.done.then(() => undefined)]);
  if (stopped) {
    logger.info({ signal: stopped }, 'stopping worker');
    await worker.stop();
  }
  logger.info('worker stopped');
  return ExitCode.ok;
}
