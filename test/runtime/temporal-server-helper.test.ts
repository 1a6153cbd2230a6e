import fs from 'node:fs';
import path from 'node:path';
import { startTestTemporal } from '../helpers/temporal-server';

describe('startTestTemporal', () => {
  it('hands out client and worker connections and cleans up the server, connections and state on stop', async () => {
    const temporalServer = await startTestTemporal();
    let stopped = false;
    try {
      const stateDir = path.dirname(temporalServer.server.dbFile);
      expect(fs.existsSync(temporalServer.server.dbFile)).toBe(true);

      const workerConnection = await temporalServer.connectWorkerConnection();
      const { capabilities } = await workerConnection.workflowService.getSystemInfo({});
      expect(capabilities).toBeDefined();

      const otherClient = await temporalServer.connectClient();
      await expect(otherClient.workflow.count()).resolves.toEqual(expect.objectContaining({ count: 0 }));

      await temporalServer.stop();
      stopped = true;
      await expect(temporalServer.server.exited).resolves.toBeDefined();
      expect(fs.existsSync(stateDir)).toBe(false);
      await expect(otherClient.workflow.count()).rejects.toThrow();
    } finally {
      if (!stopped) await temporalServer.stop();
    }
  });
});
