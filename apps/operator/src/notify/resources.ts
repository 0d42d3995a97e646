import type { ResourceType } from '@tofu-operator/api-types';

/** Core v1 Events: the notifier's aggregated Events, whose count and message a patch updates. */
export const CoreEvents: ResourceType = { group: '', version: 'v1', plural: 'events', kind: 'Event', namespaced: true };
/** Core v1 Secrets: the notification URL and signing key, read at send time. */
export const NotifySecrets: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true };
