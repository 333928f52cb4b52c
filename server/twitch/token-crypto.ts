/**
 * AES-256-GCM for Twitch tokens at rest. The key is derived from TOKEN_ENCRYPTION_KEY with
 * SHA-256 so any string of 32+ characters works; each value gets a fresh 12-byte IV and the GCM
 * tag detects a wrong key or a tampered value. Format: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class TokenKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenKeyError';
  }
}

function keyBytes(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Encrypts `plaintext` with a key derived from `secret`. */
export function encryptSecret(secret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyBytes(secret), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Decrypts a value made by `encryptSecret`; throws `TokenKeyError` for a wrong key or a damaged value. */
export function decryptSecret(secret: string, blob: string): string {
  const [version, iv, tag, body] = blob.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) {
    throw new TokenKeyError('stored Twitch token has an unknown format');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyBytes(secret), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new TokenKeyError('stored Twitch token cannot be decrypted: TOKEN_ENCRYPTION_KEY differs from the key it was stored with');
  }
}
