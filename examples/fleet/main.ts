/**
 * The demo fleet as a process: `node dist/examples/fleet/main.js [--seed file] [--port N]`
 * (what `npm run fleet` runs; `rebound fleet` is the same command).
 */
import { parseArgs } from 'node:util';
import { CliError, ExitCode } from '../../cli/cli-error';
import { ConfigError } from '../../runtime/config';
import { fleetCommand } from '../../cli/commands/fleet';

function fail(message: string, code: number, hint?: string): void {
  process.stderr.write(`fleet: ${message}\n${hint ? `hint: ${hint}\n` : ''}`);
  process.exitCode = code;
}

let args;
try {
  args = parseArgs({ options: { seed: { type: 'string' }, port: { type: 'string' } }, strict: true }).values;
} catch (error) {
  fail((error as Error).message, ExitCode.usage, 'usage: node dist/examples/fleet/main.js [--seed file] [--port N]');
}
if (args !== undefined) {
  fleetCommand(args).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof CliError) fail(error.message, error.exitCode, error.hint);
      else if (error instanceof ConfigError) fail(error.message, ExitCode.usage);
      else fail(error instanceof Error ? error.message : String(error), ExitCode.failed);
    },
  );
}
