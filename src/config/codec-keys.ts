/**
 * Payload encryption keys (AES-256-GCM) and the codec server's bearer tokens, from the environment. Used by workers,
 * clients and the codec server alike. Never echo a value read here in a message: they are secrets.
 */
import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, emptyAsUnset, parseEnv } from './env.js';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_ID_RULE = '1-64 letters, digits, ".", "_" or "-"';
const KEY_RULE = 'must be the base64 of exactly 32 bytes (make one with `openssl rand -base64 32`)';

/** The 32 bytes of a base64 (standard or URL-safe, padding optional) AES-256 key, or undefined for anything else. */
function keyBytes(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

/** The key id used when none is given: the first 8 hex digits of the key's SHA-256 (never the key itself). */
export function defaultKeyId(key: Buffer | KeyObject): string {
  const bytes = Buffer.isBuffer(key) ? key : key.export();
  return createHash('sha256').update(bytes).digest('hex').slice(0, 8);
}

/** The payload encryption variables, for the worker's and client's schemas (and parsed alone by {@link loadEncryptionKeys}). */
export const EncryptionEnv = z.object({
  // Never echo these values in a message: they are secrets.
  CONVO_ENCRYPTION_KEY: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .trim()
      .refine((v) => keyBytes(v) !== undefined, KEY_RULE)
      .optional(),
  ),
  CONVO_ENCRYPTION_KEY_ID: z.preprocess(
    emptyAsUnset,
    z.string().trim().regex(KEY_ID, `must be ${KEY_ID_RULE}`).optional(),
  ),
  CONVO_DECRYPTION_KEYS: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .optional()
      .superRefine((v, ctx) => {
        const problem = v === undefined ? undefined : decryptionKeysProblem(v);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
  ),
});

/**
 * Payload encryption keys (AES-256-GCM), from `CONVO_ENCRYPTION_KEY`, `CONVO_ENCRYPTION_KEY_ID` and
 * `CONVO_DECRYPTION_KEYS`. Keys are `KeyObject`s, which neither `JSON.stringify` nor `console.log` print.
 */
export interface EncryptionKeys {
  /** Id of the key new payloads are encrypted with; undefined when only old keys are held (decrypt only). */
  encryptKeyId?: string;
  /** Every key held, by id: the current one and the old ones that only decrypt. */
  keys: ReadonlyMap<string, KeyObject>;
}

/** Why a `CONVO_DECRYPTION_KEYS` value does not parse (naming the entry by position and id, never its key). */
function decryptionKeysProblem(value: string): string | undefined {
  for (const [i, { id, key }] of decryptionKeyEntries(value).entries()) {
    if (id !== undefined && !KEY_ID.test(id)) return `entry ${i + 1}: key id must be ${KEY_ID_RULE}`;
    if (!keyBytes(key)) return `entry ${i + 1}${id ? ` (id ${id})` : ''}: key ${KEY_RULE}`;
  }
  return undefined;
}

/** The `id:base64` (or bare `base64`) entries of a `CONVO_DECRYPTION_KEYS` value, as written (not yet checked). */
function decryptionKeyEntries(value: string): Array<{ id?: string; key: string }> {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .map((entry) => {
      const colon = entry.indexOf(':');
      return colon === -1 ? { key: entry } : { id: entry.slice(0, colon).trim(), key: entry.slice(colon + 1).trim() };
    });
}

/**
 * The encryption keys of parsed (already validated) variables; undefined when none is set.
 * @throws ConfigError when a key id is given without a key, or two keys share an id.
 */
export function encryptionKeys(e: z.output<typeof EncryptionEnv>): EncryptionKeys | undefined {
  const { CONVO_ENCRYPTION_KEY: key, CONVO_ENCRYPTION_KEY_ID: keyId, CONVO_DECRYPTION_KEYS: decryptionKeys } = e;
  if (keyId && !key)
    throw new ConfigError('invalid environment variable CONVO_ENCRYPTION_KEY_ID: set without CONVO_ENCRYPTION_KEY');
  const keys = new Map<string, KeyObject>();
  const add = (variable: string, id: string | undefined, text: string): string => {
    const bytes = keyBytes(text)!;
    const kid = id ?? defaultKeyId(bytes);
    const secret = createSecretKey(bytes);
    if (keys.get(kid)?.equals(secret) === false) {
      throw new ConfigError(
        `invalid environment variable ${variable}: key id ${kid} is given twice with different keys`,
      );
    }
    keys.set(kid, secret);
    return kid;
  };
  const encryptKeyId = key === undefined ? undefined : add('CONVO_ENCRYPTION_KEY_ID', keyId, key);
  for (const { id, key: old } of decryptionKeyEntries(decryptionKeys ?? '')) add('CONVO_DECRYPTION_KEYS', id, old);
  return keys.size === 0 ? undefined : { encryptKeyId, keys };
}

/**
 * Reads only the payload encryption keys (`CONVO_ENCRYPTION_KEY`, `CONVO_ENCRYPTION_KEY_ID`,
 * `CONVO_DECRYPTION_KEYS`), for commands that need nothing else (`convo server`, `convo codec-server`).
 * @returns undefined when none is set.
 * @throws ConfigError naming the variable that does not parse (never its value).
 */
export function loadEncryptionKeys(env: NodeJS.ProcessEnv = process.env): EncryptionKeys | undefined {
  return encryptionKeys(parseEnv(EncryptionEnv, env));
}

const CodecAuthEnv = z.object({
  CONVO_CODEC_AUTH_TOKEN: z.preprocess(
    emptyAsUnset,
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t !== ''),
      )
      .refine((tokens) => tokens.length > 0 && tokens.every((t) => /^[\x21-\x7e]{16,}$/.test(t)), {
        message: 'must be one or more comma-separated tokens of at least 16 printable characters, no spaces',
      })
      .optional(),
  ),
});

/**
 * The bearer tokens `convo codec-server` accepts, from `CONVO_CODEC_AUTH_TOKEN` (comma-separated, so a new token can
 * be added before the old one is dropped); undefined when unset (no check).
 * @throws ConfigError naming the variable (never its value) when a token is shorter than 16 characters or has spaces.
 */
export function loadCodecAuthTokens(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  return parseEnv(CodecAuthEnv, env).CONVO_CODEC_AUTH_TOKEN;
}
