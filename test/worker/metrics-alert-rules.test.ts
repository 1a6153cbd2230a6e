/** The shipped alerting rules for Rebound itself: valid for Prometheus, and their unit tests pass with the real promtool. */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

const rulesDir = path.join(__dirname, '..', '..', 'examples', 'prometheus');

function promtool(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile('promtool', args, { cwd: rulesDir, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`cannot run promtool (${error.message}): install it with apt-get install prometheus, or run npm test / .ci/run`));
        return;
      }
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: stdout + stderr });
    });
  });
}

describe('examples/prometheus/rebound-alerts.yml', () => {
  it('passes promtool check rules', async () => {
    const check = await promtool('check', 'rules', 'rebound-alerts.yml');
    expect(check.output).toContain('SUCCESS: 6 rules found');
    expect(check.code).toBe(0);
  });

  it('fires and stays silent as its promtool unit tests say (worker down, failing workflow tasks, stuck, failed undo, RTO missed)', async () => {
    const run = await promtool('test', 'rules', 'rebound-alerts.test.yml');
    expect(run.output).toContain('SUCCESS');
    expect(run.code).toBe(0);
  });
});
