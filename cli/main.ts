#!/usr/bin/env node
/** The `rebound` command line. Exit codes: 0 ok, 1 failed or refused, 2 usage error. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../runtime/config';
import { CliError, ExitCode } from './cli-error';
import { devCommand } from './commands/dev';
import { startCommand } from './commands/start';
import { statusCommand } from './commands/status';
import { validateCommand } from './commands/validate';
import { workerCommand } from './commands/worker';

function collectParam(pair: string, previous: Record<string, string>): Record<string, string> {
  const separator = pair.indexOf('=');
  if (separator <= 0) throw new InvalidArgumentError(`expected name=value, got "${pair}"`);
  return { ...previous, [pair.slice(0, separator)]: pair.slice(separator + 1) };
}

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
  .configureOutput({ outputError: (message, write) => write(`rebound: ${message.replace(/^error: /, '')}`) });

program
  .command('validate')
  .description('validate runbook files; prints file:line:col: field: message for every problem')
  .argument('<paths...>', 'runbook files or directories (searched for *.yaml, *.yml)')
  .option('--json', 'print the results as JSON')
  .addHelpText('after', '\nExamples:\n  rebound validate runbooks/\n  rebound validate runbooks/restart-service.yaml --json')
  .action(run(validateCommand));

program
  .command('start')
  .description('start a recovery from a runbook; prints the workflow id')
  .argument('<runbook>', 'runbook name (looked up in --runbooks) or path to a runbook file')
  .option('-p, --param <name=value>', 'a runbook param (repeatable)', collectParam, {})
  .option('--wait', 'wait for the outcome, print the report; exit 0 only when recovered')
  .option('--json', 'print JSON')
  .addOption(new Option('--runbooks <dir>', 'directory of runbooks').env('REBOUND_RUNBOOKS_DIR').default('runbooks'))
  .addOption(new Option('--as <identity>', 'who is starting it (recorded)').env('REBOUND_USER'))
  .addHelpText('after', '\nExamples:\n  rebound start restart-service --param service=checkout --param baseUrl=http://127.0.0.1:9000 --wait\n  rebound start ./my-runbook.yaml -p service=checkout --json')
  .action(run(startCommand));

program
  .command('status')
  .description("show a recovery's phase, steps, compensations and time budget (or its report once ended)")
  .argument('<workflow-id>', 'the id printed by `rebound start`')
  .option('--json', 'print JSON')
  .action(run(statusCommand));

program
  .command('worker')
  .description('run a worker against TEMPORAL_ADDRESS (namespace TEMPORAL_NAMESPACE, task queue REBOUND_TASK_QUEUE)')
  .action(run(workerCommand));

program
  .command('dev')
  .description('run the whole stack locally: Temporal dev server (state in .rebound/, UI on 8233) and a worker')
  .option('--headless', 'no Temporal Web UI')
  .action(run(devCommand));

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
