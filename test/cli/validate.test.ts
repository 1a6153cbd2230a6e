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
    // Access-policy files live in runbooks/policies/ and are not taken for runbooks.
    expect(readdirSync('runbooks/policies').length).toBeGreaterThan(0);
    expect(run.stdout).not.toContain('policies/');
  });

  it('checks references: child runbooks and their params, watch re-runs and policy files, at file:line:col', async () => {
    const run = await runCli(['validate', 'test/fixtures/runbooks']);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'test/fixtures/runbooks/parent-unknown-child.yaml:10:23: steps[1] (delegate) runs runbook "no-such-runbook": no runbook named "no-such-runbook" in test/fixtures/runbooks/',
        'test/fixtures/runbooks/parent-bad-child-params.yaml:9:18: steps[0] (restart) runs runbook "child-restart": missing required param "service" (string)',
        'test/fixtures/runbooks/cycle-a.yaml:7:5: cycle-b: steps[0].foreach.steps[0] (back-to-a) runs runbook "cycle-a": a cycle, cycle-a → cycle-b → cycle-a',
        'test/fixtures/runbooks/resync-bad-policies.yaml:10:53: steps[0] (invalid-policy) reads policy file "policies/bad-grants.yaml": test/fixtures/runbooks/policies/bad-grants.yaml:7:7: grants[1].role: missing required field (expected string)',
        'test/fixtures/runbooks/resync-bad-policies.yaml:10:53: steps[0] (invalid-policy) reads policy file "policies/bad-grants.yaml": test/fixtures/runbooks/policies/bad-grants.yaml:7:28: grants[1].rol: unknown field',
        'test/fixtures/runbooks/resync-bad-policies.yaml:14:21: steps[1] (missing-policy) reads policy file "policies/no-such-policy.yaml": test/fixtures/runbooks/policies/no-such-policy.yaml:1:1: cannot read access policy: no such file',
      ]),
    );
    expect(lines.some((line) => line.startsWith('test/fixtures/runbooks/child-restart.yaml'))).toBe(false);
    expect(lines.at(-1)).toBe('4 valid, 6 invalid');
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
