/**
 * The payload codec's keys, from the environment: `REBOUND_CODEC_KEYS` or a file named by
 * `REBOUND_CODEC_KEY_FILE`, both holding `id=<base64 of 32 bytes>` entries separated by commas or
 * lines; the first entry encrypts, all of them decrypt. Neither set: no encryption (the dev default).
 * Key material never appears in an error message.
 */
import { readFileSync } from 'node:fs';
import type { DataConverter } from '@temporalio/common';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CodecRoutesOptions } from '../server/codec-routes';
import { AesGcmPayloadCodec, type CodecKey, type CodecKeyring } from './codec';
import { ConfigError } from './config';

const keyEntry = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}=\S+$/, { error: 'expected id=<base64 key>, the id of letters, digits, ., _ or - (at most 64)' })
  .transform((entry, context): CodecKey => {
    const separator = entry.indexOf('=');
    const id = entry.slice(0, separator);
    const encoded = entry.slice(separator + 1);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
      context.addIssue({ code: 'custom', message: `key "${id}" is not 32 bytes of base64 (make one with: openssl rand -base64 32)` });
      return z.NEVER;
    }
    return { id, key };
  });

const keyList = z
  .array(keyEntry)
  .min(1, { error: 'no keys' })
  .refine((keys) => new Set(keys.map((key) => key.id)).size === keys.length, { error: 'a key id appears twice' });

/** Splits the text of the variable or file: commas or lines, `#` starts a comment. */
function entries(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*/, ''))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** The keyring configured in `env`, or undefined when encryption is off; throws ConfigError naming the variable. */
export function loadCodecKeyring(env: NodeJS.ProcessEnv = process.env): CodecKeyring | undefined {
  const inline = env.REBOUND_CODEC_KEYS?.trim() || undefined;
  const file = env.REBOUND_CODEC_KEY_FILE?.trim() || undefined;
  if (inline && file) throw new ConfigError('REBOUND_CODEC_KEYS and REBOUND_CODEC_KEY_FILE are both set: set one');
  if (!inline && !file) return undefined;
  const variable = inline ? 'REBOUND_CODEC_KEYS' : 'REBOUND_CODEC_KEY_FILE';
  let text = inline ?? '';
  if (file) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`REBOUND_CODEC_KEY_FILE: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  const parsed = keyList.safeParse(entries(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = typeof issue?.path[0] === 'number' ? ` (entry ${issue.path[0] + 1})` : '';
    throw new ConfigError(`${variable}${where}: ${issue?.message ?? 'invalid keys'}`);
  }
  const keys = parsed.data;
  return { active: keys[0]!, keys: new Map(keys.map((key) => [key.id, key])) };
}

/** The data converter for clients and workers: payloads encrypted with the keyring, or Temporal's default without one. */
export function codecDataConverter(keyring: CodecKeyring | undefined): DataConverter | undefined {
  return keyring === undefined ? undefined : { payloadCodecs: [new AesGcmPayloadCodec(keyring)] };
}

/** Says at start whether payloads are encrypted: off is the dev default, and must never go unnoticed in production. */
export function logPayloadEncryption(logger: Logger, dataConverter: DataConverter | undefined): void {
  const codec = dataConverter?.payloadCodecs?.find((candidate) => candidate instanceof AesGcmPayloadCodec);
  if (codec) logger.info({ keyId: codec.activeKeyId }, 'payload encryption on: Temporal history holds ciphertext');
  else logger.warn('payload encryption off: params, alerts and outputs are stored in Temporal history as plaintext (set REBOUND_CODEC_KEYS or REBOUND_CODEC_KEY_FILE)');
}

/**
 * The codec endpoint `rebound serve` offers the Temporal UI and CLI: only with keys and a token
 * (`REBOUND_CODEC_TOKEN`, at least 16 characters); `REBOUND_CODEC_UI_ORIGIN` is the one origin
 * browsers may call it from.
 */
export function codecEndpointFromEnv(dataConverter: DataConverter | undefined, env: NodeJS.ProcessEnv = process.env): CodecRoutesOptions | undefined {
  const codec = dataConverter?.payloadCodecs?.find((candidate) => candidate instanceof AesGcmPayloadCodec);
  const token = env.REBOUND_CODEC_TOKEN?.trim() || undefined;
  if (!codec || !token) return undefined;
  if (token.length < 16) throw new ConfigError('REBOUND_CODEC_TOKEN: expected a token of at least 16 characters');
  const uiOrigin = env.REBOUND_CODEC_UI_ORIGIN?.trim() || undefined;
  if (uiOrigin !== undefined && !/^https?:\/\/[^/\s]+$/.test(uiOrigin)) throw new ConfigError(`REBOUND_CODEC_UI_ORIGIN: expected an origin like http://127.0.0.1:8233, got ${JSON.stringify(uiOrigin)}`);
  return { codec, token, uiOrigin };
}

/** Shorthand for processes: the data converter the environment asks for. */
export function dataConverterFromEnv(env: NodeJS.ProcessEnv = process.env): DataConverter | undefined {
  return codecDataConverter(loadCodecKeyring(env));
}
