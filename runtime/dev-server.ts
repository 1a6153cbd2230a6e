/**
 * The embedded Temporal server: `temporal server start-dev` as a child process, with SQLite
 * persistence and Rebound's search attributes, handed out only once its frontend really answers.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { searchAttributes } from '../model/search-attributes';
import { findFreePort } from './free-port';
import { missingSearchAttributes } from './search-attributes';
import { resolveTemporalCli } from './temporal-cli';

export interface DevServerOptions {
  /** Directory of the SQLite file `temporal.db` (created if missing); reusing it keeps executions. */
  stateDir: string;
  /** gRPC frontend port; 0 picks a free one. Default 7233. */
  port?: number;
  /** Web UI port; 0 picks a free one. Default: the gRPC port + 1000, as the CLI does. */
  uiPort?: number;
  /** No Web UI (tests). */
  headless?: boolean;
  /** The codec endpoint the Web UI decodes payloads through (`--ui-codec-endpoint`), e.g. rebound serve's /codec/<token>. */
  uiCodecEndpoint?: string;
  /** Namespace to serve; created at start if it is not `default`. */
  namespace?: string;
  /** The Temporal CLI binary; default: {@link resolveTemporalCli}. */
  cliPath?: string;
  /** How long to wait for the frontend to answer. Default 60 s (a first start migrates SQLite). */
  readyTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before it sends SIGKILL. Default 10 s. */
  stopGraceMs?: number;
  /** SQLite pragmas (`journal_mode=wal`, `synchronous=normal`): faster writes, for tests and benchmarks that measure throughput. */
  sqlitePragmas?: readonly string[];
  /** Every line the server prints (it logs at `warn` level and above only). */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface DevServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DevServer {
  /** host:port of the gRPC frontend, for `Connection.connect` and `NativeConnection.connect`. */
  readonly address: string;
  readonly uiUrl: string | undefined;
  readonly dbFile: string;
  readonly namespace: string;
  readonly pid: number;
  /** Settles when the process has ended, whoever ended it. */
  readonly exited: Promise<DevServerExit>;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. Idempotent. */
  stop(): Promise<void>;
}

/** Thrown when the dev server cannot be started, exits before it is ready, or is not ready in time. */
export class DevServerError extends Error {
  override readonly name = 'DevServerError';
  constructor(
    message: string,
    /** True when a port was taken: worth retrying with other free ports. */
    readonly portInUse = false,
  ) {
    super(message);
  }
}

const cliTypeNames: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

const host = '127.0.0.1';
const portAttempts = 3;

