import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { ActivityFailureTypes, type ActionRequest } from '../../model/action-contract';
import { activityEnvironment, applicationFailureOf, runIn, silentLogger } from './support';

const node = process.execPath;
const { exec } = createActivities({ execAllowList: [node, 'echo', '/nonexistent/tool'], logger: silentLogger });

function actionRequest(input: unknown): ActionRequest {
  return { input, idempotencyKey: 'wf-1/flush-cache', runbook: 'restart-service', step: 'flush-cache' };
}

function run(input: unknown) {
  return runIn(activityEnvironment(), exec, actionRequest(input));
}

/** A node script run as `node -e <script> ...args`. */
function nodeScript(script: string, ...args: string[]): string[] {
  return [node, '-e', script, ...args];
}

let workDir: string;
let marker: string;
beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'rebound-exec-'));
  marker = path.join(workDir, 'pwned');
});
afterEach(() => rmSync(workDir, { recursive: true, force: true }));

describe('exec', () => {
  it('runs an allow-listed path with its arguments', async () => {
    const result = await run({ command: nodeScript('process.stdout.write(process.argv.slice(1).join(","))', 'a', 'b') });

    expect(result).toEqual({ output: { exitCode: 0, stdout: 'a,b', stderr: '' }, attempt: 1 });
  });

  it('runs an allow-listed bare name found on the worker PATH', async () => {
    const { output } = await run({ command: ['echo', 'hello'] });

    expect(output).toEqual({ exitCode: 0, stdout: 'hello\n', stderr: '' });
  });

  it('refuses a command off the allow-list before running anything', async () => {
    const failure = await applicationFailureOf(run({ command: ['touch', marker] }));

    expect(failure.type).toBe(ActivityFailureTypes.commandNotAllowed);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`"touch" is not on this worker's exec allow-list`);
    expect(existsSync(marker)).toBe(false);
  });

  it.each([['/usr/bin/echo'], ['./echo']])('does not let the bare entry echo allow %s', async (command) => {
    const failure = await applicationFailureOf(run({ command: [command, 'hello'] }));

    expect(failure.type).toBe(ActivityFailureTypes.commandNotAllowed);
  });

  it('passes shell syntax in arguments literally', async () => {
    const args = [
      `; touch ${marker}`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `x\ntouch ${marker}`,
      `| touch ${marker} && touch ${marker}`,
      '$HOME *',
    ];
    const { output } = await run({ command: nodeScript('process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...args), cwd: workDir });

    expect(JSON.parse((output as { stdout: string }).stdout)).toEqual(args);
    expect(existsSync(marker)).toBe(false);
  });

  it('gives the command only PATH, the input env and the idempotency key', async () => {
    process.env.REBOUND_TEST_WORKER_SECRET = 'hunter2';
    try {
      const { output } = await run({
        command: nodeScript('process.stdout.write(JSON.stringify(process.env))'),
        env: { GREETING: 'hello' },
      });

      expect(JSON.parse((output as { stdout: string }).stdout)).toEqual({
        PATH: process.env.PATH,
        GREETING: 'hello',
        REBOUND_IDEMPOTENCY_KEY: 'wf-1/flush-cache',
      });
    } finally {
      delete process.env.REBOUND_TEST_WORKER_SECRET;
    }
  });

  it.each([
    [{ command: [] }, 'invalid input for exec: command: Too small: expected array to have >=1 items'],
    [{ command: ['echo'], timeout: 5 }, 'invalid input for exec: timeout: expected a duration like 30s, 5m or 1h30m'],
    [{ command: ['echo'], timeout: 'soon' }, 'invalid input for exec: timeout: expected a duration like 30s, 5m or 1h30m, got "soon"'],
    [{ command: ['echo'], env: { PATH: '/tmp' } }, 'invalid input for exec: env.PATH: set by the worker, not by runbooks'],
    [{ command: ['echo', 'a\0b'] }, 'invalid input for exec: command[1]: contains a NUL character'],
    [{ command: ['echo'], shell: true }, 'invalid input for exec: shell: unknown field'],
  ])('refuses invalid input %j', async (input, message) => {
    const failure = await applicationFailureOf(run(input));

    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(message);
  });

  it('fails retryably with the exit code and the end of stderr on a non-zero exit', async () => {
    const failure = await applicationFailureOf(
      run({ command: nodeScript('console.log("flushing"); console.error("disk full"); process.exit(3)') }),
    );

    expect(failure.type).toBe(ActivityFailureTypes.commandFailed);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe(`"${node}" exited with code 3: disk full`);
    expect(failure.details).toEqual([{ exitCode: 3, signal: null, stdout: 'flushing\n', stderr: 'disk full\n' }]);
  });

  it('fails retryably when an allow-listed command cannot be started', async () => {
    const failure = await applicationFailureOf(run({ command: ['/nonexistent/tool'] }));

    expect(failure.type).toBe(ActivityFailureTypes.commandFailed);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/^"\/nonexistent\/tool" could not be started: .*ENOENT/);
  });

  it('keeps the end of a long output', async () => {
    const { output } = await run({ command: nodeScript('process.stdout.write("x".repeat(200000) + "END")') });
    const { stdout } = output as { stdout: string };

    expect(stdout).toHaveLength(2 * 1024 + 1);
    expect(stdout.startsWith('…x')).toBe(true);
    expect(stdout.endsWith('xEND')).toBe(true);
  });

  it('completes when the command exits even though a process it started keeps its output open', async () => {
    const script = [
      'const { spawn } = require("child_process");',
      'const orphan = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "inherit", detached: true });',
      'orphan.unref();',
      'console.log(orphan.pid);',
    ].join(' ');
    const { output } = await run({ command: nodeScript(script), timeout: '30s' });
    const orphanPid = Number((output as { stdout: string }).stdout);
    process.kill(orphanPid);

    expect(output).toMatchObject({ exitCode: 0 });
  });

  it('kills a command that runs past its timeout', async () => {
    const failure = await applicationFailureOf(run({ command: nodeScript('setInterval(() => {}, 1000)'), timeout: '300ms' }));

    expect(failure.type).toBe(ActivityFailureTypes.commandTimedOut);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe(`"${node}" ran past its 300ms timeout and was killed with SIGTERM`);
  });

  it('kills with SIGKILL a command that ignores SIGTERM', async () => {
    const script = 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); setInterval(() => {}, 1000)';
    const failure = await applicationFailureOf(run({ command: nodeScript(script), timeout: '2s' }));

    expect(failure.type).toBe(ActivityFailureTypes.commandTimedOut);
    expect(failure.details).toEqual([expect.objectContaining({ signal: 'SIGKILL', stdout: 'ignoring SIGTERM\n' })]);
  });

  it('kills the command when the activity is cancelled', async () => {
    const listener = net.createServer();
    listener.listen(0, '127.0.0.1');
    await once(listener, 'listening');
    try {
      const { port } = listener.address() as net.AddressInfo;
      const environment = activityEnvironment();
      const connected = once(listener, 'connection');
      const script = `require("net").connect(${port}, "127.0.0.1"); setInterval(() => {}, 1000)`;
      const running = runIn(environment, exec, actionRequest({ command: nodeScript(script) }));
      const [socket] = (await connected) as [net.Socket];
      const disconnected = once(socket, 'close');
      environment.cancel();

      await expect(running).rejects.toBeInstanceOf(CancelledFailure);
      await disconnected;
    } finally {
      listener.close();
    }
  });
});
