import { Inject, Injectable } from '@nestjs/common';
import type { ResourceType } from '@tofu-operator/api-types';
import { KubeApiError, KubeClient, type KubeObject, type Logger } from '@tofu-operator/reconcile-runtime';
import { CLIENT_FAILURE_BURST, CLIENT_FAILURE_PER_SECOND } from '../http/access-review.service.js';
import { ApiError } from '../http/errors.js';
import { ClientFailureLimiter } from '../http/review-limits.js';
import { ClusterCache } from '../kube/cluster-cache.js';
import { LOGGER } from '../kube/tokens.js';
import { SourcePoller } from '../source/source-poller.js';
import { hookShape, verifyHook, type HookHeaders } from './hooks-signature.js';

const Secrets: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
interface Secret extends KubeObject {
  data?: Record<string, string>;
}

/** The answer to a valid push. */
export interface HookAccepted {
  polled: true;
}

/** Peer addresses whose failures are remembered (the oldest is forgotten beyond). */
const HOOK_CLIENTS_MAX = 10_000;
/** Every refusal is the same 401: it does not tell a wrong signature from a module that does not exist. */
const refused = () => new ApiError(401, 'Unauthorized', 'the webhook is not signed with the secret of spec.source.webhookSecretRef');
/** A key nobody holds: the HMAC is computed for unknown modules too, so their answer takes as long. */
const NO_SECRET = Buffer.from('tofu-operator: no webhook secret');

/**
 * Push webhooks (POST /hooks/git/{ns}/{module}): verified by the shared secret in the Secret of the
 * module's spec.source.webhookSecretRef (GitHub, Gitea, GitLab and plain shapes, hooks-signature.ts);
 * a valid one polls the module's source at once. Failed requests are limited per peer address like
 * failed authentications of the API (429 once an address used its budget).
 */
@Injectable()
export class HooksService {
  private readonly failures = new ClientFailureLimiter(CLIENT_FAILURE_BURST, CLIENT_FAILURE_PER_SECOND, HOOK_CLIENTS_MAX);

  constructor(
    private readonly cache: ClusterCache,
    private readonly client: KubeClient,
    private readonly poller: SourcePoller,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async push(namespace: string, name: string, headers: HookHeaders, body: unknown, address: string | undefined): Promise<HookAccepted> {
    if (!Buffer.isBuffer(body)) throw new Error('the raw body of a webhook was not read (hookBodyReader is not mounted on /hooks)');
    this.failures.check(address);
    if (!(await this.verified(namespace, name, headers, body)) || !(await this.poller.requestPoll(namespace, name))) {
      this.failures.fail(address);
      throw refused();
    }
    this.log.info({ namespace, module: name, shape: hookShape(headers) }, 'push webhook: polling the source');
    return { polled: true };
  }

  private async verified(namespace: string, name: string, headers: HookHeaders, body: Buffer): Promise<boolean> {
    if (hookShape(headers) === undefined) return false;
    const ref = this.cache.modules.get(namespace, name)?.spec?.source?.webhookSecretRef;
    if (!ref) {
      verifyHook(headers, body, NO_SECRET);
      return false;
    }
    const key = ref.key || 'token';
    let value: string | undefined;
    try {
      const secret = await this.client.get<Secret>(Secrets, namespace, ref.name);
      const data = secret.data?.[key];
      value =
        data === undefined
          ? undefined
          : Buffer.from(data, 'base64')
              .toString('utf8')
              .replace(/[\r\n]+$/, '');
    } catch (err) {
      if (!(err instanceof KubeApiError)) throw err;
      // Said in the operator's log only: the caller learns nothing about the module or its Secret.
      this.log.warn({ namespace, module: name, secret: ref.name, code: err.code }, 'push webhook: the webhook Secret cannot be read');
    }
    if (!value) {
      if (value === undefined)
        this.log.warn({ namespace, module: name, secret: ref.name, key }, 'push webhook: the webhook Secret has no such key');
      verifyHook(headers, body, NO_SECRET);
      return false;
    }
    return verifyHook(headers, body, Buffer.from(value, 'utf8'));
  }
}
