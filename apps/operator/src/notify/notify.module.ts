import { Module } from '@nestjs/common';
import { RunNotifier } from './run-notifier.service.js';

/**
 * Notifications of runs (issue 13): aggregated Events on modules and stacks and webhook
 * notifications, from the shared caches while this replica leads. Uses the global Kube and Metrics
 * modules.
 */
@Module({ providers: [RunNotifier] })
export class NotifyModule {}
