/** `rebound validate`: exit codes and one `file:line:col: message` line per problem. */
import { readdirSync } from 'node:fs';
import { stepKinds } from '../../model/steps/kinds';
import { runCli } from '../helpers/run-cli';

describe('rebound validate', () => {
  it('passes the shipped runbooks', async () => {
    const run = await runCli(['validate', 'runbooks/']);
    const shipped = readdirSync('runbooks').filter((file) => file.endsWith('.yaml'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${shipped.length} valid, 0 invalid`);
    expect(run.stderr).toBe('');
  });

  it('prints every problem as file:line:col and exits 1', async () => {
    const run = await runCli(['validate', 'test/fixtures/invalid']);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toContain('test/fixtures/invalid/bad-duration.yaml:16:18: steps[2].gate.timeout: expected a duration like 30s, 5m or 1h30m, got "5 minutes"');
    expect(lines).toContain(`test/fixtures/invalid/unknown-step-kind.yaml:10:7: steps[1].approvol: unknown step kind or field; step kinds: ${stepKinds.join(', ')}`);
    expect(lines).toContain('test/fixtures/invalid/malformed.yaml:9:5: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }');
    expect(lines.at(-1)).toBe('0 valid, 9 invalid');
  });

  it('is a usage error (exit 2) without paths, and a clear error for a path with no runbooks', async () => {
    const usage = await runCli(['validate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe("rebound: missing required argument 'paths'\n");
    const empty = await runCli(['validate', 'test/cli']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toBe('rebound: no runbook files (*.yaml, *.yml) in test/cli\n');
  });

  it('prints machine-readable results with --json', async () => {
    const run = await runCli(['validate', 'runbooks/smoke-test.yaml', 'test/fixtures/invalid/unknown-field.yaml', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual([
      { file: 'runbooks/smoke-test.yaml', valid: true, name: 'smoke-test', hash: expect.stringMatching(/^sha256:/) },
      {
        file: 'test/fixtures/invalid/unknown-field.yaml',
        valid: false,
        problems: [{ file: 'test/fixtures/invalid/unknown-field.yaml', line: 10, col: 9, field: 'steps[0].action.retries', message: 'unknown field' }],
      },
    ]);
  });
});
