/**
 * The webhook server's configuration, read the same way by `rebound serve` and `rebound dev`:
 * credentials (REBOUND_WEBHOOK_TOKEN, the REBOUND_WEBHOOK_CONFIG file), the rate limit
 * (REBOUND_WEBHOOK_RATE_LIMIT), the authorization policy (REBOUND_AUTHZ_FILE) and the codec
 * endpoint, as createWebhookServer takes them.
 */
import type { DataConverter } from '@temporalio/common';
import { AuthzPolicyError, loadAuthzPolicy } from '../client/authorization';
import { codecEndpointFromEnv } from '../runtime/codec-keys';
import type { ReboundConfig } from '../runtime/config';
import type { AuthOptions } from '../server/auth';
import { AuthConfigError, loadCredentialsFile } from '../server/credentials';
import { createWebhookServer, type WebhookServerOptions } from '../server/create-server';
import { CliError, ExitCode } from './cli-error';

export type WebhookSettings = Pick<WebhookServerOptions, 'auth' | 'rateLimit' | 'codec' | 'authz'>;

/** Whether the configuration names any credentials: without them, only `--no-auth` would start the server. */
export const hasWebhookCredentials = (config: ReboundConfig): boolean => config.webhookToken !== undefined || config.webhookConfigFile !== undefined;

/** Reads the credentials file and the authorization policy (a problem in either is a usage error naming file:line:col). */
export async function loadWebhookSettings(config: ReboundConfig, options: { authDisabled?: boolean; dataConverter?: DataConverter }): Promise<WebhookSettings> {
  let credentials: AuthOptions['credentials'];
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
  return {
    authz,
    auth: { token: config.webhookToken, credentials, disabled: options.authDisabled === true },
    rateLimit: config.webhookRateLimit === 0 ? false : { max: config.webhookRateLimit, timeWindowMs: 60_000 },
    codec: codecEndpointFromEnv(options.dataConverter),
  };
}

/** createWebhookServer, its credential problems (no credentials, a scope naming an unknown runbook) as usage errors. */
export function createConfiguredWebhookServer(options: WebhookServerOptions): ReturnType<typeof createWebhookServer> {
  try {
    return createWebhookServer(options);
  } catch (error) {
    if (error instanceof AuthConfigError) throw new CliError(error.message, ExitCode.usage, 'export REBOUND_WEBHOOK_TOKEN=<a long random string> (or REBOUND_WEBHOOK_CONFIG=<credentials file>), and give the senders the same credentials');
    throw error;
  }
}
