/**
 * Saved workflow histories guard the interpreter: test/workflows/replay.test.ts replays them with
 * the current workflow code, so a change that would break running recoveries fails CI.
 * Record them again (after an intended, versioned change) with REBOUND_RECORD_HISTORIES=1 npm test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const historiesDir = path.join(__dirname, '..', 'histories');

export async function saveHistoryWhenRecording(client: Client, workflowId: string, name: string): Promise<void> {
  if (process.env.REBOUND_RECORD_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  mkdirSync(historiesDir, { recursive: true });
  // The canonical proto3 JSON form, as `temporal workflow show --output json` writes it.
  writeFileSync(path.join(historiesDir, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
}
