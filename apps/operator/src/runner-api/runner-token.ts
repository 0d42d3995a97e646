import { createHmac, timingSafeEqual } from 'node:crypto';

/** Length of the runner key in bytes: as long as the HMAC-SHA256 output, as RFC 2104 recommends. */
export const RUNNER_KEY_BYTES = 32;

/** What a runner token is bound to: one execution object, by namespace, name and uid. */
export interface TokenSubject {
  namespace: string;
  name: string;
  uid: string;
}

/**
 * The text a token signs: `namespace/execution/uid`. None of the three can hold a "/" (names are DNS
 * subdomains, uids are UUIDs), so two subjects never sign the same text.
 */
export function tokenMessage(subject: TokenSubject): string {
  for (const field of ['namespace', 'name', 'uid'] as const) {
    const value = subject[field];
    if (!value || value.includes('/')) throw new RangeError(`a runner token subject needs a ${field} without "/", got "${value}"`);
  }
  return `${subject.namespace}/${subject.name}/${subject.uid}`;
}

/**
 * The runner token of an execution: base64url(HMAC-SHA256(key, "namespace/execution/uid")), 43
 * characters. The operator hands it to the runner (as TF_HTTP_PASSWORD) through a Secret; the uid
 * makes a token die with its execution, even if an execution of the same name is created again.
 */
export function mintRunnerToken(key: Uint8Array, subject: TokenSubject): string {
  if (key.length < RUNNER_KEY_BYTES) throw new RangeError(`the runner key must have at least ${RUNNER_KEY_BYTES} bytes`);
  return createHmac('sha256', key).update(tokenMessage(subject)).digest('base64url');
}

/** Whether `token` is the runner token of `subject`; compares in constant time. */
export function verifyRunnerToken(key: Uint8Array, subject: TokenSubject, token: string): boolean {
  const expected = Buffer.from(mintRunnerToken(key, subject), 'utf8');
  const given = Buffer.from(token, 'utf8');
  // timingSafeEqual needs equal lengths; the length of a valid token is public (43), so this leaks nothing.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
