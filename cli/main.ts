#!/usr/bin/env node
/** The `rebound` command line. Exit codes: 0 ok, 1 failed or refused, 2 usage error. */
import { userInfo } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../runtime/config';
import { CliError, ExitCode } from './cli-error';
import type { StartCommandOptions } from './commands/start';

function collectParam(pair: string, previous: Record<string, string>): Record<string, string> {
  const separator = pair.indexOf('=');
  if (separator <= 0) throw new InvalidArgumentError(`expected name=value, got "${pair}"`);
  return { ...previous, [pair.slice(0, separator)]: pair.slice(separator + 1) };
}

// Commands load lazily: `validate` should not pay for loading the Temporal SDK.
let exitCode: number = ExitCode.ok;
const run =
  <Args extends unknown[]>(command: (...args: Args) => Promise<number>) =>
  async (...args: Args) => {
    exitCode = await command(...args);
  };

const program = new Command('rebound')
  .description('Recovery runbooks as durable Temporal workflows.')
  .showSuggestionAfterError()
  .exitOverride()
  .configureOutput({ outputError: (message, write) => write(`rebound: ${message.replace(/^error: /, '')}`) })
  .addHelpText(
    'after',
    [
      '',
      'Exit codes: 0 ok, 1 failed or refused (e.g. a recovery that did not recover), 2 usage error.',
      'Connection: TEMPORAL_ADDRESS (localhost:7233), TEMPORAL_NAMESPACE (default), REBOUND_TASK_QUEUE (rebound).',
      'Logs: REBOUND_LOG_LEVEL (info). Run `rebound <command> --help` for examples.',
    ].join('\n'),
  );

program
  .command('validate')
  .description('validate runbook files; prints file:line:col: field: message for every problem')
  .argument('<paths...>', 'runbook files or directories (searched for *.yaml, *.yml)')
  .option('--json', 'print the results as JSON')
  .addHelpText('after', '\nExamples:\n  rebound validate runbooks/\n  rebound validate runbooks/restart-service.yaml --json')
  .action(run(async (paths: string[], options: { json?: boolean }) => (await import('./commands/validate')).validateCommand(paths, options)));

program
  .command('start')
  .description('start a recovery from a runbook; prints the workflow id')
  .argument('<runbook>', 'runbook name (looked up in --runbooks) or path to a runbook file')
  .option('-p, --param <name=value>', 'a runbook param (repeatable)', collectParam, {})
  .option('--wait', 'wait for the outcome, print the report; exit 0 only when recovered')
  .option('--json', 'print JSON')
  .addOption(new Option('--runbooks <dir>', 'directory of runbooks').env('REBOUND_RUNBOOKS_DIR').default('runbooks'))
  .addOption(new Option('--as <identity>', 'who is starting it (recorded; default: the OS user)').env('REBOUND_USER').default(userInfo().username))
  .addHelpText('after', '\nExamples:\n  rebound start restart-service --param service=checkout --param controlUrl=http://127.0.0.1:9000 --wait\n  rebound start ./my-runbook.yaml -p service=checkout --json')
  .action(run(async (runbook: string, options: StartCommandOptions) => (await import('./commands/start')).startCommand(runbook, options)));

program
  .command('status')
  .description("show a recovery's phase, steps, compensations and time budget (or its report once ended)")
  .argument('<workflow-id>', 'the id printed by `rebound start`')
  .option('--json', 'print JSON')
  .action(run(async (id: string, options: { json?: boolean }) => (await import('./commands/status')).statusCommand(id, options)));

program
  .command('setup')
  .description('register the search attributes ReboundRunbook, ReboundKey, ReboundPhase on TEMPORAL_NAMESPACE (idempotent; `rebound dev` needs none)')
  .option('--json', 'print JSON')
  .addHelpText('after', '\nExamples:\n  TEMPORAL_ADDRESS=temporal.internal:7233 TEMPORAL_NAMESPACE=ops rebound setup\n  rebound setup --json')
  .action(run(async (options: { json?: boolean }) => (await import('./commands/setup')).setupCommand(options)));

program
  .command('worker')
  .description('run a worker against TEMPORAL_ADDRESS (namespace TEMPORAL_NAMESPACE, task queue REBOUND_TASK_QUEUE)')
  .action(run(async () => (await import('./commands/worker')).workerCommand()));

program
  .command('serve')
  .description('run the webhook server: Alertmanager alerts start or join recoveries (127.0.0.1:REBOUND_HTTP_PORT, default 8080)')
  .addOption(new Option('--runbooks <dir>', 'directory of runbooks (their spec.triggers route alerts)').env('REBOUND_RUNBOOKS_DIR').default('runbooks'))
  .option('--no-auth', 'accept alerts without a bearer token (default: REBOUND_WEBHOOK_TOKEN is required)')
  .addHelpText('after', '\nExamples:\n  REBOUND_WEBHOOK_TOKEN=$(openssl rand -hex 24) rebound serve\n  rebound serve --runbooks ./runbooks --no-auth')
  .action(run(async (options: { runbooks: string; auth: boolean }) => (await import('./commands/serve')).serveCommand(options)));

program
  .command('dev')
  .description('run the whole stack locally: Temporal dev server (state in .rebound/, UI on 8233), a worker, and the webhook server when REBOUND_WEBHOOK_TOKEN is set')
  .option('--headless', 'no Temporal Web UI')
  .option('--fleet', 'also run the demo fleet and give the worker its inventory (examples/inventory.yaml)')
  .addOption(new Option('--runbooks <dir>', 'runbooks whose triggers the webhook server routes to (when REBOUND_WEBHOOK_TOKEN is set)').env('REBOUND_RUNBOOKS_DIR').default('runbooks'))
  .action(run(async (options: { headless?: boolean; fleet?: boolean; runbooks: string }) => (await import('./commands/dev')).devCommand(options)));

program
  .command('demo')
  .description('the stack plus the demo fleet, two incidents recovered end to end, then the UI to explore')
  .option('--headless', 'no Temporal Web UI')
  .action(run(async (options: { headless?: boolean }) => (await import('./commands/demo')).demoCommand(options)));

program
  .command('fleet')
  .description('run the demo fleet (a multi-site deployment in memory) for demos and tests')
  .option('--seed <file>', 'seed YAML (default examples/fleet/seed.yaml)')
  .option('--port <port>', 'port on 127.0.0.1 (default FLEET_PORT or 9400)')
  .addHelpText('after', '\nExamples:\n  rebound fleet\n  curl -X POST -H content-type:application/json -d \'{"service":"checkout","version":"v42"}\' http://127.0.0.1:9400/v1/faults/bad-deploy')
  .action(run(async (options: { seed?: string; port?: string }) => (await import('./commands/fleet')).fleetCommand(options)));

function fail(message: string, code: number, hint?: string): void {
  process.stderr.write(`rebound: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
  process.exitCode = code;
}

program.parseAsync(process.argv).then(
  () => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    } else if (error instanceof CliError) {
      fail(error.message, error.exitCode, error.hint);
    } else if (error instanceof ConfigError) {
      fail(error.message, ExitCode.usage);
    } else {
      fail(error instanceof Error ? error.message.split('\n')[0] ?? String(error) : String(error), ExitCode.failed);
      if (process.env.REBOUND_DEBUG) console.error(error);
    }
  },
);
