/**
 * The parts of secret handling, one module at a time: the workflow's rendering leaves references
 * unresolved (and data cannot add any), the worker fills them in and scrubs them from results and
 * failures, and the logger censors credential fields and cuts known values out of every line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { renderArguments } from '../../model/secret-references';
import { resolveSecrets, scrubFailure, withSecrets } from '../../activities/secrets';
import { createLogger } from '../../runtime/logger';
import { rememberSecretValue } from '../../runtime/secret-values';
import { memoryStream } from '../helpers/memory-stream';

describe('renderArguments (workflow side)', () => {
  it('renders other templates and leaves each secret reference in place, listed as a slot', () => {
    const rendered = renderArguments(
      { url: 'https://x/{{ params.service }}', headers: { Authorization: 'Bearer {{ secret.TOKEN }}' }, command: ['a', '{{ secret.KEY }}'], count: '{{ 1 + 1 }}' },
      { params: { service: 'checkout' } },
    );
    expect(rendered.input).toEqual({ url: 'https://x/checkout', headers: { Authorization: 'Bearer {{ secret.TOKEN }}' }, command: ['a', '{{ secret.KEY }}'], count: 2 });
    expect(rendered.secrets).toEqual([
      { path: ['headers', 'Authorization'], parts: ['Bearer ', { secret: 'TOKEN' }] },
      { path: ['command', 1], parts: [{ secret: 'KEY' }] },
    ]);
  });

  it('never makes a slot of a value that came from params or outputs', () => {
    const rendered = renderArguments({ note: '{{ params.text }}', mixed: '{{ params.text }} and {{ secret.TOKEN }}' }, { params: { text: '{{ secret.OTHER }}' } });
    expect(rendered.input).toEqual({ note: '{{ secret.OTHER }}', mixed: '{{ secret.OTHER }} and {{ secret.TOKEN }}' });
    expect(rendered.secrets).toEqual([{ path: ['mixed'], parts: ['{{ secret.OTHER }} and ', { secret: 'TOKEN' }] }]);
  });
});

describe('resolveSecrets and withSecrets (worker side)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'rebound-secret-unit-'));
    writeFileSync(path.join(dir, 'FROM_FILE'), 'file-value-123\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes a file in the secrets directory first, then REBOUND_SECRET_<NAME>', async () => {
    const source = { dir, env: { REBOUND_SECRET_FROM_FILE: 'shadowed', REBOUND_SECRET_FROM_ENV: 'env-value-456' } };
    const { input } = await resolveSecrets(
      { a: '{{ secret.FROM_FILE }}', b: ['x', 'pre {{ secret.FROM_ENV }}'] },
      [
        { path: ['a'], parts: [{ secret: 'FROM_FILE' }] },
        { path: ['b', 1], parts: ['pre ', { secret: 'FROM_ENV' }] },
      ],
      source,
    );
    expect(input).toEqual({ a: 'file-value-123', b: ['x', 'pre env-value-456'] });
  });

  it('scrubs the values from what the activity returns and throws', async () => {
    const source = () => ({ env: { REBOUND_SECRET_TOKEN: 'tok-987654' } });
    const request = { input: { h: 'Bearer {{ secret.TOKEN }}' }, secrets: [{ path: ['h'], parts: ['Bearer ', { secret: 'TOKEN' }] }] };
    const echo = withSecrets(async (received: typeof request) => ({ output: { echoed: received.input.h } }), source);
    expect(await echo(request)).toEqual({ output: { echoed: 'Bearer [secret TOKEN]' } });

    const failing = withSecrets(async (received: typeof request): Promise<never> => {
      throw ApplicationFailure.retryable(`target said no to ${received.input.h}`, 'TargetClientError', { echoed: received.input.h });
    }, source);
    const thrown = await failing(request).catch((error: unknown) => error as ApplicationFailure);
    expect(thrown).toBeInstanceOf(ApplicationFailure);
    expect(thrown).toMatchObject({ message: 'target said no to Bearer [secret TOKEN]', type: 'TargetClientError', nonRetryable: false, details: [{ echoed: 'Bearer [secret TOKEN]' }] });
    expect(thrown.stack).not.toContain('tok-987654');
  });

  it('leaves a failure without the values as it is', () => {
    const failure = ApplicationFailure.nonRetryable('unrelated', 'X');
    expect(scrubFailure(failure, new Map([['tok-987654', 'TOKEN']]))).toBe(failure);
  });
});

describe('the logger', () => {
  it('censors credential fields', () => {
    const output = memoryStream();
    createLogger({ level: 'info', destination: output.stream }).info(
      { headers: { authorization: 'Bearer abc', accept: 'json' }, request: { token: 't-1' }, password: 'p' },
      'calling',
    );
    expect(output.records()[0]).toMatchObject({ headers: { authorization: '[redacted]', accept: 'json' }, request: { token: '[redacted]' }, password: '[redacted]' });
  });

  it('cuts known secret values out of messages, fields and errors, and keeps each line JSON', () => {
    rememberSecretValue('s3cr"et-value', 'PLANTED');
    const output = memoryStream();
    createLogger({ level: 'info', destination: output.stream }).warn({ err: new Error('failed with s3cr"et-value'), url: 'https://x/?k=s3cr%22et-value' }, 'saw s3cr"et-value');
    const [line] = output.lines();
    expect(line).not.toContain('s3cr');
    expect(output.records()[0]).toMatchObject({ msg: 'saw [secret PLANTED]', url: 'https://x/?k=[secret PLANTED]', err: { message: 'failed with [secret PLANTED]' } });
  });
});
