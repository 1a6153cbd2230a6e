import { createActivities } from '../../activities';
import { ActivityFailureTypes, type CheckRequest } from '../../model/action-contract';
import { TestServer, activityEnvironment, applicationFailureOf, refusedUrl, runIn, silentLogger } from './support';

const { 'http.check': httpCheck } = createActivities({ execAllowList: [], logger: silentLogger });

function check(input: unknown) {
  const request: CheckRequest = { input, runbook: 'restart-service', step: 'healthy' };
  return runIn(activityEnvironment(), httpCheck, request);
}

let server: TestServer;
beforeAll(async () => {
  server = await TestServer.start();
});
afterAll(() => server.close());

describe('http.check', () => {
  it('observes a 200 with its JSON body', async () => {
    const observation = await check({ url: `${server.url}/echo` });

    expect(observation).toEqual({ status: 200, ok: true, json: { method: 'GET', body: null }, latencyMs: expect.any(Number) });
    expect(server.requests.at(-1)?.method).toBe('GET');
  });

  it('observes a 503 as a failed observation instead of throwing', async () => {
    const observation = await check({ url: `${server.url}/status/503` });

    expect(observation).toEqual({ status: 503, ok: false, json: { error: 'as asked' }, latencyMs: expect.any(Number) });
  });

  it('observes a refused connection as status 0 with the error', async () => {
    const observation = await check({ url: await refusedUrl() });

    expect(observation).toEqual({
      status: 0,
      ok: false,
      error: expect.stringMatching(/^connect ECONNREFUSED 127\.0\.0\.1:\d+$/),
      latencyMs: expect.any(Number),
    });
  });

  it('observes no answer within the timeout as status 0', async () => {
    const observation = await check({ url: `${server.url}/hang`, timeout: '200ms' });

    expect(observation).toEqual({ status: 0, ok: false, error: 'no answer within 200ms', latencyMs: expect.any(Number) });
  });

  it('observes the start of a text body', async () => {
    const observation = await check({ url: `${server.url}/text` });

    expect(observation).toMatchObject({ status: 200, ok: true, body: 'abcdefghij'.repeat(100).slice(0, 512), truncated: true });
  });

  it('sends the given method and JSON body', async () => {
    const observation = await check({ method: 'POST', url: `${server.url}/echo`, json: { query: 'up' } });

    expect(observation).toMatchObject({ status: 200, json: { method: 'POST', body: { query: 'up' } } });
  });

  it.each([
    [{ url: 'not a url' }, 'invalid input for http.check: url: expected an http(s) URL'],
    [{ method: 'DELETE', url: 'http://example.com' }, 'invalid input for http.check: method: Invalid option: expected one of "GET"|"HEAD"|"POST"'],
  ])('refuses invalid input %j', async (input, message) => {
    const failure = await applicationFailureOf(check(input));

    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(message);
  });
});
