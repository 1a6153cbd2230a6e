/**
 * Payload encryption: a Temporal PayloadCodec that encrypts every payload (workflow input, results,
 * activity inputs and outputs, signals, queries, updates) with AES-256-GCM before it leaves the
 * process, so Temporal's history at rest holds ciphertext. The key id travels in the payload's
 * metadata: several keys can be read (rotation), one writes.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export const encryptedEncoding = 'binary/encrypted';
const cipherName = 'AES256-GCM';
const ivBytes = 12;
const tagBytes = 16;

/** One 32-byte key and the id written next to what it encrypted. */
export interface CodecKey {
  readonly id: string;
  readonly key: Buffer;
}

export interface CodecKeyring {
  /** Encrypts everything written. */
  readonly active: CodecKey;
  /** Every key that can be read, the active one included, by id. */
  readonly keys: ReadonlyMap<string, CodecKey>;
}

const text = (value: string) => new TextEncoder().encode(value);
const readText = (value: Uint8Array | undefined | null) => (value ? new TextDecoder().decode(value) : undefined);

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: CodecKeyring) {}

  get activeKeyId(): string {
    return this.keyring.active.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keyring.active;
    return payloads.map((payload) => {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated too: a payload cannot be relabelled to another key unnoticed.
      cipher.setAAD(Buffer.from(id, 'utf8'));
      const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        metadata: { encoding: text(encryptedEncoding), 'encryption-cipher': text(cipherName), 'encryption-key-id': text(id) },
        data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (readText(payload.metadata?.encoding) !== encryptedEncoding) return payload;
      const id = readText(payload.metadata?.['encryption-key-id']);
      const entry = id === undefined ? undefined : this.keyring.keys.get(id);
      if (!entry) throw new ValueError(`payload encrypted with key "${id ?? '(none)'}", which is not among this process's codec keys`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < ivBytes + tagBytes) throw new ValueError('encrypted payload too short');
      const decipher = createDecipheriv('aes-256-gcm', entry.key, data.subarray(0, ivBytes));
      decipher.setAAD(Buffer.from(entry.id, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - tagBytes));
      let plaintext: Buffer;
      try {
        plaintext = Buffer.concat([decipher.update(data.subarray(ivBytes, data.length - tagBytes)), decipher.final()]);
      } catch {
        throw new ValueError(`payload encrypted with key "${entry.id}" does not authenticate: wrong key or altered data`);
      }
      return temporal.api.common.v1.Payload.decode(plaintext);
    });
  }
}
