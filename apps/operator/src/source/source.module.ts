import { Module } from '@nestjs/common';
import { SourcePoller } from './source-poller.js';
import { SOURCE_VIEW } from './source-view.js';

/**
 * The source poller: SourcePoller (pollNow for push webhooks) and the same instance as SOURCE_VIEW,
 * what the owner reconcilers read. KubeModule and MetricsModule are global.
 */
@Module({
  providers: [SourcePoller, { provide: SOURCE_VIEW, useExisting: SourcePoller }],
  exports: [SourcePoller, SOURCE_VIEW],
})
export class SourceModule {}
