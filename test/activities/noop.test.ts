import { createActivities } from '../../activities';
import { ActivityFailureTypes, type ActionRequest } from '../../model/action-contract';
import { activityEnvironment, applicationFailureOf, runIn, silentLogger } from './support';

const { noop } = createActivities({ execAllowList: [], logger: silentLogger });

function run(input: unknown) {
  const request: ActionRequest = { input, idempotencyKey: 'wf-1/placeholder', runbook: 'draft', step: 'placeholder' };
  return runIn(activityEnvironment({ attempt: 2 }), noop, request);
}

describe('noop', () => {
  it('returns the output it was given', async () => {
    await expect(run({ output: { step: 1 } })).resolves.toEqual({ output: { step: 1 }, attempt: 2 });
  });

  it('returns null without an output', async () => {
    await expect(run({})).resolves.toEqual({ output: null, attempt: 2 });
  });

  it('refuses unknown fields', async () => {
    const failure = await applicationFailureOf(run({ outptu: 1 }));

    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.message).toBe('invalid input for noop: outptu: unknown field');
  });
});
