/**
 * `rebound demo` (`npm run demo`): the whole stack plus the demo fleet, then two real incidents
 * recovered end to end (a bad deploy rolled back in waves; a site outage failed over), with the
 * reports printed and the Temporal UI left running to explore until Ctrl-C.
 */
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { startRecovery } from '../../client/start-recovery';
import { loadConfig } from '../../runtime/config';
import { createLogger } from '../../runtime/logger';
import { CliError, ExitCode } from '../cli-error';
import { recoveryInput } from '../recovery-input';
import { formatReport } from '../report-format';
import { untilStopSignal } from '../signals';
import { startLocalStack, type LocalStack } from '../stack';
import { connectClient } from '../temporal-client';
import { fleetPort } from './fleet';

const runbooksDir = path.join(__dirname, '..', '..', '..', 'runbooks');

interface Incident {
  title: string;
  fault: { kind: string; body: unknown };
  runbook: string;
  params: (fleetUrl: string) => Record<string, string>;
}

const incidents: Incident[] = [
  {
    title: 'A bad deploy (checkout v42) breaks every checkout replica',
    fault: { kind: 'bad-deploy', body: { service: 'checkout', version: 'v42' } },
    runbook: 'service-rollback',
    params: (fleetUrl) => ({ service: 'checkout', fleetUrl }),
  },
  {
    title: 'The eu-west site goes down with all of checkout on it',
    fault: { kind: 'site-outage', body: { site: 'eu-west' } },
    runbook: 'region-failover',
    params: (fleetUrl) => ({ service: 'checkout', from: 'eu-west', to: 'us-east', fleetUrl }),
  },
];

async function inject(fleetUrl: string, fault: Incident['fault']): Promise<void> {
  const response = await fetch(`${fleetUrl}/v1/faults/${fault.kind}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault.body) });
  if (!response.ok) throw new CliError(`injecting ${fault.kind} failed: ${response.status} ${await response.text()}`);
}

async function recover(stack: LocalStack, taskQueue: string, incident: Incident, say: (line: string) => void): Promise<boolean> {
  const fleetUrl = stack.fleet?.url ?? '';
  say(`\n▶ ${incident.title}`);
  await inject(fleetUrl, incident.fault);
  // As `rebound start` does: child runbooks and policy files are pinned into the input.
  const input = await recoveryInput(incident.runbook, runbooksDir, incident.params(fleetUrl), { source: 'demo', by: 'rebound demo' });
  const client = await connectClient(loadConfig(), { address: stack.server.address });
  try {
    const handle = await startRecovery(client, input, { taskQueue });
    say(`  recovery ${handle.workflowId} started (runbook ${incident.runbook}); waiting for the outcome...`);
    const report = await handle.result();
    say(formatReport(report).replace(/^/gm, '  '));
    for (const finding of report.findings) say(`  finding: ${finding.kind}: ${finding.message}`);
    return report.outcome === 'recovered';
  } finally {
    await client.connection.close();
  }
}

export async function demoCommand(options: { headless?: boolean }): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, { process: 'demo' });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const stopSignal = untilStopSignal();
  // A fresh database each time: the demo's recoveries never meet those of an earlier run.
  const stateDir = path.join(config.stateDir, 'demo');
  await rm(stateDir, { recursive: true, force: true });
  say('Starting Temporal, a worker and the demo fleet...');
  const stack = await startLocalStack(config, logger, { stateDir, headless: options.headless, fleetPort: fleetPort(undefined, process.env) });
  say(`Temporal UI ${stack.server.uiUrl ?? '(headless)'}; fleet ${stack.fleet?.url}`);
  let allRecovered = true;
  try {
    for (const incident of incidents) allRecovered = (await recover(stack, config.taskQueue, incident, say)) && allRecovered;
    say(
      [
        '',
        'Explore the recoveries in the Temporal UI:',
        `  ${stack.server.uiUrl ?? '(headless: start without --headless for the UI)'}`,
        '  filter the list with  ReboundRunbook = "service-rollback"  or  ReboundPhase = "recovered";',
        '  open one: its summary says what it recovered, its event history reads like the runbook',
        '  (each activity and timer carries the step name), and the Queries tab answers `state`.',
        `Break the fleet again (curl -X POST ${stack.fleet?.url}/v1/faults/...; see examples/fleet/API.md) and run`,
        `  TEMPORAL_ADDRESS=${stack.server.address} npx rebound start <runbook> -p ...`,
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
    await Promise.race([stopSignal, stack.stoppedByItself]);
  } finally {
    await stack.stop();
  }
  return allRecovered ? ExitCode.ok : ExitCode.failed;
}
