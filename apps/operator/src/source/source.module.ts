import { Module } from '@nestjs/common';
import { ModuleVariables } from './module-variables.js';
import { SourcePoller } from './source-poller.js';
import { SOURCE_VIEW } from './source-view.js';

/**
 * The source poller: SourcePoller (pollNow for push webhooks) and the same instance as SOURCE_VIEW,
 * what the owner reconcilers read; ModuleVariables, the variables a module's code declares (read by
 * the inputs resolver's check). KubeModule and MetricsModule are global.
 */
@Module({
  providers: [SourcePoller, { provide: SOURCE_VIEW, useExisting: SourcePoller }, ModuleVariables],
  exports: [SourcePoller, SOURCE_VIEW, ModuleVariables],
})
export class SourceModule {}
