/**
 * `rebound status --watch` on a real terminal: the CLI runs under a pseudo-terminal (util-linux
 * `script`), so stdout is a TTY. It redraws its view in place (cursor up, clear to the end) while
 * the recovery runs, and ends with the report and the exit code of the outcome once the recovery
 * ends. The plain-lines path (stdout a pipe) is test/cli/watch.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { startRecoveryFromYaml } from '../helpers/recovery';
import { runCli } from '../helpers/run-cli';
import { useTestbed } from '../helpers/testbed';
import { assertBuilt, cliEntry } from '../helpers/worker-process';

const bed = useTestbed('cli-watch-tty');

/** Cursor up N lines, then clear to the end of the screen: how the view redraws itself (ESC shown as ⎋). */
const redraw = /⎋\[(\d+)A⎋\[0J/;

interface TerminalRun {
  /** What the terminal got, ESC shown as ⎋ and \r\n as \n. */
  output(): string;
  /** Resolves once the output matches. */
  printed(pattern: RegExp): Promise<void>;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];
afterAll(() => {
  // A failed test can leave a watch running: it would follow the recovery until the server is gone.
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
});

const shellQuote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** `rebound <args>` under a pseudo-terminal of util-linux `script` (-e: its exit code is the command's). */
function runInTerminal(args: string[], env: Record<string, string>): TerminalRun {
  assertBuilt();
  const command = [process.execPath, cliEntry, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', SHELL: '/bin/sh', TERM: 'xterm', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let raw = '';
  const output = () => raw.replaceAll('\u001b', '⎋').replace(/\r\n/g, '\n');
  const listeners = new Set<() => void>();
  const onData = (chunk: string) => {
    raw += chunk;
    for (const listener of listeners) listener();
  };
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    output,
    printed: (pattern) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output())) return;
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        check();
        void exited.then(() => reject(new Error(`exited before printing ${pattern}:\n${output()}`)));
      }),
    exited,
  };
}

describe('--watch on a terminal', () => {
  it('redraws in place while the recovery runs and ends with the report when it ends (exit 0)', async () => {
    const handle = await startRecoveryFromYaml(
      bed.client,
      bed.taskQueue,
      `
apiVersion: rebound/v1
kind: Runbook
metadata: { name: tty-watch }
spec:
  key: demo
  rto: 10m
  timeout: 5m
  steps:
    - id: sign-off
      approval: { approvers: [bob], timeout: 5m }
    - id: settle
      wait: { duration: 3s }`,
    );
    const env = { TEMPORAL_ADDRESS: bed.temporal.address, REBOUND_TASK_QUEUE: bed.taskQueue };
    const watch = runInTerminal(['status', handle.workflowId, '--watch'], env);

    // The first frame, then at least one redraw of it while the approval waits (the budget line
    // moves with the clock every second).
    await watch.printed(/▶ sign-off approval running/);
    await watch.printed(redraw);
    expect(watch.output()).toContain('phase: preflight');
    // What the approval waits for, and how to answer it, without opening the runbook.
    expect(watch.output()).toMatch(/ {6}waiting for approval: 0 of 1 from bob, until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\r?\n {6}answer: rebound approve\|reject tty-watch\/demo --step sign-off\r?\n/);

    const approved = await runCli(['approve', handle.workflowId, '--as', 'bob'], env);
    expect(approved.code).toBe(0);
    expect(await watch.exited).toBe(0);

    const output = watch.output();
    const redraws = [...output.matchAll(new RegExp(redraw.source, 'g'))];
    const frames = output.split(new RegExp(redraw.source.replace('(\\d+)', '\\d+')));
    expect(redraws.length).toBeGreaterThanOrEqual(2);
    expect(frames).toHaveLength(redraws.length + 1);
    // Each redraw moves up exactly over the frame drawn before it, so the view stays in place.
    const lineCount = (frame: string | undefined) => (frame ?? '').split('\n').length - 1;
    redraws.forEach((match, index) => expect(Number(match[1])).toBe(lineCount(frames[index])));
    for (const frame of frames.slice(0, -1)) expect(frame.split('\n')[0]).toBe('recovery tty-watch/demo  runbook tty-watch  key demo');
    // Redrawn as the recovery moved on: the approval answered, the wait (3 s, polled every second) running.
    expect(frames.some((frame) => frame.includes('✔ sign-off approval succeeded') && frame.includes('▶ settle wait running'))).toBe(true);
    // It ended because the recovery ended: the report replaces the view.
    expect(frames.at(-1)).toMatch(/^recovery tty-watch\/demo {2}runbook tty-watch {2}key demo\noutcome: recovered\n/);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
  });
});
