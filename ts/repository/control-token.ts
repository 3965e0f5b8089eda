import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks an `Authorization` header (HTTP) or `authorization` metadata value (gRPC) against the
 * `--repository-token`: true when no token is configured, or the value is `Bearer <token>`.
 * Compares digests in constant time, so the check leaks neither the token nor its length.
 */
export function checkControlToken(expected: string | undefined, authorization: string | undefined): boolean {
  if (expected === undefined || expected === '') return true;
  if (authorization === undefined) return false;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  if (match === null) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(match[1]!), digest(expected));
}
