import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Longest key accepted from a URL; real keys are 43 characters (32 random bytes, base64url). */
export const MAX_OVERLAY_KEY_LENGTH = 128;

/**
 * Compares a stored overlay key with one from a URL in constant time. Both sides are hashed
 * first so the comparison always runs on two equal-length digests: neither the content nor the
 * length of the stored key leaks through timing.
 */
export function overlayKeyMatches(expected: string | null | undefined, provided: string | null | undefined): boolean {
  if (typeof provided !== 'string' || provided.length === 0 || provided.length > MAX_OVERLAY_KEY_LENGTH) return false;
  // Still hash and compare when nothing is stored, so an unknown channel costs the same time.
  const stored = typeof expected === 'string' && expected.length > 0 ? expected : null;
  const a = createHash('sha256').update(stored ?? '\u0000no-key').digest();
  const b = createHash('sha256').update(provided).digest();
  return timingSafeEqual(a, b) && stored !== null;
}

/** A fresh overlay key: 32 random bytes, URL-safe. */
export function generateOverlayKey(): string {
  return randomBytes(32).toString('base64url');
}

/** Replaces the `key` query value in a URL, for request logs: overlay URLs carry a secret. */
export function redactOverlayKey(url: string): string {
  return url.replace(/([?&]key=)[^&#]*/gi, '$1[redacted]');
}
