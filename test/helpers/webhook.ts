/** The webhook server in tests: the alert-triggered test runbooks, the captured Alertmanager payloads, a silent logger. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { findRunbookFiles, loadRunbookFile } from '../../model/loader';
import { createLogger } from '../../runtime/logger';
import { findFreePort } from '../../runtime/free-port';
import type { LoadedRunbook } from '../../server/alert-delivery';
import { createWebhookServer, type WebhookServerOptions } from '../../server/create-server';

export const alertRunbooksDir = path.join(__dirname, '..', 'fixtures', 'runbooks-alerts');
export const testToken = 'test-token-0123456789';

/** A captured Alertmanager payload (`firing` or `resolved`), parsed. */
export function alertmanagerPayload(name: 'firing' | 'resolved'): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'alertmanager', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** A Grafana webhook payload written from Grafana's documentation (`firing` or `resolved`), parsed. */
export function grafanaPayload(name: 'firing' | 'resolved'): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'grafana', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

export async function loadAlertRunbooks(): Promise<LoadedRunbook[]> {
  const loaded = await Promise.all((await findRunbookFiles([alertRunbooksDir])).map((file) => loadRunbookFile(file)));
  return loaded.map((result) => {
    if (!result.ok) throw new Error(`${result.file}: ${JSON.stringify(result.problems)}`);
    return { runbook: result.runbook, hash: result.hash };
  });
}

/** A client whose Temporal is not there: every call fails as when the server is down. */
export async function unreachableTemporalClient(): Promise<Client> {
  const port = await findFreePort();
  return new Client({ connection: Connection.lazy({ address: `127.0.0.1:${port}`, connectTimeout: '1s' }) });
}

export async function createTestWebhook(options: Pick<WebhookServerOptions, 'client' | 'taskQueue'> & Partial<WebhookServerOptions>) {
  return createWebhookServer({
    runbooks: await loadAlertRunbooks(),
    auth: { token: testToken },
    logger: createLogger({ level: 'silent' }),
    temporalTimeoutMs: 3000,
    ...options,
  });
}

export const bearer = { authorization: `Bearer ${testToken}` };