/** Starts the dev server and resolves once clients can use it; kills it again if that fails. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const cliPath = options.cliPath ?? resolveTemporalCli();
  await fs.mkdir(options.stateDir, { recursive: true });
  const picksPorts = options.port === 0 || (!options.headless && options.uiPort === 0);
  for (let attempt = 1; ; attempt++) {
    const port = options.port === 0 ? await findFreePort(host) : (options.port ?? 7233);
    const uiPort = options.headless ? undefined : await chooseUiPort(port, options.uiPort);
    try {
      return await launch(cliPath, options, port, uiPort);
    } catch (error) {
      // A port that was free when we picked it can be taken before the server binds it.
      if (picksPorts && attempt < portAttempts && error instanceof DevServerError && error.portInUse) continue;
      throw error;
    }
  }
}

async function chooseUiPort(port: number, requested: number | undefined): Promise<number> {
  if (requested !== undefined && requested !== 0) return requested;
  if (requested === undefined && port + 1000 <= 65_535) return port + 1000;
  let uiPort = await findFreePort(host);
  while (uiPort === port) uiPort = await findFreePort(host);
  return uiPort;
}

function serverArgs(options: DevServerOptions, port: number, uiPort: number | undefined, dbFile: string): string[] {
  const args = ['server', 'start-dev', '--ip', host, '--port', String(port), '--db-filename', dbFile];
  args.push('--namespace', options.namespace ?? 'default', '--log-level', 'warn');
  args.push(...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort)]));
  if (uiPort !== undefined && options.uiCodecEndpoint !== undefined) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  for (const pragma of options.sqlitePragmas ?? []) args.push('--sqlite-pragma', pragma);
  for (const { name, type } of Object.values(searchAttributes)) {
    args.push('--search-attribute', `${name}=${cliTypeNames[type]}`);
  }
  return args;
}

async function launch(cliPath: string, options: DevServerOptions, port: number, uiPort: number | undefined): Promise<DevServer> {
  const dbFile = path.resolve(options.stateDir, 'temporal.db');
  const namespace = options.namespace ?? 'default';
  // Its own process group: stop() can signal the whole group, and a Ctrl-C in the terminal reaches
  // only us, so the caller decides the order of shutdown (workers drain before the server goes).
  const child = spawn(cliPath, serverArgs(options, port, uiPort, dbFile), {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const tail = new OutputTail();
  for (const stream of ['stdout', 'stderr'] as const) {
    readline.createInterface({ input: child[stream] }).on('line', (line) => {
      tail.add(line);
      options.onOutput?.(line, stream);
    });
  }
  let exitInfo: DevServerExit | undefined;
  const exited = new Promise<DevServerExit>((resolve) => {
    child.once('close', (code, signal) => resolve((exitInfo = { code, signal })));
    child.once('error', () => resolve((exitInfo = { code: null, signal: null })));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new DevServerError(`could not run ${cliPath}: ${error.message}`)));
  });
  const pid = child.pid as number;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  };
  // Never leave a server behind when this process exits without calling stop().
  const killOnExit = () => signalGroup('SIGKILL');
  process.on('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (exitInfo !== undefined) return;
      signalGroup('SIGTERM');
      const killTimer = setTimeout(() => signalGroup('SIGKILL'), options.stopGraceMs ?? 10_000);
      await exited;
      clearTimeout(killTimer);
    })());

  const address = `${host}:${port}`;
  try {
    await waitUntilReady(address, namespace, options.readyTimeoutMs ?? 60_000, exited, tail);
  } catch (error) {
    await stop();
    throw error;
  }
  const uiUrl = uiPort === undefined ? undefined : `http://${host}:${uiPort}`;
  return { address, uiUrl, dbFile, namespace, pid, exited, stop };
}

async function waitUntilReady(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited: Promise<DevServerExit>,
  tail: OutputTail,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const exitedEarly = exited.then(({ code, signal }) => {
    const how = signal === null ? `with code ${code}` : `on ${signal}`;
    return new DevServerError(`Temporal dev server exited ${how} before it was ready: ${tail.text()}`, tail.portInUse());
  });
  for (let pause = 100; ; pause = Math.min(pause * 1.5, 1000)) {
    const probe = startProbe(address, namespace);
    const outcome = await Promise.race([probe.result, exitedEarly]);
    if (outcome instanceof DevServerError) {
      // Close the probe's channel now rather than leaving it to retry against a dead port.
      await probe.cancel();
      throw outcome;
    }
    if (outcome === 'ready') return;
    if (Date.now() + pause > deadline) {
      throw new DevServerError(`Temporal dev server at ${address} not ready after ${timeoutMs} ms (${outcome}); output: ${tail.text()}`);
    }
    // Unreferenced: if the server exits meanwhile, the leftover pause must not hold the process open.
    const early = await Promise.race([delay(pause, undefined, { ref: false }), exitedEarly]);
    if (early instanceof DevServerError) throw early;
  }
}

/** Resolves to 'ready' once the namespace is served with Rebound's search attributes, else to why not. */
function startProbe(address: string, namespace: string): { result: Promise<string>; cancel(): Promise<void> } {
  // Lazy, so the channel is ours to close even when connecting fails (connect() would leak it).
  const connection = Connection.lazy({ address, connectTimeout: 1000 });
  const result = (async () => {
    try {
      await connection.ensureConnected();
      return await connection.withDeadline(Date.now() + 5000, async () => {
        await connection.workflowService.describeNamespace({ namespace });
        const missing = await missingSearchAttributes(connection, namespace);
        return missing.length === 0 ? 'ready' : `search attributes not registered yet: ${missing.join(', ')}`;
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return message.split('\n')[0] ?? message;
    } finally {
      await connection.close();
    }
  })();
  return { result, cancel: async () => void (await Promise.all([connection.close(), result])) };
}

/** The last lines a process printed, for error messages that must stay one line. */
class OutputTail {
  private readonly lines: string[] = [];

  add(line: string): void {
    if (line.trim() === '') return;
    this.lines.push(line.trim());
    if (this.lines.length > 5) this.lines.shift();
  }

  text(): string {
    const joined = this.lines.join(' | ');
    return joined === '' ? '(no output)' : joined.length > 800 ? `...${joined.slice(-800)}` : joined;
  }

  portInUse(): boolean {
    return this.lines.some((line) => line.includes('address already in use'));
  }
}
