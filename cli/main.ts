#!/usr/bin/env node
/** The `rebound` command line. Exit codes: 0 ok, 1 failed or refused, 2 usage error. */
import { userInfo } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../runtime/config';
import { CliError, ExitCode, type CliErrorCode } from './cli-error';
import { phases, type OperatorActKind } from '../model/recovery';
import type { ControlCommandOptions } from './commands/control';
import type { ListCommandOptions } from './commands/list';
import type { PlanCommandOptions } from './commands/plan';
import type { StartCommandOptions } from './commands/start';

function collectParam(pair: string, previous: Record<string, string>): Record<string, string> {
  const separator = pair.indexOf('=');
  if (separator <= 0) throw new InvalidArgumentError(`expected name=value, got "${pair}"`);
  return { ...previous, [pair.slice(0, separator)]: pair.slice(separator + 1) };
}

function positiveInteger(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${text}"`);
  return Number(text);
}

/** With `--json` before any `--`, an error is printed as a JSON object on stdout, where scripts read the result. */
function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
}
const jsonOutput = wantsJson(process.argv.slice(2));

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
  // With --json the usage error is printed once, as JSON, when parsing fails (below).
  .configureOutput({ outputError: (message, write) => (jsonOutput ? undefined : write(`rebound: ${message.replace(/^error: /, '')}`)) })
  .addHelpText(
    'after',
    [
      '',
      'Exit codes: 0 ok, 1 failed or refused (e.g. a recovery that did not recover), 2 usage error.',
      'With --json, an error is printed as {"error":{"code","message","hint"}} on stdout (codes: usage, not-found, refused, unreachable, failed).',
      'Connection: TEMPORAL_ADDRESS (localhost:7233), TEMPORAL_NAMESPACE (default), TEMPORAL_API_KEY, TEMPORAL_TLS*,',
      'TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE (the Temporal SDK environment configuration, for every command, worker and serve too);',
      'REBOUND_TASK_QUEUE (rebound).',
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
  .option('--watch', 'show live progress until the recovery ends; exit 0 only when recovered')
  .option('--json', 'print JSON (with --watch: one JSON state per change, then the report)')
  .addOption(new Option('--runbooks <dir>', 'directory of runbooks').env('REBOUND_RUNBOOKS_DIR').default('runbooks'))
  .addOption(new Option('--as <identity>', 'who is starting it (recorded; default: the OS user)').env('REBOUND_USER').default(userInfo().username))
  .addHelpText(
    'after',
    '\nExamples:\n  rebound start restart-service --param service=checkout --param controlUrl=http://127.0.0.1:9000 --wait\n  rebound start service-rollback -p service=checkout --watch\n  rebound start ./my-runbook.yaml -p service=checkout --json',
  )
  .action(run(async (runbook: string, options: StartCommandOptions) => (await import('./commands/start')).startCommand(runbook, options)));

program
  .command('plan')
  .summary('dry run: the steps, their targets and the read-only preflights; changes nothing')
  .description('dry run: resolve params and templates, list the steps and the targets each would touch, and run the read-only preflights (failover capacity, independence and health; rollback drift) against the real systems; changes nothing; exit 1 if a preflight would refuse')
  .argument('<runbook>', 'runbook name (looked up in --runbooks) or path to a runbook file')
  .option('-p, --param <name=value>', 'a runbook param (repeatable)', collectParam, {})
  .option('--json', 'print the plan as JSON')
  .addOption(new Option('--runbooks <dir>', 'directory of runbooks').env('REBOUND_RUNBOOKS_DIR').default('runbooks'))
  .addOption(new Option('--inventory <file>', 'the inventory the driver steps act on').env('REBOUND_INVENTORY'))
  .addHelpText(
    'after',
    '\nExamples:\n  REBOUND_INVENTORY=examples/inventory.yaml rebound plan region-failover -p service=checkout -p from=eu-west -p to=us-east\n  rebound plan service-rollback -p service=checkout --inventory examples/inventory.yaml --json',
  )
  .action(run(async (runbook: string, options: PlanCommandOptions) => (await import('./commands/plan')).planCommand(runbook, options)));

program
  .command('status')
  .description("show a recovery's phase, steps, targets, findings and time budget (or its report once ended)")
  .argument('<workflow-id>', 'the id printed by `rebound start`')
  .option('--watch', 'follow it until it ends (redraws on a terminal, prints changed lines otherwise); exit 0 only when recovered')
  .option('--json', 'print JSON (with --watch: one JSON state per change, then the report)')
  .addHelpText('after', '\nExamples:\n  rebound status service-rollback/checkout\n  rebound status service-rollback/checkout --watch\n  rebound status region-failover/checkout --json')
  .action(run(async (id: string, options: { json?: boolean; watch?: boolean }) => (await import('./commands/status')).statusCommand(id, options)));

program
  .command('list')
  .description('list recoveries (Temporal visibility, filtered by the ReboundPhase and ReboundRunbook search attributes), newest first')
  .addOption(new Option('--phase <phase>', 'only recoveries in this phase (or with this outcome)').choices(phases))
  .option('--runbook <name>', 'only recoveries of this runbook')
  .option('--running', 'only recoveries still running')
  .option('--limit <n>', 'at most this many', positiveInteger, 20)
  .option('--json', 'print JSON')
  .addHelpText('after', '\nExamples:\n  rebound list --running\n  rebound list --phase mitigating\n  rebound list --runbook service-rollback --limit 5 --json')
  .action(run(async (options: ListCommandOptions) => (await import('./commands/list')).listCommand(options)));

program
  .command('report')
  .description("a recovery's report: outcome, timeline, time-to-recover vs RTO, steps, targets, findings, compensations, operator acts (partial while it runs)")
  .argument('<workflow-id>', 'the id printed by `rebound start`')
  .addOption(new Option('--format <format>', 'Markdown or JSON').choices(['md', 'json']).default('md'))
  .option('--json', 'the same as --format json')
  .addHelpText('after', '\nExamples:\n  rebound report service-rollback/checkout > postmortem.md\n  rebound report region-failover/checkout --format json')
  .action(run(async (id: string, options: { format: 'md' | 'json'; json?: boolean }) => (await import('./commands/report')).reportCommand(id, options)));

program
  .command('history')
  .description("a runbook's recoveries, finished ones included, with outcome and time-to-recover")
  .argument('<runbook>', 'runbook name')
  .option('--limit <n>', 'at most this many', positiveInteger, 20)
  .option('--json', 'print JSON')
  .addHelpText('after', '\nExamples:\n  rebound history service-rollback\n  rebound history region-failover --json')
  .action(run(async (runbook: string, options: { limit: number; json?: boolean }) => (await import('./commands/history')).historyCommand(runbook, options)));

/** The operator acts on a running recovery: one command each, the same options. */
const controlCommands: { act: OperatorActKind; summary: string; step?: 'optional' | 'required'; reason?: boolean; examples: string[] }[] = [
  {
    act: 'approve',
    summary: "approve a recovery's pending approval step (you must be one of its approvers)",
    step: 'optional',
    reason: true,
    examples: ['rebound approve region-evacuation/checkout --as alice', 'rebound approve region-evacuation/checkout --step sign-off --reason "checked capacity" --json'],
  },
  {
    act: 'reject',
    summary: "reject a recovery's pending approval step: the step fails and completed steps are undone",
    step: 'optional',
    reason: true,
    examples: ['rebound reject region-evacuation/checkout --as bob --reason "peak traffic, wait an hour"'],
  },
  { act: 'pause', summary: 'pause a recovery: the running step finishes, no new step starts until resume', reason: true, examples: ['rebound pause service-rollback/checkout --reason "investigating drift"'] },
  { act: 'resume', summary: 'resume a paused recovery', reason: true, examples: ['rebound resume service-rollback/checkout'] },
  {
    act: 'abort',
    summary: 'abort a recovery: cancel the running step, undo the completed ones; the outcome is aborted',
    reason: true,
    examples: ['rebound abort region-failover/checkout --reason "wrong region"'],
  },
  {
    act: 'skip',
    summary: 'skip a step: a pending one when reached, a running gate/wait/watch now, or a held one (onFailure: hold)',
    step: 'required',
    reason: true,
    examples: ['rebound skip restart-service/checkout --step settle', 'rebound skip service-rollback/checkout --step healthy --reason "dashboard confirms" --json'],
  },
  {
    act: 'retry',
    summary: 'run a held step again (a failed step of a runbook with onFailure: hold)',
    step: 'required',
    reason: true,
    examples: ['rebound retry restart-service/checkout --step restart --reason "unblocked the node"'],
  },
];

for (const spec of controlCommands) {
  const command = program
    .command(spec.act)
    .description(spec.summary)
    .argument('<workflow-id>', 'the id printed by `rebound start`, e.g. restart-service/checkout')
    .addOption(new Option('--as <identity>', 'who acts (recorded in the recovery; default REBOUND_USER, else the OS user)').env('REBOUND_USER').default(userInfo().username))
    .option('--json', 'print JSON');
  if (spec.step === 'required') command.requiredOption('--step <id>', 'the step (an id of the runbook\'s own steps)');
  if (spec.step === 'optional') command.option('--step <id>', 'the approval step meant (refused if another one is waiting)');
  if (spec.reason) command.option('--reason <text>', 'why (recorded)');
  command
    .addHelpText('after', `\nExamples:\n${spec.examples.map((example) => `  ${example}`).join('\n')}\n\nExit codes: 0 done, 1 refused (ended recovery, unknown step, step not in a state that allows it), 2 usage.`)
    .action(run(async (id: string, options: ControlCommandOptions) => (await import('./commands/control')).controlCommand(spec.act, id, options)));
}

program
  .command('setup')
  .description('register the search attributes ReboundRunbook, ReboundKey, ReboundPhase on TEMPORAL_NAMESPACE (idempotent; `rebound dev` needs none)')
  .option('--json', 'print JSON')
  .addHelpText('after', '\nExamples:\n  TEMPORAL_ADDRESS=temporal.internal:7233 TEMPORAL_NAMESPACE=ops rebound setup\n  rebound setup --json')
  .action(run(async (options: { json?: boolean }) => (await import('./commands/setup')).setupCommand(options)));

program
  .command('worker')
  .description('run a worker on task queue REBOUND_TASK_QUEUE; connects like every command (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TLS, API key, TEMPORAL_PROFILE)')
  .addHelpText('after', '\nExamples:\n  TEMPORAL_ADDRESS=temporal.internal:7233 TEMPORAL_NAMESPACE=ops rebound worker\n  TEMPORAL_CONFIG_FILE=/etc/rebound/temporal.toml TEMPORAL_PROFILE=prod REBOUND_INVENTORY=inventory.yaml rebound worker')
  .action(run(async () => (await import('./commands/worker')).workerCommand()));

program
  .command('serve')
  .description('run the webhook server: Alertmanager and Grafana alerts start or join recoveries (127.0.0.1:REBOUND_HTTP_PORT, default 8080)')
  .addOption(new Option('--runbooks <dir>', 'directory of runbooks (their spec.triggers route alerts)').env('REBOUND_RUNBOOKS_DIR').default('runbooks'))
  .option('--no-auth', 'accept alerts without credentials, loudly (default: REBOUND_WEBHOOK_TOKEN or REBOUND_WEBHOOK_CONFIG is required)')
  .addHelpText('after', '\nExamples:\n  REBOUND_WEBHOOK_TOKEN=$(openssl rand -hex 24) rebound serve\n  REBOUND_WEBHOOK_CONFIG=/etc/rebound/webhook.yaml rebound serve --runbooks ./runbooks\n  rebound serve --runbooks ./runbooks --no-auth')
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

function fail(error: { message: string; exitCode: number; code: CliErrorCode; hint?: string }): void {
  if (jsonOutput) {
    const { code, message, hint } = error;
    process.stdout.write(`${JSON.stringify({ error: { code, message, ...(hint === undefined ? {} : { hint }) } })}\n`);
  } else {
    process.stderr.write(`rebound: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
  }
  process.exitCode = error.exitCode;
}

/** commander's message: `error: <what>`, sometimes followed by `(Did you mean <x>?)`. */
function usageError(error: CommanderError): { message: string; exitCode: number; code: CliErrorCode; hint?: string } {
  const [first = '', ...rest] = error.message.replace(/^error: /, '').split('\n');
  const suggestion = /^\((.*)\)$/.exec(rest.join(' ').trim())?.[1];
  return { message: first, exitCode: ExitCode.usage, code: 'usage', ...(suggestion === undefined ? {} : { hint: suggestion }) };
}

program.parseAsync(process.argv).then(
  () => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    if (error instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      if (error.exitCode === 0) process.exitCode = ExitCode.ok;
      else if (jsonOutput && error.code !== 'commander.help') fail(usageError(error));
      else process.exitCode = ExitCode.usage;
    } else if (error instanceof CliError) {
      fail(error);
    } else if (error instanceof ConfigError) {
      fail({ message: error.message, exitCode: ExitCode.usage, code: 'usage' });
    } else {
      fail({ message: error instanceof Error ? (error.message.split('\n')[0] ?? String(error)) : String(error), exitCode: ExitCode.failed, code: 'failed' });
      if (process.env.REBOUND_DEBUG) console.error(error);
    }
  },
);
