/** `rebound serve`: the webhook server that turns alerts into recoveries, on 127.0.0.1:REBOUND_HTTP_PORT. */
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { findRunbookFiles, formatProblem, loadRunbookFile } from '../../model/loader';
import { codecEndpointFromEnv, dataConverterFromEnv, logPayloadEncryption } from '../../runtime/codec-keys';
import { loadConfig } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { describeConnection, temporalConnectionSettings } from '../../runtime/temporal-connection';
import type { LoadedRunbook } from '../../server/alert-delivery';
import { AuthzPolicyError, loadAuthzPolicy } from '../../client/authorization';
import { AuthConfigError, loadCredentialsFile, type Credential } from '../../server/credentials';
import { createWebhookServer } from '../../server/create-server';
import { CliError, ExitCode } from '../cli-error';
import { untilStopSignal } from '../signals';

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
  let app;
  let credentials: Credential[] | undefined;
  try {
    credentials = config.webhookConfigFile === undefined ? undefined : await loadCredentialsFile(config.webhookConfigFile);
  } catch (error) {
    if (error instanceof AuthConfigError) throw new CliError(error.message, ExitCode.usage, 'fix the file REBOUND_WEBHOOK_CONFIG points at (see the README, "Webhook credentials")');
    throw error;
  }
  const authz = await loadAuthzPolicy(config.authzFile).catch((error: unknown) => {
    if (error instanceof AuthzPolicyError) throw new CliError(error.message, ExitCode.usage, 'fix the file REBOUND_AUTHZ_FILE points at (see the README, "Authorization")');
    throw error;
  });
  // Lazy: the server starts while Temporal is down, answers 503 (senders retry) and /readyz says so.
  const dataConverter = dataConverterFromEnv();
  logPayloadEncryption(logger, dataConverter);
  const { namespace, ...connectionOptions } = temporal;
  const client = new Client({ connection: Connection.lazy({ ...connectionOptions, connectTimeout: '5s' }), namespace, dataConverter });
  try {
    app = createWebhookServer({
      client,
      taskQueue: config.taskQueue,
      runbooks,
      runbooksDir,
      auth: { token: config.webhookToken, credentials, disabled: !options.auth },
      rateLimit: config.webhookRateLimit === 0 ? false : { max: config.webhookRateLimit, timeWindowMs: 60_000 },
      logger,
      codec: codecEndpointFromEnv(dataConverter),
      authz,
    });
  } catch (error) {
    if (error instanceof AuthConfigError) throw new CliError(error.message, ExitCode.usage, 'export REBOUND_WEBHOOK_TOKEN=<a long random string> (or REBOUND_WEBHOOK_CONFIG=<credentials file>), and give the senders the same credentials');
    throw error;
  }
  const address = await app.listen({ host: '127.0.0.1', port: config.httpPort });
  const triggered = runbooks.filter((loaded) => (loaded.runbook.spec.triggers ?? []).length > 0).map((loaded) => loaded.runbook.metadata.name);
  logger.info({ address, runbooks: runbooks.length, triggered, temporal: describeConnection(temporal), taskQueue: config.taskQueue }, `webhook server listening on ${address}`);
  const signal = await untilStopSignal();
  logger.info({ signal }, 'stopping webhook server');
  await app.close();
  await client.connection.close();
  return ExitCode.ok;
}
