/** `permissions.policyFile`: the access policy is read from a file when the recovery is prepared, and pinned in its input. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { RunbookReferenceError, withChildRunbooks } from '../../client/child-runbooks';
import { prepareRecovery } from '../../client/start-recovery';
import { findRunbookFiles, formatProblem, resolveRunbook } from '../../model/loader';
import { runbooksDir } from '../helpers/runbook-files';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rebound-policy-'));
  cpSync(runbooksDir, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function prepare(name: string, params: Record<string, unknown>) {
  const loaded = await resolveRunbook(name, dir);
  if (!loaded.ok) throw new Error(loaded.problems.map(formatProblem).join('\n'));
  return withChildRunbooks(prepareRecovery(loaded.runbook, loaded.hash, params, { source: 'test' }), dir);
}

const resyncStep = (input: Awaited<ReturnType<typeof prepare>>) => {
  const step = input.runbook.spec.steps[0];
  if (!step || !('permissions' in step)) throw new Error('permission-resync changed');
  return step.permissions;
};

describe('permissions policyFile', () => {
  it('pins the policy file\'s grants at start: editing the file afterwards changes nothing in flight', async () => {
    const input = await prepare('permission-resync', { service: 'payments' });
    const policyPath = path.join(dir, 'policies', 'service-access.yaml');
    writeFileSync(policyPath, readFileSync(policyPath, 'utf8').replace('principal: auditor, role: read', 'principal: intruder, role: admin'));

    expect(resyncStep(input)).toMatchObject({
      policyFile: 'policies/service-access.yaml',
      desired: [
        { principal: 'deployer', role: 'deploy' },
        { principal: 'oncall', role: 'admin' },
        { principal: 'auditor', role: 'read' },
      ],
    });
    expect(resyncStep(await prepare('permission-resync', { service: 'payments' })).desired).toContainEqual({ principal: 'intruder', role: 'admin' });
  });

  it('refuses to start with an invalid policy file, naming its file:line:col', async () => {
    writeFileSync(path.join(dir, 'policies', 'service-access.yaml'), 'apiVersion: rebound/v1\nkind: AccessPolicy\nmetadata: { name: broken }\nspec:\n  grants: [{ principal: deployer }]\n');
    const prepared = prepare('permission-resync', { service: 'payments' });
    await expect(prepared).rejects.toBeInstanceOf(RunbookReferenceError);
    await expect(prepared).rejects.toThrow(
      `permission-resync: steps[0] (resync) reads policy file "policies/service-access.yaml": ${path.relative(process.cwd(), path.join(dir, 'policies', 'service-access.yaml'))}:5:12: grants[0].role: missing required field (expected string)`,
    );
  });

  it('does not take policy files for runbooks when discovering runbooks', async () => {
    const files = await findRunbookFiles([dir]);
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => file.includes(`${path.sep}policies${path.sep}`))).toEqual([]);
    expect((await resolveRunbook('service-access', dir)).ok).toBe(false);
  });
});
