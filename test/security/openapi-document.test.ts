/**
 * GET /openapi.json over a real socket: a valid OpenAPI 3.1 document (checked by a maintained
 * validator, @seriousme/openapi-schema-validator, as its CLI; the Schema Objects, which its 3.1
 * schema leaves unchecked, by ajv against JSON Schema 2020-12) that lists exactly the routes the
 * server registered, with the credentials each takes. Temporal is unreachable: no route here needs it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import type { FastifyInstance } from 'fastify';
import { codecDataConverter, codecEndpointFromEnv, loadCodecKeyring } from '../../runtime/codec-keys';
import { createTestWebhook, unreachableTemporalClient } from '../helpers/webhook';

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { security: Record<string, string[]>[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

const codecEnv = { REBOUND_CODEC_KEYS: `k1=${randomBytes(32).toString('base64')}`, REBOUND_CODEC_TOKEN: randomBytes(16).toString('hex') };
const validatorCli = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'validate-api');
let client: Client;
let dir: string;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  client = await unreachableTemporalClient();
  dir = await mkdtemp(path.join(tmpdir(), 'rebound-openapi-'));
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await client?.connection.close();
  await rm(dir, { recursive: true, force: true });
});

async function serve(options: Parameters<typeof createTestWebhook>[0]): Promise<{ app: FastifyInstance; document: Document }> {
  const app = await createTestWebhook(options);
  apps.push(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const response = await fetch(`${url}/openapi.json`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { app, document: (await response.json()) as Document };
}

/** Every Schema Object of the document: the named components and the inline body and answer schemas. */
function schemasOf(document: Document): unknown[] {
  const inline = Object.values(document.paths).flatMap((methods) =>
    Object.values(methods).flatMap((operation) => Object.values(operation.responses).flatMap((response) => Object.values(response.content ?? {}).map((media) => media.schema))),
  );
  return [...Object.values(document.components.schemas), ...inline];
}

const operationsOf = (document: Document) => Object.entries(document.paths).flatMap(([route, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${route}`)).sort();

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document listing every registered route, codec routes included when served', async () => {
    const { app, document } = await serve({ client, taskQueue: 'openapi', codec: codecEndpointFromEnv(codecDataConverter(loadCodecKeyring(codecEnv)), codecEnv) });
    const file = path.join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(document));
    const validation = await promisify(execFile)(validatorCli, [file]).catch((error: { stdout: string }) => error);

    const ajv = new Ajv2020();
    const invalidSchemas = schemasOf(document).filter((schema) => !ajv.validateSchema(schema as object));

    expect(JSON.parse(validation.stdout)).toEqual({ valid: true });
    expect(invalidSchemas).toEqual([]);
    expect(schemasOf(document).length).toBeGreaterThan(20);
    expect(document.openapi).toBe('3.1.0');
    expect(operationsOf(document)).toEqual(
      [
        'POST /v1/alerts/alertmanager',
        'POST /v1/alerts/grafana',
        'POST /v1/alerts/generic',
        ...['/healthz', '/readyz', '/metrics', '/openapi.json'].flatMap((route) => [`GET ${route}`, `HEAD ${route}`]),
        ...['/codec/decode', '/codec/encode', '/codec/{token}/decode', '/codec/{token}/encode'].flatMap((route) => [`POST ${route}`, `OPTIONS ${route}`]),
      ].sort(),
    );
    for (const operation of operationsOf(document)) {
      const [method, url] = operation.split(' ') as [string, string];
      expect({ operation, registered: app.hasRoute({ method: method as 'GET', url: url.replace(/\{(\w+)\}/g, ':$1') }) }).toEqual({ operation, registered: true });
    }
  });

  it('gives each alert route its credentials, the generic route HMAC headers too, and its error answers by status', async () => {
    const { document } = await serve({ client, taskQueue: 'openapi' });
    const alertmanager = document.paths['/v1/alerts/alertmanager']?.post;
    const generic = document.paths['/v1/alerts/generic']?.post;

    expect(alertmanager?.security).toEqual([{ bearerToken: [] }, { basicAuth: [] }]);
    expect(generic?.security).toEqual([{ bearerToken: [] }, { basicAuth: [] }, { hmacTimestamp: [], hmacSignature: [] }]);
    expect(document.components.securitySchemes).toMatchObject({ hmacTimestamp: { in: 'header', name: 'X-Rebound-Timestamp' }, hmacSignature: { in: 'header', name: 'X-Rebound-Signature' } });
    expect(Object.keys(alertmanager?.responses ?? {})).toEqual(['202', '400', '401', '403', '413', '415', '422', '429', '503']);
    expect(alertmanager?.responses['400']?.content?.['application/json']?.schema).toMatchObject({
      properties: { error: { properties: { code: { enum: ['malformed_json', 'empty_body', 'forbidden_key', 'bad_request', 'unsupported_version'] } } } },
    });
    expect(generic?.responses['401']?.content?.['application/json']?.schema).toMatchObject({
      properties: { error: { properties: { code: { enum: ['unauthenticated', 'invalid_credentials', 'invalid_signature', 'stale_signature'] } } } },
    });
    expect(Object.keys(document.paths).filter((route) => route.startsWith('/codec'))).toEqual([]);
  });

  it('says the alert routes take no credentials when the server runs with auth disabled', async () => {
    const { document } = await serve({ client, taskQueue: 'openapi', auth: { disabled: true } });
    const grafana = document.paths['/v1/alerts/grafana']?.post;

    expect(grafana?.security).toEqual([]);
    expect(Object.keys(grafana?.responses ?? {})).not.toContain('401');
    expect(Object.keys(grafana?.responses ?? {})).not.toContain('403');
  });

  it('refuses to start a server with a route the document does not describe', async () => {
    const app = await createTestWebhook({ client, taskQueue: 'openapi' });
    apps.push(app);
    app.get('/undocumented', async () => ({}));

    await expect(app.ready()).rejects.toThrow('routes without an OpenAPI operation (server/openapi.ts): GET /undocumented, HEAD /undocumented');
  });
});
