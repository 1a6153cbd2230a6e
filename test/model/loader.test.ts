/** Bad runbooks get one exact `file:line:col: field: message` per problem; good ones load with a hash. */
import * as path from 'node:path';
import { formatProblem, loadRunbookFile, parseRunbook } from '../../model/loader';
import { stepKinds } from '../../model/steps/kinds';

const invalid = (name: string) => path.join('test', 'fixtures', 'invalid', `${name}.yaml`);

async function problemsOf(name: string): Promise<string[]> {
  const result = await loadRunbookFile(invalid(name));
  if (result.ok) throw new Error(`${name} unexpectedly loaded`);
  return result.problems.map(formatProblem);
}

describe('runbook loader errors', () => {
  it.each([
    ['unknown-step-kind', `10:7: steps[1].approvol: unknown step kind or field; step kinds: ${stepKinds.join(', ')}`],
    ['bad-duration', '16:18: steps[2].gate.timeout: expected a duration like 30s, 5m or 1h30m, got "5 minutes"'],
    ['missing-param', '13:16: steps[0].action.with.url: undeclared param "host" in params.host; declare it under spec.params'],
    ['unknown-action', '9:15: steps[0].action.name: unknown action "kubectl.rollout"; known actions: http.request, exec, noop'],
    ['malformed', '9:5: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }'],
    ['unknown-field', '10:9: steps[0].action.retries: unknown field'],
    ['missing-field', '9:9: steps[0].gate.expect: missing required field (expected string)'],
    ['bad-expression', '11:17: steps[0].gate.expect: invalid CEL expression: Unexpected token: EOF'],
    ['bad-rerun', '14:17: steps[0].watch.rerun[0]: cannot re-run "restart": step "restart" comes after the watch; rerun names earlier steps (none)'],
  ])('%s.yaml → %s', async (name, expected) => {
    expect(await problemsOf(name)).toEqual([`${invalid(name)}:${expected}`]);
  });

  it('reports every problem of a file, in line order', () => {
    const result = parseRunbook(
      ['apiVersion: rebound/v2', 'kind: Runbook', 'metadata: { name: Bad_Name }', 'spec:', '  steps: []', '  rto: soon'].join('\n'),
      'many.yaml',
    );
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      'many.yaml:1:13: apiVersion: expected apiVersion: rebound/v1',
      'many.yaml:3:19: metadata.name: expected a name: lower-case letters, digits and -, at most 63 characters',
      'many.yaml:5:10: steps: a runbook needs at least one step',
      'many.yaml:6:8: rto: expected a duration like 30s, 5m or 1h30m, got "soon"',
    ]);
  });

  it('rejects duplicate step ids and duplicate YAML keys', () => {
    const duplicateSteps = parseRunbook(
      'apiVersion: rebound/v1\nkind: Runbook\nmetadata: { name: dup }\nspec:\n  steps:\n    - { id: a, action: { name: noop } }\n    - { id: a, wait: { duration: 1s } }\n',
      'dup.yaml',
    );
    expect(duplicateSteps.ok ? [] : duplicateSteps.problems.map(formatProblem)).toEqual(['dup.yaml:7:13: steps[1].id: duplicate step id "a"']);
    const duplicateKeys = parseRunbook('apiVersion: rebound/v1\nkind: Runbook\nkind: Runbook\n', 'keys.yaml');
    expect(duplicateKeys.ok ? [] : duplicateKeys.problems.map(formatProblem)).toEqual(['keys.yaml:3:1: invalid YAML: Map keys must be unique']);
  });

  it('says so when the file does not exist', async () => {
    expect(await problemsOf('no-such-runbook')).toEqual([`${invalid('no-such-runbook')}:1:1: cannot read runbook: no such file`]);
  });
});

describe('runbook loader success', () => {
  const text = `apiVersion: rebound/v1
kind: Runbook
metadata: { name: ok }
spec:
  params:
    service: { type: string, required: true }
    replicas: { type: integer, default: 3 }
  key: "{{ params.service }}"
  steps:
    - id: restart
      action: { name: http.request, with: { url: "http://127.0.0.1/{{ params.service }}" } }
`;

  it('applies defaults and records a content hash', () => {
    const result = parseRunbook(text, 'ok.yaml');
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.runbook.spec.timeout).toBe('1h');
    expect(result.runbook.spec.params.replicas).toEqual({ type: 'integer', required: false, default: 3 });
    const [step] = result.runbook.spec.steps;
    expect(step && 'action' in step ? step.action : undefined).toEqual({
      name: 'http.request',
      with: { url: 'http://127.0.0.1/{{ params.service }}' },
      timeout: '1m',
    });
  });

  it('gives a different hash for different content', () => {
    const first = parseRunbook(text, 'a.yaml');
    const second = parseRunbook(`${text}# edited\n`, 'a.yaml');
    expect(first.ok && second.ok && first.hash !== second.hash).toBe(true);
  });
});
