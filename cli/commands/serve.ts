/** `rebound serve`: the webhook server that turns alerts into recoveries, on 127.0.0.1:REBOUND_HTTP_PORT. */
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { findRunbookFiles, formatProblem, loadRunbookFile } from '../../model/loader';
import { dataConverterFromEnv, logPayloadEncryption } from '../../runtime/codec-keys';
import { loadConfig } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { describeConnection, temporalConnectionSettings } from '../../runtime/temporal-connection';
import type { LoadedRunbook } from '../../server/alert-delivery';
import { CliError, ExitCode } from '../cli-error';
import { untilStopSignal } from '../signals';
import { createConfiguredWebhookServer, loadWebhookSettings } from '../webhook-settings';

export interface ServeCommandOptions {
  runbooks: string;
  /** False with --no-auth. */
  auth: boolean;
}

/** Every runbook of `dir`, validated; any problem refuses the start (a half-loaded trigger set would drop alerts). */
export async function loadRunbooks(dir: string): Promise<LoadedRunbook[]> {
  const files = await findRunbookFiles([dir]);
  if (files.length === 0) throw new CliError(`no runbook files (*.yaml, *.yml) in ${dir}`, ExitCode.failed, 'pass --runbooks <dir>');
  const results = await Promise.all(files.map((file) => loadRunbookFile(path.relative(process.cwd(), file) || file)));
  const problems = results.flatMap((result) => (result.ok ? [] : result.problems));
  if (problems.length > 0) {
    for (const problem of problems.slice(1)) process.stderr.write(`${formatProblem(problem)}\n`);
    throw new CliError(formatProblem(problems[0]!), ExitCode.failed, `fix the runbooks, then check them with: rebound validate ${dir}`);
  }
  return results.flatMap((result) => (result.ok ? [{ runbook: result.runbook, hash: result.hash }] : []));
}

export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  const config = loadConfig();
  const temporal = temporalConnectionSettings(config);
  const logger = createLogger({ level: config.logLevel }, { process: 'webhook' });
  const runbooksDir = path.resolve(options.runbooks);
  const runbooks = await loadRunbooks(runbooksDir);
  // Lazy: the server starts while Temporal is down, answers 503 (senders retry) and /readyz says so.
  const dataConverter = dataConverterFromEnv();
  logPayloadEncryption(logger, dataConverter);
  const settings = await loadWebhookSettings(config, { authDisabled: !options.auth, dataConverter });
  const { namespace, ...connectionOptions } = temporal;
  const client = new Client({ connection: Connection.lazy({ ...connectionOptions, connectTimeout: '5s' }), namespace, dataConverter });
  const app = createConfiguredWebhookServer({ client, taskQueue: config.taskQueue, runbooks, runbooksDir, logger, ...settings });
  const address = await app.listen({ host: '127.0.0.1', port: config.httpPort });
  const triggered = runbooks.filter((loaded) => (loaded.runbook.spec.triggers ?? []).length > 0).map((loaded) => loaded.runbook.metadata.name);
  logger.info({ address, runbooks: runbooks.length, triggered, temporal: describeConnection(temporal), taskQueue: config.taskQueue }, `webhook server listening on ${address}`);
  const signal = await untilStopSignal();
  logger.info({ signal }, 'stopping webhook server');
  await app.close();
  await client.connection.close();
  return ExitCode.ok;
}
