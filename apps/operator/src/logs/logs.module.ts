import { Module } from '@nestjs/common';
import { LogArchiver } from './log-archiver.service.js';
import { LogHub } from './log-hub.service.js';
import { LogStore } from './log-store.service.js';

/** Execution logs: live from the runner pod (shared per replica), stored in chunks by the leader. */
@Module({
  providers: [LogStore, LogHub, LogArchiver],
  exports: [LogHub, LogStore],
})
export class LogsModule {}
