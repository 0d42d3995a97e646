// One webhook notification as a Delivery of the queue: the URL (and the optional HMAC secret) read
// from the owner's Secret at send time, the body signed, the answer judged. Problems name the Secret
// and its key, the host at most, never the URL (it may carry a token).
import { createHmac } from 'node:crypto';
import type { AttemptOutcome, Delivery, DeliveryResult } from './delivery-queue.js';
import { NotificationRefusedError, webhookUrl } from './webhook-post.js';

/** Where the URL comes from: a key of a Secret in the owner's namespace. */
export interface WebhookTarget {
  namespace: string;
  secretName: string;
  key: string;
}

/** The Secret key that, when present, holds the HMAC key of the signature header. */
export const SIGNATURE_SECRET_KEY = 'secret';
/** The signature header: `sha256=<hex HMAC-SHA256 of the body>`, like GitHub's X-Hub-Signature-256. */
export const SIGNATURE_HEADER = 'X-Tofu-Signature-256';

/** What the delivery needs from outside; the operator passes the Kubernetes client and postNotification. */
export interface WebhookIo {
  /**
   * The Secret's data, decoded; undefined when it does not exist. Rejects on other errors, with
   * `retryable` true when worth another try (network, 5xx, 429).
   */
  readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  isRetryable(err: unknown): boolean;
  post(url: URL, body: string, headers: Record<string, string>): Promise<number>;
}

/** `sha256=<hex>`: HMAC-SHA256 of the body's bytes with the Secret's `secret` key. */
export function signatureOf(key: string, body: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/** What an HTTP answer means: 2xx sent; 429 and 5xx worth another try; anything else failed. */
export function outcomeOfStatus(status: number, host: string): AttemptOutcome {
  if (status >= 200 && status < 300) return { outcome: 'sent' };
  const problem = `${host} answered ${status}`;
  return status === 429 || status >= 500 ? { outcome: 'retry', problem } : { outcome: 'failed', problem };
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * A Delivery of `body` to the URL in `target`. `settled` hears how it ended, with the problem and
 * the host (when the URL was read) for the log.
 */
export function webhookDelivery(
  target: WebhookTarget,
  body: string,
  io: WebhookIo,
  settled: (result: DeliveryResult, problem: string | undefined, host: string | undefined) => void,
): Delivery {
  const ref = `Secret ${target.namespace}/${target.secretName}, key "${target.key}"`;
  let url: URL | undefined;
  let signingKey: string | undefined;
  return {
    async attempt(): Promise<AttemptOutcome> {
      if (!url) {
        let data: Record<string, string> | undefined;
        try {
          data = await io.readSecret(target.namespace, target.secretName);
        } catch (err) {
          return { outcome: io.isRetryable(err) ? 'retry' : 'failed', problem: `could not read the ${ref}: ${messageOf(err)}` };
        }
        if (!data) return { outcome: 'failed', problem: `the ${ref} does not exist` };
        const text = data[target.key];
        if (!text?.trim()) return { outcome: 'failed', problem: `the ${ref} is missing or empty` };
        try {
          url = webhookUrl(text);
        } catch (err) {
          return { outcome: 'failed', problem: `the URL in the ${ref} ${messageOf(err)}` };
        }
        signingKey = data[SIGNATURE_SECRET_KEY] || undefined;
      }
      const headers: Record<string, string> = { 'User-Agent': 'tofu-operator' };
      if (signingKey) headers[SIGNATURE_HEADER] = signatureOf(signingKey, body);
      try {
        return outcomeOfStatus(await io.post(url, body, headers), url.host);
      } catch (err) {
        const refused = err instanceof NotificationRefusedError;
        return { outcome: refused ? 'failed' : 'retry', problem: `${refused ? `refused: ` : ''}${messageOf(err)} (${ref})` };
      }
    },
    settled(result, problem) {
      settled(result, problem, url?.host);
    },
  };
}
