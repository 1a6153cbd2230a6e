/**
 * A real Temporal dev server per test file: free ports and a temporary state directory, so files
 * run in parallel without sharing anything. Call `stop()` in afterAll.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../../runtime/dev-server';

export interface TestTemporal {
  readonly server: DevServer;
  readonly address: string;
  readonly namespace: string;
  /** A client connected when the server started, and its connection (for operator calls). */
  readonly client: Client;
  readonly connection: Connection;
  /** Another client on its own connection (closed by `stop()`). */
  connectClient(): Promise<Client>;
  /** A connection for a Worker (closed by `stop()`: shut the Worker down first). */
  connectWorkerConnection(): Promise<NativeConnection>;
  /** Closes every connection, stops the server, and removes the state directory if we created it. */
  stop(): Promise<void>;
}

export interface TestTemporalOptions {
  /** Reuse a state directory (e.g. to restart on the same database); the caller removes it. */
  stateDir?: string;
  /** The gRPC port (e.g. to restart where clients already point); default: a free one. */
  port?: number;
  /** SQLite pragmas for the dev server (see DevServerOptions.sqlitePragmas). */
  sqlitePragmas?: readonly string[];
  /** Serve this namespace (created at start) instead of `default`; `client` uses it. */
  namespace?: string;
  /** Serve the Temporal Web UI too, on a free port (`server.uiUrl`); default headless. */
  ui?: boolean;
  /** With `ui`: the codec endpoint the UI decodes payloads through. */
  uiCodecEndpoint?: string;
}

export async function startTestTemporal(options: TestTemporalOptions = {}): Promise<TestTemporal> {
  const ownsStateDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'rebound-temporal-')));
  let server: DevServer;
  try {
    server = await startDevServer({
      stateDir,
      port: options.port ?? 0,
      headless: !options.ui,
      uiPort: options.ui ? 0 : undefined,
      namespace: options.namespace,
      sqlitePragmas: options.sqlitePragmas,
      uiCodecEndpoint: options.uiCodecEndpoint,
    });
  } catch (error) {
    if (ownsStateDir) await fs.rm(stateDir, { recursive: true, force: true });
    throw error;
  }
  const closers: Array<() => Promise<void>> = [];
  const connect = async () => {
    const connection = await Connection.connect({ address: server.address });
    closers.push(() => connection.close());
    return connection;
  };
  const connectClient = async () => new Client({ connection: await connect(), namespace: server.namespace });
  const connectWorkerConnection = async () => {
    const connection = await NativeConnection.connect({ address: server.address });
    closers.push(() => connection.close());
    return connection;
  };
  const stop = async () => {
    const closed = await Promise.allSettled(closers.splice(0).map((close) => close()));
    await server.stop();
    if (ownsStateDir) await fs.rm(stateDir, { recursive: true, force: true });
    const failure = closed.find((result) => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  };
  let connection: Connection;
  try {
    connection = await connect();
  } catch (error) {
    await stop();
    throw error;
  }
  const client = new Client({ connection, namespace: server.namespace });
  return { server, address: server.address, namespace: server.namespace, client, connection, connectClient, connectWorkerConnection, stop };
}
