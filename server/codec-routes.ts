/**
 * A codec server for the Temporal UI and CLI (Temporal's remote codec protocol): POST
 * /codec/decode and /codec/encode take and answer `{ payloads: [{ metadata, data }] }` (base64),
 * through Rebound's payload codec. Authenticated by the token (the decoded payloads are the
 * secrets encryption protects): as `Authorization: Bearer` (the Temporal CLI's --codec-auth), or
 * as a path segment, /codec/<token>/decode, for the Temporal UI, whose codec setting is a bare URL
 * (it sends an Authorization header only with a signed-in user's access token). CORS only for the
 * configured UI origin.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError } from './http-errors';

export interface CodecRoutesOptions {
  codec: PayloadCodec;
  /** The token callers present as `Authorization: Bearer <token>` (`REBOUND_CODEC_TOKEN`). */
  token: string;
  /** The Temporal UI's origin (e.g. `http://127.0.0.1:8233`): the only origin browsers may call from. */
  uiOrigin?: string | undefined;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'expected base64' });
/** The body of both codec routes, and the shape of their answers. */
export const codecPayloadsSchema = z.strictObject({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })).max(10_000),
});

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

function toPayload(json: z.infer<typeof codecPayloadsSchema>['payloads'][number]): Payload {
  const metadata = Object.fromEntries(Object.entries(json.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value, 'base64')]));
  return { metadata, data: Buffer.from(json.data ?? '', 'base64') };
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  const metadata = Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([name, value]) => [name, Buffer.from(value ?? []).toString('base64')]));
  return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
}

/** Register with `app.register(codecRoutes, options)`: the routes live under /codec. */
export async function codecRoutes(app: FastifyInstance, options: CodecRoutesOptions): Promise<void> {
  if (options.token.length < 16) throw new Error('the codec endpoint needs a token of at least 16 characters');
  const expected = digest(options.token);

  const allowOrigin = (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (origin !== options.uiOrigin) throw new HttpError('forbidden', `origin ${origin} may not call the codec endpoint`);
    reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
  };

  const authenticate = (request: FastifyRequest) => {
    // The token as the last path segment of the endpoint (for the Temporal UI, which sends no headers of ours).
    const inPath = (request.params as { token?: string } | undefined)?.token;
    if (inPath !== undefined) {
      if (!timingSafeEqual(digest(inPath), expected)) throw new HttpError('invalid_credentials', 'invalid credentials');
      return;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) throw new HttpError('unauthenticated', 'missing credentials: send Authorization: Bearer <token>');
    if (!timingSafeEqual(digest(match[1] ?? ''), expected)) throw new HttpError('invalid_credentials', 'invalid credentials');
  };

  const route = (name: 'decode' | 'encode', url: string) => {
    // A browser's preflight carries no credentials: it only learns what the real request may send.
    app.options(url, async (request, reply) => {
      allowOrigin(request, reply);
      return reply
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    });
    app.post(url, async (request, reply) => {
      allowOrigin(request, reply);
      authenticate(request);
      const body = codecPayloadsSchema.safeParse(request.body);
      if (!body.success) {
        throw new HttpError('invalid_payload', 'expected { payloads: [{ metadata: { name: base64 }, data: base64 }] }', body.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
      }
      const payloads = body.data.payloads.map(toPayload);
      let converted: Payload[];
      try {
        converted = name === 'decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
      } catch (error) {
        throw new HttpError('invalid_payload', (error as Error).message);
      }
      return { payloads: converted.map(toJson) };
    });
  };
  for (const name of ['decode', 'encode'] as const) {
    route(name, `/codec/${name}`);
    route(name, `/codec/:token/${name}`);
  }
}
