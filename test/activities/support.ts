/** Shared by the activity tests: a real HTTP server on 127.0.0.1, an activity context, quiet loggers. */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Info } from '@temporalio/activity';
import { DefaultLogger } from '@temporalio/worker';
import pino from 'pino';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Routes: `/echo` answers 200 with the request as JSON; `/status/<code>` answers that status with a
 * small JSON body; `/text` answers 1000 characters of text; `/large-json` answers 20 KiB of JSON;
 * `/mislabelled` is text labelled as JSON; `/hang` never answers.
 */
export class TestServer {
  readonly requests: RecordedRequest[] = [];
  private readonly server = http.createServer((request, response) => void this.handle(request, response));

  static async start(): Promise<TestServer> {
    const testServer = new TestServer();
    testServer.server.listen(0, '127.0.0.1');
    await once(testServer.server, 'listening');
    return testServer;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves with the next request the server receives (its body read). */
  async nextRequest(): Promise<RecordedRequest> {
    const [request] = (await once(this.server, 'recorded')) as [RecordedRequest];
    return request;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const recorded = {
      method: request.method ?? '',
      path: request.url ?? '',
      headers: request.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    this.server.emit('recorded', recorded);

    const { pathname } = new URL(recorded.path, 'http://test');
    const status = /^\/status\/(\d{3})$/.exec(pathname);
    if (status) return json(response, Number(status[1]), { error: 'as asked' });
    switch (pathname) {
      case '/echo':
        return json(response, 200, { method: recorded.method, body: recorded.body === '' ? null : JSON.parse(recorded.body) });
      case '/text':
        return text(response, 'text/plain', 'abcdefghij'.repeat(100));
      case '/large-json':
        return json(response, 200, { items: Array.from({ length: 2000 }, (_, index) => `item-${index}`) });
      case '/mislabelled':
        return text(response, 'application/json', 'this is not JSON');
      case '/hang':
        return;
      default:
        return json(response, 404, { error: 'no such route' });
    }
  }
}

function json(response: http.ServerResponse, status: number, body: unknown): void {
  text(response, 'application/json; charset=utf-8', JSON.stringify(body), status);
}

function text(response: http.ServerResponse, contentType: string, body: string, status = 200): void {
  response.writeHead(status, { 'content-type': contentType }).end(body);
}

/** A URL on which nothing listens: a port that was just free. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}/`;
}

/** An activity context as the worker would give one, for the workflow `wf-1`. */
export function activityEnvironment(info: Partial<Info> = {}): MockActivityEnvironment {
  return new MockActivityEnvironment(
    { workflowExecution: { workflowId: 'wf-1', runId: 'run-1' }, ...info },
    { logger: new DefaultLogger('ERROR') },
  );
}

/** The failure a promise rejects with, which must be an ApplicationFailure. */
export async function applicationFailureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (error instanceof ApplicationFailure) return error;
  throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
}

/** Runs an activity in the environment, typed (MockActivityEnvironment.run cannot infer the result type). */
export function runIn<Args extends unknown[], Result>(
  environment: MockActivityEnvironment,
  activity: (...args: Args) => Promise<Result>,
  ...args: Args
): Promise<Result> {
  return environment.run<Args, Result, typeof activity>(activity, ...args);
}

export const silentLogger = pino({ level: 'silent' });

/** A debug-level logger that keeps its lines for assertions. */
export function recordingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
