/**
 * The secret values this process knows (resolved `{{ secret.NAME }}` values, secrets in its
 * environment), so that they can be cut out of anything written out: log lines (runtime/logger.ts)
 * and activity results and failures (activities/secrets.ts). Values shorter than
 * {@link minScrubbedLength} are not scrubbed: replacing a few common characters everywhere would
 * mangle every line and hide nothing.
 */

export const minScrubbedLength = 4;
/** Enough for every secret of a worker, however often they rotate; the oldest are forgotten first. */
const maxKnownValues = 1000;

const known = new Map<string, string>();

/** Environment variables whose values are secrets, besides every `REBOUND_SECRET_*`. */
const secretVariables = ['REBOUND_WEBHOOK_TOKEN', 'REBOUND_CODEC_TOKEN', 'REBOUND_CODEC_KEYS', 'TEMPORAL_API_KEY'];

/** Remembers a secret value (and the name it is shown as: `[secret NAME]`). */
export function rememberSecretValue(value: string, name = 'redacted'): void {
  if (value.length < minScrubbedLength) return;
  known.delete(value);
  known.set(value, name);
  if (known.size > maxKnownValues) known.delete(known.keys().next().value as string);
}

/** Remembers the secrets of an environment: `REBOUND_SECRET_<NAME>` values, tokens and codec keys (each `id=key` entry's key too). */
export function rememberEnvironmentSecrets(env: NodeJS.ProcessEnv = process.env): void {
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (variable.startsWith('REBOUND_SECRET_')) rememberSecretValue(value.trim(), variable.slice('REBOUND_SECRET_'.length));
    else if (secretVariables.includes(variable)) {
      rememberSecretValue(value.trim(), variable);
      for (const entry of value.split(/[,\n]/)) rememberSecretValue(entry.slice(entry.indexOf('=') + 1).trim(), variable);
    }
  }
}

const formsCache = new Map<string, string[]>();

/** The forms a value takes in text: as is, inside a JSON string, URL-encoded (cached: every log line asks). */
function formsOf(value: string): string[] {
  let forms = formsCache.get(value);
  if (forms === undefined) {
    forms = [...new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)])].filter((form) => form.length >= minScrubbedLength);
    if (formsCache.size >= maxKnownValues * 2) formsCache.clear();
    formsCache.set(value, forms);
  }
  return forms;
}

/** Replaces every known secret value (`values`: default all known) in `text` with `[secret NAME]`. */
export function scrubText(text: string, values: ReadonlyMap<string, string> = known): string {
  let scrubbed = text;
  for (const [value, name] of values) {
    for (const form of formsOf(value)) if (scrubbed.includes(form)) scrubbed = scrubbed.replaceAll(form, `[secret ${name}]`);
  }
  return scrubbed;
}

/** True when `text` holds a known secret value in any of its forms. */
export function holdsSecret(text: string, values: ReadonlyMap<string, string> = known): boolean {
  for (const value of values.keys()) if (formsOf(value).some((form) => text.includes(form))) return true;
  return false;
}

/** A JSON value with every known secret (or those of `values`) scrubbed from its strings and keys. */
export function scrubValue<T>(value: T, values: ReadonlyMap<string, string> = known): T {
  if (typeof value === 'string') return scrubText(value, values) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubValue(item, values)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const scrubbed: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      Object.defineProperty(scrubbed, scrubText(key, values), { value: scrubValue(inner, values), enumerable: true, writable: true, configurable: true });
    }
    return scrubbed as T;
  }
  return value;
}
