// Verification of push webhooks (POST /hooks/git/{ns}/{module}) by the shared secret of the
// module's spec.source.webhookSecretRef, in the shapes git hosts send: GitHub and the plain JSON
// shape sign the raw body with HMAC-SHA256 ("sha256=<hex>"), Gitea signs it without the prefix,
// GitLab sends the secret itself as a token. Every comparison takes constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Request headers as Node gives them (lower-case names). */
export type HookHeaders = Record<string, string | string[] | undefined>;

/** Which shape a request claims to be, from its headers (the first one present, in this order). */
export type HookShape = 'github' | 'gitea' | 'gitlab' | 'plain';

const header = (headers: HookHeaders, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Equal bytes, in time that does not depend on where they differ (nor on `expected`'s content). */
function safeEqual(given: Buffer, expected: Buffer): boolean {
  // timingSafeEqual needs equal lengths; comparing against itself keeps the time the same.
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}

/** The 32-byte digest in `value` ("sha256=<hex>" with `prefix`, else bare hex), or undefined when malformed. */
function hexDigest(value: string | undefined, prefix: boolean): Buffer | undefined {
  if (value === undefined) return undefined;
  const m = (prefix ? /^sha256=([0-9a-f]{64})$/i : /^([0-9a-f]{64})$/i).exec(value.trim());
  return m?.[1] ? Buffer.from(m[1], 'hex') : undefined;
}

/** The shape and its signature header of a request, or undefined when it carries none. */
export function hookShape(headers: HookHeaders): HookShape | undefined {
  if (header(headers, 'x-hub-signature-256') !== undefined) return 'github';
  if (header(headers, 'x-gitea-signature') !== undefined) return 'gitea';
  if (header(headers, 'x-gitlab-token') !== undefined) return 'gitlab';
  if (header(headers, 'x-tofu-signature-256') !== undefined) return 'plain';
  return undefined;
}

/**
 * Whether a request is signed with `secret`: true only for a well-formed signature of `body` (or, for
 * GitLab, the secret itself) in the header of the shape it claims. An empty secret verifies nothing.
 */
export function verifyHook(headers: HookHeaders, body: Buffer, secret: Buffer): boolean {
  if (secret.length === 0) return false;
  const shape = hookShape(headers);
  if (shape === undefined) return false;
  if (shape === 'gitlab') return safeEqual(Buffer.from(header(headers, 'x-gitlab-token') ?? '', 'utf8'), secret);
  const expected = createHmac('sha256', secret).update(body).digest();
  const given =
    shape === 'github'
      ? hexDigest(header(headers, 'x-hub-signature-256'), true)
      : shape === 'plain'
        ? hexDigest(header(headers, 'x-tofu-signature-256'), true)
        : hexDigest(header(headers, 'x-gitea-signature'), false);
  return safeEqual(given ?? Buffer.alloc(0), expected);
}

/** The plain shape's signature header value of `body` (for clients, tests and the docs' examples). */
export function signPlain(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
