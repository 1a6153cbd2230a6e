import { once } from 'node:events';
import { CancelledFailure } from '@temporalio/common';
import { createActivities } from '../../activities';
import { ActivityFailureTypes, type ActionRequest } from '../../model/action-contract';
import { TestServer, activityEnvironment, applicationFailureOf, recordingLogger, refusedUrl, runIn, silentLogger } from './support';

const { 'http.request': httpRequest } = createActivities({ execAllowList: [], logger: silentLogger });

function actionRequest(input: unknown): ActionRequest {
  return { input, idempotencyKey: 'wf-1/restart', runbook: 'restart-service', step: 'restart' };
}

function run(input: unknown) {
  return runIn(activityEnvironment(), httpRequest, actionRequest(input));
}

let server: TestServer;
beforeAll(async () => {
  server = await TestServer.start();
});
afterAll(() => server.close());

describe('http.request', () => {
  it('sends the idempotency key and the JSON body, and summarises the JSON answer', async () => {
    const result = await run({ url: `${server.url}/echo`, headers: { 'X-Trace': 't-1' }, json: { replicas: 3 } });

    expect(result).toEqual({ output: { status: 200, json: { method: 'POST', body: { replicas: 3 } } }, attempt: 1 });
    const received = server.requests.at(-1);
    expect(received?.headers['idempotency-key']).toBe('wf-1/restart');
    expect(received?.headers['content-type']).toBe('application/json');
    expect(received?.headers['x-trace']).toBe('t-1');
  });

  it('sends the step idempotency key even when the runbook sets its own', async () => {
    await run({ url: `${server.url}/echo`, headers: { 'idempotency-key': 'forged' } });

    expect(server.requests.at(-1)?.headers['idempotency-key']).toBe('wf-1/restart');
  });

  it('reports the attempt that produced the result', async () => {
    const result = await runIn(activityEnvironment({ attempt: 3 }), httpRequest, actionRequest({ url: `${server.url}/echo` }));

    expect(result.attempt).toBe(3);
  });

  it('previews the first 512 characters of a body that is not JSON', async () => {
    const { output } = await run({ method: 'GET', url: `${server.url}/text` });

    expect(output).toEqual({ status: 200, bodyPreview: 'abcdefghij'.repeat(100).slice(0, 512), truncated: true });
  });

  it('previews a JSON answer too large to keep whole', async () => {
    const { output } = await run({ method: 'GET', url: `${server.url}/large-json` });

    expect(output).toMatchObject({ status: 200, bodyPreview: expect.stringMatching(/^\{"items":\["item-0"/), truncated: true });
    expect(output).not.toHaveProperty('json');
  });

  it('previews a body labelled JSON that does not parse', async () => {
    const { output } = await run({ method: 'GET', url: `${server.url}/mislabelled` });

    expect(output).toEqual({ status: 200, bodyPreview: 'this is not JSON' });
  });

  it('summarises a HEAD answer by its status', async () => {
    const { output } = await run({ method: 'HEAD', url: `${server.url}/echo` });

    expect(output).toEqual({ status: 200 });
  });

  it('succeeds on an expected status outside 2xx', async () => {
    const { output } = await run({ url: `${server.url}/status/404`, expectStatus: [404] });

    expect(output).toEqual({ status: 404, json: { error: 'as asked' } });
  });

  it('fails retryably on a 2xx that was not the expected status', async () => {
    const failure = await applicationFailureOf(run({ url: `${server.url}/echo`, expectStatus: [201, 202] }));

    expect(failure.type).toBe(ActivityFailureTypes.unexpectedStatus);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe(`POST ${server.url}/echo answered 200, expected 201 or 202`);
  });

  it('fails without retry on a 4xx, naming the target but not its query string', async () => {
    const failure = await applicationFailureOf(run({ url: `${server.url}/status/409?token=secret` }));

    expect(failure.type).toBe(ActivityFailureTypes.clientError);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`POST ${server.url}/status/409 answered 409, expected 2xx`);
    expect(failure.details).toEqual([{ status: 409, json: { error: 'as asked' } }]);
  });

  it('fails retryably on a 5xx', async () => {
    const failure = await applicationFailureOf(run({ url: `${server.url}/status/503` }));

    expect(failure.type).toBe(ActivityFailureTypes.unexpectedStatus);
    expect(failure.nonRetryable).toBe(false);
  });

  it('fails retryably as unreachable when the connection is refused', async () => {
    const failure = await applicationFailureOf(run({ url: await refusedUrl() }));

    expect(failure.type).toBe(ActivityFailureTypes.unreachable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/unreachable: connect ECONNREFUSED/);
    expect(failure.details).toEqual([expect.objectContaining({ code: 'ECONNREFUSED' })]);
  });

  it('fails retryably as unreachable when the target does not answer within the timeout', async () => {
    const failure = await applicationFailureOf(run({ url: `${server.url}/hang`, timeout: '200ms' }));

    expect(failure.type).toBe(ActivityFailureTypes.unreachable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe(`POST ${server.url}/hang unreachable: no answer within 200ms`);
  });

  it('aborts the request when the activity is cancelled', async () => {
    const environment = activityEnvironment();
    const received = server.nextRequest();
    const running = runIn(environment, httpRequest, actionRequest({ url: `${server.url}/hang` }));
    await received;
    environment.cancel();

    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
  });

  it('heartbeats while the request is in flight', async () => {
    const environment = activityEnvironment();
    const heartbeat = once(environment, 'heartbeat');
    const running = runIn(environment, httpRequest, actionRequest({ url: `${server.url}/hang` }));
    await heartbeat;
    environment.cancel();

    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
  });

  it.each([
    [{ url: 'ftp://example.com' }, 'invalid input for http.request: url: expected an http(s) URL'],
    [{ url: 'http://example.com', retries: 3 }, 'invalid input for http.request: retries: unknown field'],
    [{ url: 'http://example.com', expectStatus: [200, 99] }, 'invalid input for http.request: expectStatus[1]: Too small: expected number to be >=100'],
    [{ method: 'GET', url: 'http://example.com', json: {} }, 'invalid input for http.request: json: a GET request cannot have a body'],
    [{ url: 'http://example.com', headers: { 'bad name': 'x' } }, 'invalid input for http.request: headers.bad name: not a valid HTTP header name or value'],
  ])('refuses invalid input %j without sending anything', async (input, message) => {
    const sent = server.requests.length;
    const failure = await applicationFailureOf(run(input));

    expect(failure.type).toBe(ActivityFailureTypes.invalidInput);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(message);
    expect(server.requests).toHaveLength(sent);
  });

  it('logs with the recovery coordinates of the step', async () => {
    const { logger, lines } = recordingLogger();
    const activities = createActivities({ execAllowList: [], logger });
    await runIn(activityEnvironment(), activities['http.request'], actionRequest({ url: `${server.url}/echo` }));

    const coordinates = { workflowId: 'wf-1', runbook: 'restart-service', step: 'restart', activity: 'http.request', attempt: 1 };
    expect(lines).toContainEqual(expect.objectContaining({ ...coordinates, msg: 'activity started' }));
    expect(lines).toContainEqual(expect.objectContaining({ ...coordinates, msg: 'activity completed', durationMs: expect.any(Number) }));
  });
});
