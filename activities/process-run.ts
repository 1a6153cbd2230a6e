/** Runs one process without a shell, keeps the tail of its output, and kills it on timeout or cancellation. */
import { spawn } from 'node:child_process';

/** How long a process may take to exit after SIGTERM before it gets SIGKILL. */
const killGraceMs = 2_000;
/** After exit, how long output may still drain before pipes held open by orphaned children are cut. */
const drainMs = 1_000;

export interface ProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd?: string | undefined;
  readonly timeoutMs: number;
  /** Aborting it kills the process, like the timeout does. */
  readonly signal: AbortSignal;
  /** The last this-many bytes of stdout and of stderr are kept. */
  readonly captureBytes: number;
}

export interface ProcessOutcome {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** Settles once the process has exited; rejects only when it could not be started. */
export function runProcess(options: ProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, options.args, {
      shell: false,
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new OutputTail(options.captureBytes);
    const stderr = new OutputTail(options.captureBytes);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const terminate = () => {
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), killGraceMs);
    };
    const timeoutTimer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, options.timeoutMs);
    options.signal.addEventListener('abort', terminate, { once: true });
    if (options.signal.aborted) terminate();

    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      options.signal.removeEventListener('abort', terminate);
      finish();
    };
    const complete = (exitCode: number | null, signal: NodeJS.Signals | null) =>
      settle(() => resolve({ exitCode, signal, timedOut, stdout: stdout.text(), stderr: stderr.text() }));

    // 'error' after a successful spawn means a kill could not be delivered: the process runs on
    // and its exit (or the pending SIGKILL) settles this promise.
    child.on('error', (error) => {
      if (child.pid === undefined) settle(() => reject(error));
    });
    child.on('exit', (exitCode, signal) => {
      clearTimeout(timeoutTimer);
      clearTimeout(killTimer);
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        complete(exitCode, signal);
      }, drainMs);
    });
    child.on('close', complete);
  });
}

/** Keeps the last `limit` bytes written: the end of a command's output is where its errors are. */
class OutputTail {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    for (let first = this.chunks[0]; first && this.size - first.length >= this.limit; first = this.chunks[0]) {
      this.chunks.shift();
      this.size -= first.length;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString('utf8');
  }
}
