/**
 * With `--json`, a failing command prints one JSON error object on stdout,
 * `{"error":{"code","message","hint"?}}`, nothing on stderr, and exits with the documented code
 * (2 usage, 1 failed or refused). The real CLI as a subprocess against a real dev server and worker.
 */
import { startRecoveryFromYaml } from '../helpers/recovery';
import { runCli, type CliRun } from '../helpers/run-cli';
import { useTestbed } from '../helpers/testbed';

const bed = useTestbed('cli-json-errors');
const rebound = (args: string[]) => runCli(args, { TEMPORAL_ADDRESS: bed.temporal.address, REBOUND_TASK_QUEUE: bed.taskQueue });

interface JsonError {
  error: { code: string; message: string; hint?: string };
}

/** The run printed exactly one JSON error object on stdout and nothing on stderr. */
function jsonError(run: CliRun): JsonError {
  expect(run.stderr).toBe('');
  expect(run.stdout.endsWith('\n')).toBe(true);
  expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);
  return JSON.parse(run.stdout) as JsonError;
}

describe('--json errors', () => {
  it('a usage error: code usage, exit 2, with commander’s suggestion as the hint', async () => {
    const invalid = await rebound(['list', '--limit', '0', '--json']);
    expect(invalid.code).toBe(2);
    expect(jsonError(invalid)).toEqual({ error: { code: 'usage', message: 'option \'--limit <n>\' argument \'0\' is invalid. expected a whole number of at least 1, got "0"' } });

    const misspelt = await rebound(['list', '--runing', '--json']);
    expect(misspelt.code).toBe(2);
    expect(jsonError(misspelt)).toEqual({ error: { code: 'usage', message: "unknown option '--runing'", hint: 'Did you mean --running?' } });

    const human = await rebound(['list', '--runing']);
    expect(human).toEqual({ code: 2, stdout: '', stderr: "rebound: unknown option '--runing'\n(Did you mean --running?)\n" });
  });

  it('an unknown recovery: code not-found, exit 1, for status, report and the control acts', async () => {
    for (const args of [['status', 'nope/nothing'], ['status', 'nope/nothing', '--watch'], ['report', 'nope/nothing'], ['pause', 'nope/nothing']]) {
      const run = await rebound([...args, '--json']);
      expect({ args, code: run.code }).toEqual({ args, code: 1 });
      expect(jsonError(run)).toMatchObject({ error: { code: 'not-found', message: 'no recovery with id nope/nothing', hint: expect.any(String) } });
    }
  });

  it('a refused control act: code refused, exit 1, with the recovery’s reason', async () => {
    const handle = await startRecoveryFromYaml(
      bed.client,
      bed.taskQueue,
      `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: json-refusal }
spec:
  key: demo
  steps:
    - id: only
      action: { name: noop, with: { output: done } }`,
    );
    expect((await handle.result()).outcome).toBe('recovered');

    const run = await rebound(['skip', handle.workflowId, '--step', 'only', '--as', 'alice', '--json']);
    expect(run.code).toBe(1);
    const { error } = jsonError(run);
    expect(error.code).toBe('refused');
    expect(error.message).toMatch(/^skip refused: the recovery has ended \(completed\): /);
  });

  it('Temporal out of reach: code unreachable, exit 1', async () => {
    const run = await runCli(['list', '--json'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(jsonError(run)).toMatchObject({ error: { code: 'unreachable', message: expect.stringMatching(/^cannot reach Temporal at 127\.0\.0\.1:1: /), hint: expect.any(String) } });
  });

  it('a bad configuration variable: code usage, exit 2', async () => {
    const run = await runCli(['list', '--json'], { TEMPORAL_ADDRESS: bed.temporal.address, REBOUND_TASK_QUEUE: 'two words' });
    expect(run.code).toBe(2);
    expect(jsonError(run)).toEqual({ error: { code: 'usage', message: 'REBOUND_TASK_QUEUE: expected a task queue name without spaces, got "two words"' } });
  });
});
