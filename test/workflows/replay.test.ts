/**
 * Replays saved histories of real recoveries (recovered, rolled back, worker crash, stack restart,
 * steered by operators, refused by the authorization policy) with the current interpreter: a change that would break recoveries in
 * flight fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from '@temporalio/worker';
import { createLogger } from '../../runtime/logger';
import { installTemporalRuntime } from '../../runtime/telemetry';
import { historiesDir } from '../helpers/histories';
import { workflowBundle } from '../helpers/worker';

// Replay workers log every state change at info: keep the test output to what matters.
installTemporalRuntime(createLogger({ level: 'error', destination: process.stderr, pretty: false }));

const files = readdirSync(historiesDir).filter((file) => file.endsWith('.json')).sort();

it('has the saved histories of every recorded scenario', () => {
  expect(files).toEqual(['authz-refusals.json', 'operator-acts.json', 'recovered.json', 'rolled-back.json', 'stack-restart.json', 'worker-crash.json']);
});

it('replays every saved history without non-determinism', async () => {
  const histories = files.map((file) => ({
    workflowId: path.basename(file, '.json'),
    history: JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8')) as unknown,
  }));
  const results: { workflowId: string; error?: unknown }[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories as never)) {
    results.push({ workflowId: result.workflowId, error: result.error });
  }
  expect(results.map((result) => result.workflowId).sort()).toEqual(histories.map((history) => history.workflowId).sort());
  for (const result of results) expect({ workflowId: result.workflowId, error: result.error }).toEqual({ workflowId: result.workflowId, error: undefined });
}, 120_000);
