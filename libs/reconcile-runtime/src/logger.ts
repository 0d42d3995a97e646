import { pino, type Logger } from 'pino';

/** Creates the structured (JSON) logger of a process. LOG_LEVEL sets the level (default info). */
export function createLogger(name: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  return pino(
    {
      name,
      level,
      // Never log credentials, whatever object ends up in a log line.
      redact: { paths: ['*.authorization', '*.Authorization', '*.token', '*.password', 'headers.authorization'], censor: '[redacted]' },
    },
    // Synchronous writes: the last lines before an exit (shutdown, fatal errors) are not lost.
    pino.destination({ dest: 1, sync: true }),
  );
}

export type { Logger };
