import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DevServerError, startDevServer } from '../../runtime/dev-server';
import { indexedValueType } from '../../runtime/search-attributes';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal-server';

const keyword = indexedValueType('KEYWORD');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startDevServer with the real Temporal CLI', () => {
  let temporalServer: TestTemporal | undefined;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rebound-dev-server-'));
  });

  afterAll(async () => {
    await temporalServer?.stop();
    await fs.rm(stateDir, { recursive: true, force: true });
  });

  it('serves the namespace on a free port with the three Rebound search attributes registered', async () => {
    temporalServer = await startTestTemporal({ stateDir });
    expect(temporalServer.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(temporalServer.address).not.toBe('127.0.0.1:7233');
    expect(temporalServer.server.dbFile).toBe(path.join(stateDir, 'temporal.db'));

    const { customAttributes } = await temporalServer.connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    expect(customAttributes).toMatchObject({
      ReboundRunbook: keyword,
      ReboundKey: keyword,
      ReboundPhase: keyword,
    });
  });

  it('keeps a running workflow execution across a restart on the same database file', async () => {
    const first = temporalServer ?? (await startTestTemporal({ stateDir }));
    const workflowId = `survives-restart-${Date.now()}`;
    // No worker polls this task queue: the execution stays open, recorded only in SQLite.
    await first.client.workflow.start('NobodyRunsThisWorkflow', { taskQueue: 'no-workers-here', workflowId });
    await first.stop();
    temporalServer = undefined;
    expect(isAlive(first.server.pid)).toBe(false);

    temporalServer = await startTestTemporal({ stateDir });
    const description = await temporalServer.client.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.type).toBe('NobodyRunsThisWorkflow');
  });

  it('stops with SIGTERM, resolves once the process is gone, and can be stopped twice', async () => {
    const server = await startDevServer({ stateDir: path.join(stateDir, 'stop'), port: 0, headless: true });
    expect(isAlive(server.pid)).toBe(true);
    await Promise.all([server.stop(), server.stop()]);
    expect(isAlive(server.pid)).toBe(false);
    await expect(server.exited).resolves.toEqual(expect.objectContaining({ signal: null }));
    await expect(server.stop()).resolves.toBeUndefined();
  });

  it('fails at once with "address already in use" when the requested port is taken', async () => {
    // Drop whatever connects (our readiness probe may): open sockets would keep the blocker alive.
    const blocker = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const start = startDevServer({ stateDir: path.join(stateDir, 'busy'), port, headless: true });
      await expect(start).rejects.toThrow(DevServerError);
      await expect(start).rejects.toThrow(/exited with code 1 before it was ready: .*address already in use/);
      await expect(start).rejects.toMatchObject({ portInUse: true });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

describe('startDevServer with a CLI that misbehaves', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rebound-fake-cli-'));
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function fakeCli(name: string, script: string): Promise<string> {
    const file = path.join(dir, name);
    await fs.writeFile(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    return file;
  }

  it('reports the exit code and the last output lines of a server that exits before it is ready', async () => {
    const cliPath = await fakeCli('exits', 'echo "starting" ; echo "Error: sqlite file is locked" >&2 ; exit 3');
    const start = startDevServer({ stateDir: path.join(dir, 'state'), port: 0, headless: true, cliPath });
    await expect(start).rejects.toThrow(DevServerError);
    await expect(start).rejects.toThrow('Temporal dev server exited with code 3 before it was ready: starting | Error: sqlite file is locked');
  });

  it('gives up after the ready timeout and kills the process it started', async () => {
    const pidFile = path.join(dir, 'hangs.pid');
    const cliPath = await fakeCli('hangs', `echo $$ > ${pidFile}; exec sleep 600`);
    const start = startDevServer({ stateDir: path.join(dir, 'state'), port: 0, headless: true, cliPath, readyTimeoutMs: 1500 });
    await expect(start).rejects.toThrow(/Temporal dev server at 127\.0\.0\.1:\d+ not ready after 1500 ms/);
    const pid = Number(await fs.readFile(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(false);
  });

  it('names the binary when it cannot be run at all', async () => {
    const cliPath = path.join(dir, 'not-there');
    await expect(startDevServer({ stateDir: path.join(dir, 'state'), port: 0, cliPath })).rejects.toThrow(
      `could not run ${cliPath}: spawn ${cliPath} ENOENT`,
    );
  });
});
