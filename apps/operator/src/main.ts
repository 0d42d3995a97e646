import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, KubeConfigError, loadKubeConfig } from '@tofu-operator/reconcile-runtime';
import { hookBodyReader } from './api/hooks-body.js';
import { AppModule } from './app.module.js';
import { ConfigError, loadConfig } from './config/operator-config.js';
import { unknownVariableWarnings } from './config/unknown-variables.js';
import { devModeRequestFilter } from './http/dev-mode-request.js';

async function bootstrap(): Promise<void> {
  const log = createLogger('tofu-operator');
  let port: number;
  let host: string;
  let insecure: boolean;
  try {
    ({ port, host, insecureNoAuth: insecure } = loadConfig());
    // A misspelt setting would otherwise be ignored without a word.
    for (const warning of unknownVariableWarnings(process.env)) log.warn(warning);
    // Fail fast, before Nest starts, with the message alone: no kubeconfig and no ServiceAccount.
    loadKubeConfig();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof KubeConfigError) {
      log.fatal(err.message);
      process.exit(2);
    }
    throw err;
  }
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  // Before every route: a page in the developer's browser must not reach the unauthenticated API.
  if (insecure) app.use(devModeRequestFilter);
  // Push webhooks are verified over their exact bytes: read raw, before Nest's body parsers.
  app.use('/hooks', hookBodyReader);
  await app.listen(port, host);
  if (insecure) {
    log.warn('*** TOFU_OPERATOR_INSECURE_NO_AUTH=true: the API accepts every request WITHOUT authentication or authorization ***');
    log.warn(`*** development only; bound to ${host}, reachable from this machine only ***`);
  }
  log.info({ port, host }, 'tofu-operator listening');
}

bootstrap().catch((err: unknown) => {
  createLogger('tofu-operator').fatal({ err }, 'failed to start');
  process.exit(1);
});
