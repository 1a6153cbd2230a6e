/** `rebound validate` with secret references: `{{ secret.NAME }}` in call arguments passes, anything else is refused at file:line:col. */
import { runCli } from '../helpers/run-cli';

describe('rebound validate and secrets', () => {
  it('accepts {{ secret.NAME }} in the with: arguments of actions, undos, gates and nested steps', async () => {
    const run = await runCli(['validate', 'test/security/secret-runbooks/valid']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('1 valid, 0 invalid');
  });

  it('plans a runbook with secrets, showing each reference as written (nothing is resolved on the client)', async () => {
    const run = await runCli(['plan', 'test/security/secret-runbooks/valid/secret-calls.yaml', '-p', 'service=checkout'], { REBOUND_SECRET_STATUS_KEY: 'must-not-appear-1234' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('targets (1): https://status.example/checkout?key={{ secret.STATUS_KEY }}');
    expect(run.stdout).toContain('resolved when it runs: Bearer {{ secret.DEPLOY_TOKEN }}');
    expect(run.stdout).not.toContain('must-not-appear-1234');
  });

  it('refuses secrets inside expressions and outside call arguments, one file:line:col line each', async () => {
    const run = await runCli(['validate', 'test/security/secret-runbooks/invalid']);
    expect(run.code).toBe(1);
    const file = 'test/security/secret-runbooks/invalid/secret-misuse.yaml';
    const reserved = (expression: string) => `"secret" is reserved: reference a secret as {{ secret.NAME }} on its own (NAME: letters, digits and _), not inside an expression (${expression})`;
    const outside = (name: string) => `{{ secret.${name} }} can only stand in the with: arguments of an action or a check, where the worker resolves it`;
    expect(run.stderr.trim().split('\n')).toEqual([
      `${file}:5:8: key: ${outside('KEY')}`,
      `${file}:10:34: steps[0].action.with.output.value: ${reserved("secret.TOKEN + 'x'")}`,
      `${file}:14:34: steps[1].action.with.output.value: ${reserved("secret['TOKEN']")}`,
      `${file}:16:13: steps[2].name: ${outside('TOKEN')}`,
      `${file}:17:13: steps[2].when: ${reserved('secret.TOKEN != ""')}`,
      `${file}:22:18: steps[3].approval.message: ${outside('TOKEN')}`,
      `${file}:28:19: steps[4].foreach.steps[0].when: ${reserved('secret.TOKEN == item')}`,
      '0 valid, 1 invalid',
    ]);
  });
});
