import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger } from '@tofu-operator/reconcile-runtime';
import { AppModule } from './app.module.js';
import { ConfigError, loadConfig } from './config/operator-config.js';

async function bootstrap(): Promise<void> {
  const log = createLogger('tofu-operator');
  let port: number;
  try {
    port = loadConfig().port;
  } catch (err) {
    if (err instanceof ConfigError) {
      log.fatal(err.message);
      process.exit(2);
    }
    throw err;
  }
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(port);
  log.info({ port }, 'tofu-operator listening');
}

bootstrap().catch((err: unknown) => {
  createLogger('tofu-operator').fatal({ err }, 'failed to start');
  process.exit(1);
});
