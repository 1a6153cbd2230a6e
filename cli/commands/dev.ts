/** `rebound dev` (what `npm start` runs): the Temporal dev server, persisted under .rebound/, plus a worker. */
import * as path from 'node:path';
import { loadConfig } from '../../runtime/config';
import { startDevServer } from '../../runtime/dev-server';
import { createLogger } from '../../runtime/logger';
import { startWorker } from '../../worker/run-worker';
import { ExitCode } from '../cli-error';
import { untilStopSignal } from '../signals';

export async function devCommand(options: { headless?: boolean }): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel }, { process: 'dev' });
  const stopSignal = untilStopSignal();
  logger.info({ stateDir: config.stateDir }, 'starting the Temporal dev server');
  const server = await startDevServer({
    stateDir: config.stateDir,
    port: config.temporalPort,
    uiPort: config.uiPort,
    headless: options.headless,
    namespace: config.namespace,
    onOutput: (line) => logger.debug({ source: 'temporal' }, line),
  });
  let worker;
  try {
    worker = await startWorker(config, logger, server.address);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const relative = path.relative(process.cwd(), server.dbFile);
  const db = relative.startsWith('..') ? server.dbFile : relative;
  process.stdout.write(
    [
      '',
      `  Rebound is running.`,
      `  Temporal UI:      ${server.uiUrl ?? '(headless)'}`,
      `  Temporal address: ${server.address} (namespace ${server.namespace}, task queue ${config.taskQueue})`,
      `  State:            ${db} (recoveries survive a restart)`,
      `  Try:              npx rebound start smoke-test --wait${server.address === config.temporalAddress ? '' : ` (with TEMPORAL_ADDRESS=${server.address})`}`,
      `  Stop:             Ctrl-C`,
      '',
    ].join('\n') + '\n',
  );
  const reason = await Promise.race([
    stopSignal.then((signal) => `received ${signal}`),
    worker.done.then(() => 'the worker stopped'),
    server.exited.then((exit) => `the Temporal server exited (${exit.signal ?? `code ${exit.code}`})`),
  ]);
  logger.info({ reason }, 'stopping');
  await worker.stop().catch((error: unknown) => logger.error({ error }, 'worker did not stop cleanly'));
  await server.stop();
  logger.info('stopped');
  return reason.startsWith('received') ? ExitCode.ok : ExitCode.failed;
}
