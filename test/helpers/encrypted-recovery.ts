/**
 * A recovery whose history holds only ciphertext, and a webhook server offering the codec endpoint
 * that decrypts it: what the codec tests (CLI, HTTP, browser) read through. No worker: the start
 * event alone holds the encrypted input, a planted secret.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { codecDataConverter, codecEndpointFromEnv, loadCodecKeyring } from '../../runtime/codec-keys';
import { createWebhookServer } from '../../server/create-server';
import type { TestTemporal } from './temporal-server';

export interface EncryptedRecovery {
  workflowId: string;
  /** The planted value, in the recovery's input as `{ token: secret }`. */
  secret: string;
  /** REBOUND_CODEC_TOKEN of the endpoint. */
  token: string;
  app: FastifyInstance;
  /** The server's base URL (the codec routes are under /codec). */
  baseUrl: string;
}

export async function startEncryptedRecovery(temporal: TestTemporal, options: { uiOrigin: string; token?: string; port?: number }): Promise<EncryptedRecovery> {
  const secret = `planted-secret-${randomUUID()}`;
  const token = options.token ?? randomBytes(24).toString('hex');
  const env = { REBOUND_CODEC_KEYS: `k1=${randomBytes(32).toString('base64')}`, REBOUND_CODEC_TOKEN: token, REBOUND_CODEC_UI_ORIGIN: options.uiOrigin };
  const dataConverter = codecDataConverter(loadCodecKeyring(env));
  const client = new Client({ connection: temporal.connection, namespace: temporal.namespace, dataConverter });
  const workflowId = `encrypted-${randomUUID()}`;
  await client.workflow.start('runRecovery', { workflowId, taskQueue: 'nobody-polls', args: [{ token: secret }] });
  const app = createWebhookServer({ client, taskQueue: 'nobody-polls', runbooks: [], auth: { token: randomBytes(16).toString('hex') }, logger: pino({ level: 'silent' }), codec: codecEndpointFromEnv(dataConverter, env) });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  return { workflowId, secret, token, app, baseUrl };
}
