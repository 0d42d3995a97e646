import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Labels } from '@tofu-operator/api-types';
import { isAlreadyExists, KubeClient, type Logger } from '@tofu-operator/reconcile-runtime';
import type { OperatorConfig } from '../config/operator-config.js';
import { LOGGER, OPERATOR_CONFIG } from '../kube/tokens.js';
import { buildSecret, getOurs, secretValue, Secrets, type Secret, type SecretApi } from './secret-io.js';
import { RUNNER_KEY_SECRET } from './secret-names.js';
import { mintRunnerToken, RUNNER_KEY_BYTES, verifyRunnerToken, type TokenSubject } from './runner-token.js';

/** The key Secret cannot be read or made (HTTP 503 for the runner API: try again). */
export class RunnerKeyError extends Error {
  override readonly name = 'RunnerKeyError';
}

const ARTIFACT = 'runner-key';
/**
 * How long a key read from the Secret is used before it is read again: every replica then follows a
 * replaced key (deleting the Secret revokes every runner token) within this time.
 */
const KEY_TTL_MS = 60_000;

/**
 * The HMAC key of runner tokens: Secret `tofu-operator-runner-key` in the operator's namespace,
 * created with 32 random bytes by the first replica that needs it (create, and on 409 read the
 * winner's), shared by every replica, cached for a minute.
 */
@Injectable()
export class RunnerKeyService {
  private cached: { key: Buffer; at: number } | undefined;
  private loading: Promise<Buffer> | undefined;

  constructor(
    @Inject(KubeClient) private readonly api: SecretApi,
    @Inject(OPERATOR_CONFIG) private readonly config: Pick<OperatorConfig, 'leaseNamespace'>,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The namespace of the key Secret: the operator's own (where its Lease lives). */
  get namespace(): string {
    return this.config.leaseNamespace;
  }

  /** The token a runner of `subject` presents (for the operator to put into the execution's Secret). */
  async mint(subject: TokenSubject): Promise<string> {
    return mintRunnerToken(await this.key(), subject);
  }

  /** Whether `token` is `subject`'s runner token. */
  async verify(subject: TokenSubject, token: string): Promise<boolean> {
    return verifyRunnerToken(await this.key(), subject, token);
  }

  /** The key: cached, read again after a minute (a failed refresh keeps the old one and logs). */
  async key(): Promise<Buffer> {
    const cached = this.cached;
    if (cached && Date.now() - cached.at < KEY_TTL_MS) return cached.key;
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    try {
      return await this.loading;
    } catch (err) {
      if (!cached) throw err;
      this.log.warn({ err }, 'could not refresh the runner key; using the one read before');
      return cached.key;
    }
  }

  private async load(): Promise<Buffer> {
    let secret: Secret | undefined;
    try {
      secret = await getOurs(this.api, this.namespace, RUNNER_KEY_SECRET, ARTIFACT);
      if (!secret) {
        const body = buildSecret(
          this.namespace,
          RUNNER_KEY_SECRET,
          { [Labels.artifact]: ARTIFACT },
          { key: randomBytes(RUNNER_KEY_BYTES) },
        );
        try {
          secret = await this.api.create<Secret>(Secrets, this.namespace, body);
          this.log.info({ namespace: this.namespace, name: RUNNER_KEY_SECRET }, 'created the runner key');
        } catch (err) {
          // Another replica created it first: use theirs.
          if (!isAlreadyExists(err)) throw err;
          secret = await getOurs(this.api, this.namespace, RUNNER_KEY_SECRET, ARTIFACT);
        }
      }
    } catch (err) {
      throw new RunnerKeyError(`cannot read or create Secret ${this.namespace}/${RUNNER_KEY_SECRET}`, { cause: err });
    }
    if (!secret) throw new RunnerKeyError(`Secret ${this.namespace}/${RUNNER_KEY_SECRET} vanished while it was being read`);
    const key = secretValue(secret, 'key');
    if (key.length < RUNNER_KEY_BYTES)
      throw new RunnerKeyError(`Secret ${this.namespace}/${RUNNER_KEY_SECRET} holds a key shorter than ${RUNNER_KEY_BYTES} bytes`);
    this.cached = { key, at: Date.now() };
    return key;
  }
}
